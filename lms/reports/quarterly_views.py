"""The quarterly report a partnership board reads: its page and its PDF, Word, CSV and XLSX downloads.

Every format shows `report_tables(report, small_numbers)` (lms.services.reports.quarterly), so none can
disagree with another or with the dashboard; the same roles and scope rules as the other report pages.
"""

from __future__ import annotations

import re

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user

from lms.db import db
from lms.models import utcnow
from lms.permissions import REPORT_ROLES, can_set_targets, roles_required
from lms.reports.filters import CUSTOM, PeriodChoice, period_choice, requested_scope
from lms.reports.views import _context, blueprint
from lms.services import board_report, board_sheets
from lms.services.audit import record_export
from lms.services.exports import XLSX_MEDIA_TYPE
from lms.services.periods import current_period
from lms.services.reports.quarterly import (
    FEWER_THAN_5,
    QuarterlyReport,
    quarterly_report,
    report_about,
    report_key,
    report_notes,
    report_tables,
)
from lms.services.reports.targets import BEHIND, ON_TRACK, RULE_TEXT

QUARTER_ONLY = "Choose a quarter: the quarterly report covers one quarter"
DOWNLOADS = {  # format: (media type, what the link calls it)
    "pdf": ("application/pdf", "PDF, one page"),
    "docx": (board_report.DOCX_MEDIA_TYPE, "Word document"),
    "csv": ("text/csv", "CSV"),
    "xlsx": (XLSX_MEDIA_TYPE, "XLSX"),
}


def _quarter_choice() -> PeriodChoice:
    """The period asked for, refused with a message unless it is one whole quarter."""
    choice = period_choice()
    if choice.selected == CUSTOM:  # the page has no date boxes: whatever was wrong with them, the answer is a quarter
        choice.errors = [("period", QUARTER_ONLY)]
    period = choice.period
    if period is not None and (period.is_custom or period.first_quarter != period.last_quarter):
        choice.errors.append(("period", QUARTER_ONLY))
        choice.period = None
    elif period is not None and period.first_quarter > current_period().first_quarter:
        choice.errors.append(("period", f"{period.label} has not started yet: choose {current_period().label} or an earlier quarter"))
        choice.period = None
    return choice


def _small_numbers() -> bool:
    return request.args.get("small") == "1"


@blueprint.route("/quarterly")
@roles_required(*REPORT_ROLES)
def quarterly():
    """The report's four tables for a quarter, with its downloads and the "Hide numbers under 5" choice."""
    choice, scope, small = _quarter_choice(), requested_scope(), _small_numbers()
    context = _context(choice, scope)
    if small:
        context["link_args"] = {**context["link_args"], "small": "1"}
    if choice.period is not None:
        report = quarterly_report(db.session, scope, choice.period.first_quarter)
        context.update(report=report, tables=report_tables(report, small), notes=report_notes(report, small), about=report_about(report))
    return render_template("reports/quarterly.html", small=small, downloads=DOWNLOADS, fewer_than_5=FEWER_THAN_5, rule=RULE_TEXT,
                           statuses={ON_TRACK: "green", BEHIND: "red"}, sets_targets=can_set_targets(current_user), **context)


def file_name(report: QuarterlyReport, fmt: str) -> str:
    """'quarterly-report-safer-york-2026-27-Q3.pdf': whose report and which quarter, safe in any file system."""
    whose = re.sub(r"[^a-z0-9]+", "-", report.scope.label.lower()).strip("-")
    return "-".join(part for part in ("quarterly-report", whose, report_key(report)) if part) + f".{fmt}"


def _body(report: QuarterlyReport, fmt: str, small: bool) -> bytes | str:
    now, site = utcnow(), current_app.config["SITE_NAME"]
    if fmt == "pdf":
        return board_report.report_pdf(report, small, now, site)
    if fmt == "docx":
        return board_report.report_docx(report, small, now, site)
    if fmt == "csv":
        return board_sheets.report_csv(report, small, now)
    return board_sheets.report_xlsx(report, small, now)


@blueprint.route("/quarterly/download.<fmt>")
@roles_required(*REPORT_ROLES)
def quarterly_download(fmt: str):
    """One of the report's downloads, audited as every export is, never kept by a cache."""
    if fmt not in DOWNLOADS:
        abort(404)
    choice, scope, small = _quarter_choice(), requested_scope(), _small_numbers()
    if choice.errors:
        abort(400, f"{choice.errors[0][1]}.")
    report = quarterly_report(db.session, scope, choice.period.first_quarter)
    body = _body(report, fmt, small)
    record_export(db.session, current_user.id, "quarterly-small-numbers-hidden" if small else "quarterly", fmt, choice.period.key,
                  scope.label, "dashboard")
    return Response(body, mimetype=DOWNLOADS[fmt][0], headers={"Content-Disposition": f'attachment; filename="{file_name(report, fmt)}"',
                                                              "Cache-Control": "no-store"})
