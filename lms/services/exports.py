"""Turning report tables into CSV, XLSX and JSON, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import asdict, fields

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from lms.services.periods import Period, govuk_date
from lms.services.reports import TITLES, CountRow, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


STANDING_TODAY = {"compliance", "learners"}  # tables that show standing on the day, whatever the period


def table_heading(table: Table, period: Period, generated_at: dt.datetime, covers: str) -> list[list[object]]:
    """Title, what the figures cover (whose, and when) and when they were made, so a file read on its own says."""
    if table.key in STANDING_TODAY:
        when = ["Standing on", govuk_date(generated_at)]
    elif table.key == "trend" and table.rows:
        when = ["Quarters", f"{table.rows[0][0]} to {table.rows[-1][0]}"]
    else:
        when = ["Period", period.label]
    covered = [["Covers", covers]] if covers else []
    return [[table.title], when, *covered, ["Generated (UTC)", generated_at.strftime("%Y-%m-%d %H:%M")], []]


def counts_csv(rows: list[CountRow], period: Period, generated_at: dt.datetime) -> str:
    """The counts table as CSV, headed with its period and when it was generated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; a stray \r in a cell gets quoted
    writer.writerow(["Period", period.label])
    writer.writerow(["Generated (UTC)", generated_at.strftime("%Y-%m-%d %H:%M")])
    writer.writerow([])
    names = [f.name for f in fields(CountRow)]
    writer.writerow(names)
    for row in rows:
        writer.writerow([neutralise(getattr(row, name)) for name in names])
    return buffer.getvalue()


def counts_json(rows: list[CountRow], period: Period, generated_at: dt.datetime) -> str:
    return json.dumps({"period": period.label, "period_key": period.key, "generated_at": generated_at.isoformat(timespec="seconds") + "Z",
                       "rows": [asdict(r) for r in rows]}, indent=1)


def counts_xlsx(rows: list[CountRow], period: Period, generated_at: dt.datetime) -> bytes:
    """The counts table as a workbook, with the same columns as the CSV."""
    table = Table("counts", TITLES["counts"], tuple(f.name for f in fields(CountRow)), [tuple(asdict(r).values()) for r in rows])
    return table_xlsx(table, period, generated_at)


def table_csv(table: Table, period: Period, generated_at: dt.datetime, covers: str = "") -> str:
    """Any report table as CSV, headed with its title, period and generation time; dates as 2025-04-01."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; a stray \r in a cell gets quoted
    for line in (*table_heading(table, period, generated_at, covers), list(table.columns), *table.rows):
        writer.writerow([neutralise(v) for v in line])
    return buffer.getvalue()


def table_xlsx(table: Table, period: Period, generated_at: dt.datetime, covers: str = "") -> bytes:
    """Any report table as an XLSX workbook; every text cell is stored as text, never as a formula (so
    '=Council' reads as it was typed), and dates as dates."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.key[:31]
    for line in (*table_heading(table, period, generated_at, covers), list(table.columns), *table.rows):
        sheet.append(list(line))
    keep_text_as_text(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def keep_text_as_text(sheet) -> None:
    """Store every text cell as text, never as a formula: no apostrophe needed (the CSV gets one)."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING
