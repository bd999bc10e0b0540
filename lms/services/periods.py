"""UK financial-year quarters, computed once in Python so every database groups them the same way.

The financial year runs from 1 April to 31 March. A quarter is stored as an integer
`start_year * 10 + quarter`: 20253 is Q3 of 2025/26 (October to December 2025). Moments are placed
in a quarter by their date in UK local time (GMT in winter, BST in summer).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")
QUARTER_TEXT = re.compile(r"^(\d{4})-(\d{2})(?:-Q([1-4]))?$", re.IGNORECASE)


def uk_date(moment: dt.datetime) -> dt.date:
    """The UK calendar date of a naive-UTC (or aware) timestamp."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(UK).date()


def fy_quarter(day: dt.date | dt.datetime) -> int:
    """The financial quarter code of a date, or of a timestamp taken in UK local time."""
    if isinstance(day, dt.datetime):
        day = uk_date(day)
    start_year = day.year if day.month >= 4 else day.year - 1
    quarter = (day.month - 4) % 12 // 3 + 1
    return start_year * 10 + quarter


def quarter_label(code: int) -> str:
    """'Q3 2025/26' for 20253, as partnership reports write it."""
    year, quarter = divmod(code, 10)
    return f"Q{quarter} {year}/{(year + 1) % 100:02d}"


def quarter_bounds(code: int) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter."""
    year, quarter = divmod(code, 10)
    first_month = 4 + (quarter - 1) * 3
    start = dt.date(year + (first_month > 12), (first_month - 1) % 12 + 1, 1)
    next_start = dt.date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)
    return start, next_start - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A reporting period: a run of whole financial quarters, with a label for export headings."""

    first_quarter: int
    last_quarter: int
    label: str

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        return quarter_bounds(self.first_quarter)[0], quarter_bounds(self.last_quarter)[1]


def parse_period(text: str) -> Period:
    """Read '2025-26-Q3' (a quarter) or '2025-26' (a financial year); ValueError says what is wrong."""
    match = QUARTER_TEXT.match(text.strip())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"'{text}' is not a period: write a financial year like 2025-26 or a quarter like 2025-26-Q3")
    year = int(match.group(1))
    if match.group(3):
        code = year * 10 + int(match.group(3))
        return Period(code, code, quarter_label(code))
    return Period(year * 10 + 1, year * 10 + 4, f"{year}/{(year + 1) % 100:02d}")


def current_period(today: dt.date | None = None) -> Period:
    code = fy_quarter(today or uk_date(dt.datetime.now(dt.UTC)))
    return Period(code, code, quarter_label(code))
