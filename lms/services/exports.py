"""Turning report tables into CSV and JSON, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import asdict, fields

from lms.services.periods import Period
from lms.services.reports import CountRow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def counts_csv(rows: list[CountRow], period: Period, generated_at: dt.datetime) -> str:
    """The counts table as CSV, headed with its period and when it was generated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Period", period.label])
    writer.writerow(["Generated (UTC)", generated_at.strftime("%Y-%m-%d %H:%M")])
    writer.writerow([])
    writer.writerow([f.name for f in fields(CountRow)])
    for row in rows:
        writer.writerow([neutralise(v) for v in asdict(row).values()])
    return buffer.getvalue()


def counts_json(rows: list[CountRow], period: Period, generated_at: dt.datetime) -> str:
    return json.dumps({"period": period.label, "generated_at": generated_at.isoformat(timespec="seconds") + "Z",
                       "rows": [asdict(r) for r in rows]}, indent=1)
