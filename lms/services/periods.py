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
QUARTER_TEXT = re.compile(r"^([0-9]{4})-([0-9]{2})(?:-Q([1-4]))?$", re.IGNORECASE)  # ASCII digits only
DATES_TEXT = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})\.\.([0-9]{4}-[0-9]{2}-[0-9]{2})$")
# The financial years reports cover, 2000-01 to 2099-00: the one place the range is set, so no period can
# reach the date arithmetic's limits (year 1 or 9999) and fail there.
FIRST_YEAR, LAST_YEAR = 2000, 2099
FIRST_DAY, LAST_DAY = dt.date(FIRST_YEAR, 4, 1), dt.date(LAST_YEAR + 1, 3, 31)


def govuk_date(day: dt.date | dt.datetime) -> str:
    """A date as GOV.UK writes it, '2 December 2026': no leading zero, the month in full."""
    return f"{day.day} {day:%B %Y}"


RANGE_HELP = (f"reports cover the financial years from {FIRST_YEAR}-{(FIRST_YEAR + 1) % 100:02d} to {LAST_YEAR}-{(LAST_YEAR + 1) % 100:02d}"
              f" ({govuk_date(FIRST_DAY)} to {govuk_date(LAST_DAY)}): choose a period between them")
PERIOD_HELP = "write a financial year like 2025-26 or a quarter like 2025-26-Q3 (or dates like 2025-04-01..2025-05-31)"


def uk_date(moment: dt.datetime) -> dt.date:
    """The UK calendar date of a naive-UTC (or aware) timestamp."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(UK).date()


def uk_moment_text(moment: dt.datetime) -> str:
    """A naive-UTC moment as UK people read it, e.g. '3:05pm on 2 December 2026' (GOV.UK style)."""
    aware = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(UK)
    hour = aware.hour % 12 or 12
    return f"{hour}:{aware.minute:02d}{'am' if aware.hour < 12 else 'pm'} on {govuk_date(aware)}"


def uk_day_start(day: dt.date) -> dt.datetime:
    """The naive-UTC moment a UK calendar day begins (23:00 UTC the day before, during BST)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=UK).astimezone(dt.UTC).replace(tzinfo=None)


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


def quarter_months(code: int) -> str:
    """'October to December 2025' for 20253: the months of a quarter, for readers who do not count in quarters."""
    first, last = quarter_bounds(code)
    return f"{first:%B} to {last:%B %Y}"  # a financial quarter never spans two calendar years


def quarter_bounds(code: int) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter."""
    year, quarter = divmod(code, 10)
    first_month = 4 + (quarter - 1) * 3
    start = dt.date(year + (first_month > 12), (first_month - 1) % 12 + 1, 1)
    next_start = dt.date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)
    return start, next_start - dt.timedelta(days=1)


def quarter_key(code: int) -> str:
    """'2025-26-Q3' for 20253: the form parse_period reads."""
    year, quarter = divmod(code, 10)
    return f"{year}-{(year + 1) % 100:02d}-Q{quarter}"


def previous_quarters(last: int, count: int) -> list[int]:
    """The `count` quarter codes ending with `last`, oldest first."""
    codes, code = [], last
    for _ in range(count):
        codes.append(code)
        year, quarter = divmod(code, 10)
        code = code - 1 if quarter > 1 else (year - 1) * 10 + 4
    return codes[::-1]


@dataclass(frozen=True)
class Period:
    """A reporting period: a run of whole financial quarters, or custom UK dates inside those quarters.

    `start` and `end` are set only for custom dates; the quarters still bound the query so the
    quarter index does the heavy lifting, and the dates then trim it to the day.
    """

    first_quarter: int
    last_quarter: int
    label: str
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def is_custom(self) -> bool:
        return self.start is not None

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        if self.start is not None and self.end is not None:
            return self.start, self.end
        return quarter_bounds(self.first_quarter)[0], quarter_bounds(self.last_quarter)[1]

    @property
    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """Naive-UTC [from, until) covering the period's UK days, for timestamps like completed_at."""
        first, last = self.bounds
        return uk_day_start(first), uk_day_start(last + dt.timedelta(days=1))

    @property
    def key(self) -> str:
        """The period as text parse_period reads back (for links, exports and the API)."""
        if self.start is not None and self.end is not None:
            return f"{self.start.isoformat()}..{self.end.isoformat()}"
        if self.first_quarter == self.last_quarter:
            return quarter_key(self.first_quarter)
        year = self.first_quarter // 10
        return f"{year}-{(year + 1) % 100:02d}"


def custom_period(start: dt.date, end: dt.date) -> Period:
    """A period of whole UK days from `start` to `end` inclusive; ValueError if they are the wrong way round."""
    if end < start:
        raise ValueError("the end date must be the same as or after the start date")
    if start < FIRST_DAY or end > LAST_DAY:
        raise ValueError(RANGE_HELP)
    label = f"{govuk_date(start)} to {govuk_date(end)}"
    return Period(fy_quarter(start), fy_quarter(end), label, start, end)


def parse_period(text: str) -> Period:
    """Read '2025-26-Q3', '2025-26' or '2025-04-01..2025-05-31'; ValueError says what is wrong."""
    dates = DATES_TEXT.match(text.strip())
    if dates:
        try:
            return custom_period(dt.date.fromisoformat(dates.group(1)), dt.date.fromisoformat(dates.group(2)))
        except ValueError as error:
            raise ValueError(f"{_shown(text)} is not a period: {error}") from None
    match = QUARTER_TEXT.match(text.strip())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"{_shown(text)} is not a period: {PERIOD_HELP}")
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{_shown(text)} is not a period: {RANGE_HELP}")
    if match.group(3):
        code = year * 10 + int(match.group(3))
        return Period(code, code, quarter_label(code))
    return Period(year * 10 + 1, year * 10 + 4, f"{year}/{(year + 1) % 100:02d}")


def _shown(text: str) -> str:
    """The text quoted for a message: control characters escaped, and cut short if it is long."""
    shown = repr(text[:40] + ("..." if len(text) > 40 else ""))
    return shown if shown.startswith("'") else f"'{shown[1:-1]}'"


def current_period(today: dt.date | None = None) -> Period:
    code = fy_quarter(today or uk_date(dt.datetime.now(dt.UTC)))
    return Period(code, code, quarter_label(code))
