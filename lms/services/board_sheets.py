"""The quarterly report's tables as CSV and XLSX, with the dashboard exports' heading and formula safety
(lms.services.exports): the same `report_tables` rows as the page, PDF and Word document.

The CSV holds the four tables under each other, each under its own title, because a CSV file has one sheet.
The workbook gives each table a sheet of its own: each sheet is then one rectangular table under its heading,
which a spreadsheet can sort, filter or chart without first cutting the other tables away, and which pastes
into a board paper as it stands.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import Workbook

from lms.services.exports import keep_text_as_text, neutralise, table_heading
from lms.services.periods import Period, quarter_label
from lms.services.reports.quarterly import QuarterlyReport, report_notes, report_tables

SHEET_NAMES = {"quarter-months": "By month", "quarter-years": "Previous years", "quarter-modules": "By module",
               "quarter-types": "By organisation type"}


def _period(report: QuarterlyReport) -> Period:
    return Period(report.quarter, report.quarter, quarter_label(report.quarter))


def report_csv(report: QuarterlyReport, small_numbers: bool, generated_at: dt.datetime) -> str:
    """The four tables under each other, each headed with its title, period, scope and generation time; then the notes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180, as the dashboard's CSV
    for table in report_tables(report, small_numbers):
        for line in (*table_heading(table, _period(report), generated_at, report.scope.label), list(table.columns), *table.rows, []):
            writer.writerow([neutralise(v) for v in line])
    for note in report_notes(report, small_numbers):
        writer.writerow([neutralise(note)])
    return buffer.getvalue()


def report_xlsx(report: QuarterlyReport, small_numbers: bool, generated_at: dt.datetime) -> bytes:
    """One sheet per table, each headed as the CSV is, the notes under it; text stored as text, never as a formula."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    notes = report_notes(report, small_numbers)
    for table in report_tables(report, small_numbers):
        sheet = workbook.create_sheet(SHEET_NAMES.get(table.key, table.key)[:31])
        for line in (*table_heading(table, _period(report), generated_at, report.scope.label), list(table.columns), *table.rows):
            sheet.append(list(line))
        sheet.append([])
        for note in notes:
            sheet.append([note])
        keep_text_as_text(sheet)  # '=Council' stays text
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
