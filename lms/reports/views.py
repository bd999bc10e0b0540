"""The report pages for partnership leads and organisation admins: a summary, one page per breakdown
table, the organisation admin's learner list, each table's CSV and XLSX downloads, and the read-only
JSON counts endpoint for BI tools (Bearer API token, no session, no CSRF)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask_login import current_user

from lms.db import db
from lms.extensions import csrf
from lms.models import utcnow
from lms.parsing import parse_id
from lms.permissions import REPORT_ROLES, roles_required, sees_learners
from lms.reports.breakdowns import BREAKDOWNS, cell_text, is_figure
from lms.reports.chart import HEIGHT, WIDTH, trend_chart
from lms.reports.filters import PeriodChoice, drill_down_organisations, drill_down_partnerships, period_choice, requested_scope, scope_args
from lms.services import api_tokens, exports, reports
from lms.services.audit import record_export
from lms.services.localities import serves_several
from lms.services.periods import current_period, parse_period
from lms.services.reports.scope import organisations_in, partner_agencies_note

blueprint = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")
api = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(api)
FORMATS = ("csv", "xlsx")
LONGEST_SEARCH = 100


def _context(choice: PeriodChoice, scope: reports.ReportScope) -> dict:
    """What every report page shows around its figures: the period picker, the scope, and links that keep both."""
    narrowed = scope_args(scope)
    link_args = {"period": choice.period.key, **narrowed} if choice.period else narrowed
    one_quarter = choice.period is not None and not choice.period.is_custom and choice.period.first_quarter == choice.period.last_quarter
    shared = scope.area_ids and scope.organisation_id is None and any(serves_several(o) for o in organisations_in(db.session, scope).values())
    return {"choice": choice, "scope": scope, "area_note": partner_agencies_note(scope) if shared else None, "scope_args": narrowed, "link_args": link_args, "organisations": [(str(o.id), o.name) for o in drill_down_organisations()],
            "partnerships": [(p.slug, p.name) for p in drill_down_partnerships()], "breakdowns": [b for b in BREAKDOWNS.values() if b.listed_for(scope)],
            "with_learners": sees_learners(current_user, scope), "generated_at": utcnow(),
            "quarter_args": link_args if one_quarter else narrowed}  # the quarterly report's link keeps a quarter, never a year


@blueprint.route("/")
@roles_required(*REPORT_ROLES)
def dashboard():
    """The summary: headline totals for the period, the trend chart with its table, and links to each breakdown."""
    choice, scope = period_choice(), requested_scope()
    context = _context(choice, scope)
    if choice.period is not None:
        rows = reports.training_counts(db.session, choice.period, scope=scope)
        trend = reports.trend_table(db.session, choice.period, scope)
        bars, gridlines = trend_chart(trend)
        context.update(headline=reports.headline(rows), trend=trend, bars=bars, gridlines=gridlines, chart_width=WIDTH, chart_height=HEIGHT)
    return render_template("reports/summary.html", **context)


@blueprint.route("/<breakdown>")
@roles_required(*REPORT_ROLES)
def breakdown(breakdown: str):
    """One breakdown table for the period, with its own downloads."""
    page = BREAKDOWNS.get(breakdown) or abort(404)
    choice, scope = period_choice(), requested_scope()
    context = _context(choice, scope)
    if choice.period is not None:
        context["table"] = reports.report_table(db.session, page.table, choice.period, scope, utcnow())
    return render_template("reports/breakdown.html", page=page, **context)


@blueprint.route("/learners")
@roles_required(*REPORT_ROLES)
def learners():
    """The organisation admin's learner list: searched by name or email, a page of people at a time."""
    choice, scope = period_choice(), requested_scope()
    if not sees_learners(current_user, scope):
        abort(404)
    search = request.args.get("q", "")[:LONGEST_SEARCH]
    listing = reports.learner_page(db.session, scope, utcnow(), search, parse_id(request.args.get("page", "1"), maximum=100_000) or 1)
    return render_template("reports/learners.html", listing=listing, **_context(choice, scope))


@blueprint.route("/export/<table>.<fmt>")
@roles_required(*REPORT_ROLES)
def export(table: str, fmt: str):
    choice, scope = period_choice(), requested_scope()
    if fmt not in FORMATS or table not in reports.TABLE_KEYS:
        abort(404)
    if choice.errors:
        abort(400, f"{choice.errors[0][1]}.")
    if table == "learners" and not sees_learners(current_user, scope):
        abort(404)
    now = utcnow()
    downloaded = reports.report_table(db.session, table, choice.period, scope, now).downloaded()
    record_export(db.session, current_user.id, table, fmt, choice.period.key, scope.label, "dashboard")
    whose = re.sub(r"[^a-z0-9]+", "-", scope.label.lower()).strip("-")
    name = "-".join(part for part in (table, whose, choice.period.key.replace("..", "-to-")) if part)
    if fmt == "csv":
        body, media_type = exports.table_csv(downloaded, choice.period, now, scope.label), "text/csv"
    else:
        body, media_type = exports.table_xlsx(downloaded, choice.period, now, scope.label), exports.XLSX_MEDIA_TYPE
    return Response(body, mimetype=media_type, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"',
                                                        "Cache-Control": "no-store"})


def _api_error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="counts"'
    return response


@api.route("/counts")
def counts():
    """Counts for a period (?period=2025-26-Q3, 2025-26 or 2025-04-01..2025-05-31) within the token's scope."""
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    token = api_tokens.find_active_token(db.session, presented.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        return _api_error(401, "Send a valid API token as 'Authorization: Bearer <token>'")
    try:
        period = parse_period(request.args["period"]) if request.args.get("period") else current_period()
    except ValueError as error:
        return _api_error(400, str(error))
    scope = api_tokens.token_scope(db.session, token)
    now = utcnow()
    rows = reports.training_counts(db.session, period, scope=scope)
    api_tokens.mark_used(db.session, token)
    record_export(db.session, token.created_by_id, "counts", "json", period.key, scope.label, f"api_token:{token.id}")
    return Response(exports.counts_json(rows, period, now), mimetype="application/json", headers={"Cache-Control": "no-store"})


blueprint.add_app_template_filter(cell_text, "cell_text")
blueprint.add_app_template_test(is_figure, "figure")

# The quarterly report and its targets have views of their own, on this blueprint.
from lms.reports import quarterly_views, target_views  # noqa: E402,F401
