"""The reporting dashboard for partnership leads and organisation admins, its CSV and XLSX exports,
and the read-only JSON counts endpoint for BI tools (Bearer API token, no session, no CSRF)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from lms.db import db
from lms.extensions import csrf
from lms.models import Organisation, Partnership, Role, utcnow
from lms.parsing import parse_id
from lms.permissions import REPORT_ROLES, is_site_admin, report_scope, roles_required, sees_learners
from lms.reports.chart import HEIGHT, WIDTH, stacked_bars
from lms.services import api_tokens, exports, reports
from lms.services.audit import record_export
from lms.services.periods import Period, current_period, custom_period, parse_period, previous_quarters, quarter_key, quarter_label

blueprint = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")
api = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(api)
FORMATS = ("csv", "xlsx")


@dataclass
class PeriodChoice:
    """What the period picker shows: the chosen period, the options, and any problem with custom dates."""

    period: Period
    quarters: list[tuple[str, str]]
    years: list[tuple[str, str]]
    date_from: str
    date_to: str
    error: str | None


def _period_choice() -> PeriodChoice:
    """The period asked for in the query string, or the current quarter."""
    now_quarter = current_period().last_quarter
    quarters = [(quarter_key(q), quarter_label(q)) for q in reversed(previous_quarters(now_quarter, 12))]
    first_year = now_quarter // 10
    years = [(f"{y}-{(y + 1) % 100:02d}", f"{y}/{(y + 1) % 100:02d}") for y in range(first_year, first_year - 4, -1)]
    chosen, error = request.args.get("period", "").strip(), None
    date_from, date_to = request.args.get("from", "").strip(), request.args.get("to", "").strip()
    period = current_period()
    try:
        if chosen == "custom":
            try:
                start, end = dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to)
            except ValueError:
                raise ValueError("Enter a start and end date like 2025-04-01") from None
            period = custom_period(start, end)
        elif chosen:
            period = parse_period(chosen)
    except ValueError as problem:
        error = str(problem)[0].upper() + str(problem)[1:]
    return PeriodChoice(period, quarters, years, date_from, date_to, error)


def _scope() -> reports.ReportScope:
    """The person's reporting scope, narrowed to one partnership or organisation if they asked and may."""
    scope = report_scope(current_user)
    if scope is None:
        abort(403)
    organisation_id = request.args.get("organisation", "")
    partnership_slug = request.args.get("partnership", "")
    if organisation_id and scope.organisation_id is not None and organisation_id != str(scope.organisation_id):
        abort(404)  # an organisation admin asking for another organisation
    if organisation_id and scope.organisation_id is None:
        wanted = parse_id(organisation_id)
        organisation = db.session.get(Organisation, wanted) if wanted is not None else None
        if organisation is None or (scope.partnership_id is not None and organisation.partnership_id != scope.partnership_id):
            abort(404)
        return reports.ReportScope(organisation.name, organisation_id=organisation.id)
    if partnership_slug and is_site_admin(current_user):
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == partnership_slug)) or abort(404)
        return reports.ReportScope(partnership.name, partnership_id=partnership.id)
    return scope


def _scope_args(scope: reports.ReportScope) -> dict[str, str]:
    """Query arguments that bring back the same scope (for export links)."""
    if scope.organisation_id is not None and current_user.role != Role.ORG_ADMIN:
        return {"organisation": str(scope.organisation_id)}
    if scope.partnership_id is not None and is_site_admin(current_user):
        return {"partnership": db.session.get(Partnership, scope.partnership_id).slug}
    return {}


def _drill_down(scope: reports.ReportScope) -> list[Organisation]:
    """Organisations a lead or site admin can narrow the dashboard to."""
    if current_user.role == Role.ORG_ADMIN or scope.organisation_id is not None:
        return []
    query = select(Organisation).order_by(Organisation.name)
    if scope.partnership_id is not None:
        query = query.where(Organisation.partnership_id == scope.partnership_id)
    return list(db.session.scalars(query))


@blueprint.route("/")
@roles_required(*REPORT_ROLES)
def dashboard():
    choice, scope = _period_choice(), _scope()
    tables = reports.dashboard_tables(db.session, choice.period, scope, utcnow(), with_learners=sees_learners(current_user, scope))
    bars, gridlines = stacked_bars([(row[0].split(" ")[0] + " " + row[0].split(" ")[1][2:], row[2], row[4]) for row in tables["trend"].rows])
    partnerships = db.session.scalars(select(Partnership).order_by(Partnership.name)).all() if is_site_admin(current_user) else []
    return render_template("reports/dashboard.html", choice=choice, scope=scope, tables=tables, bars=bars, gridlines=gridlines,
                           chart_width=WIDTH, chart_height=HEIGHT, scope_args=_scope_args(scope), organisations=_drill_down(scope),
                           partnerships=partnerships, generated_at=utcnow())


@blueprint.route("/export/<table>.<fmt>")
@roles_required(*REPORT_ROLES)
def export(table: str, fmt: str):
    choice, scope = _period_choice(), _scope()
    if fmt not in FORMATS:
        abort(404)
    if choice.error:
        abort(400, f"{choice.error}.")
    with_learners = sees_learners(current_user, scope)
    if table == "learners" and not with_learners:
        abort(404)
    now = utcnow()
    tables = reports.dashboard_tables(db.session, choice.period, scope, now, with_learners=table == "learners")
    if table not in tables:
        abort(404)
    if table == "counts":  # keyed by stable ids in the download, not by names alone
        rows = reports.training_counts(db.session, choice.period, scope.partnership_id, scope.organisation_id)
        tables[table] = exports.counts_download_table(rows)
    record_export(db.session, current_user.id, table, fmt, choice.period.key, scope.label, "dashboard")
    name = f"{table}-{choice.period.key.replace('..', '-to-')}"
    if fmt == "csv":
        body, media_type = exports.table_csv(tables[table], choice.period, now), "text/csv; charset=utf-8"
    else:
        body, media_type = exports.table_xlsx(tables[table], choice.period, now), exports.XLSX_MEDIA_TYPE
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
    rows = reports.training_counts(db.session, period, scope.partnership_id, scope.organisation_id)
    api_tokens.mark_used(db.session, token)
    record_export(db.session, token.created_by_id, "counts", "json", period.key, scope.label, f"api_token:{token.id}")
    return Response(exports.counts_json(rows, period, now), mimetype="application/json", headers={"Cache-Control": "no-store"})


def export_url(table: str, fmt: str, choice: PeriodChoice, scope_args: dict[str, str]) -> str:
    """The export link for a table, keeping the dashboard's period and scope."""
    args = {"period": choice.period.key, **scope_args}
    return url_for("reports.export", table=table, fmt=fmt, **args)


blueprint.add_app_template_global(export_url, "export_url")
