"""What a report page was asked for in its query string: the period (a quarter, a financial year or
custom dates typed as day, month and year) and whose figures (a lead's or site admin's drill-down)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask import abort, request
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.db import db
from lms.models import Organisation, Partnership
from lms.parsing import DATE_PARTS, DateInputError, date_parts, parse_date, parse_id
from lms.permissions import is_site_admin, report_scope
from lms.services.localities import served_partnership_ids, serves_several
from lms.services.periods import (
    FIRST_DAY,
    FIRST_YEAR,
    LAST_DAY,
    LAST_YEAR,
    RANGE_HELP,
    Period,
    current_period,
    custom_period,
    parse_period,
    previous_quarters,
    quarter_key,
    quarter_label,
)
from lms.services.reports import ReportScope, organisations_in

QUARTERS_OFFERED, YEARS_OFFERED = 12, 4
CUSTOM = "custom"
YEARS_COVERED = f"from {FIRST_YEAR}/{(FIRST_YEAR + 1) % 100:02d} to {LAST_YEAR}/{(LAST_YEAR + 1) % 100:02d}"


@dataclass
class PeriodChoice:
    """The period picker's state: the period chosen (None while the choice has errors), the options, what was
    typed into the date boxes, and each problem as (field id, message) for the error summary."""

    period: Period | None
    selected: str
    quarters: list[tuple[str, str]]
    years: list[tuple[str, str]]
    typed: dict[str, tuple[str, str, str]]
    errors: list[tuple[str, str]] = field(default_factory=list)
    date_errors: dict[str, DateInputError] = field(default_factory=dict)

    def error_for(self, field_id: str) -> str | None:
        return next((message for place, message in self.errors if place == field_id), None)


def _options(now_quarter: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    quarters = [(quarter_key(q), quarter_label(q)) for q in reversed(previous_quarters(now_quarter, QUARTERS_OFFERED))]
    first_year = now_quarter // 10
    years = [(f"{y}-{(y + 1) % 100:02d}", f"{y}/{(y + 1) % 100:02d}") for y in range(first_year, first_year - YEARS_OFFERED, -1)]
    return quarters, years


def _typed_dates(choice: PeriodChoice) -> Period | None:
    """Custom dates from the start and end date boxes; each problem recorded against its boxes."""
    found: dict[str, dt.date | None] = {}
    for name, label in (("from", "Start date"), ("to", "End date")):
        try:
            found[name] = parse_date(*choice.typed[name], label)
        except DateInputError as error:
            choice.date_errors[name] = error
            choice.errors.append((f"{name}-{error.first_part}", error.message))
    start, end = found.get("from"), found.get("to")
    problems = [("from", start is not None and start < FIRST_DAY, f"Start date must be in a financial year {YEARS_COVERED}"),
                ("to", end is not None and end > LAST_DAY, f"End date must be in a financial year {YEARS_COVERED}"),
                ("to", None not in (start, end) and end < start, "End date must be the same as or after the start date")]
    for name, wrong, message in problems:
        if wrong and name not in choice.date_errors:
            choice.date_errors[name] = DateInputError(message)
            choice.errors.append((f"{name}-day", message))
    return None if choice.errors else custom_period(start, end)


def _boxes(args: MultiDict, name: str) -> tuple[str, str, str]:
    """What was typed into one date's day, month and year boxes; a bookmark from before the boxes, with
    ?from=2025-04-01, fills them from that."""
    typed = tuple(args.get(f"{name}-{part}", "").strip() for part in DATE_PARTS)
    legacy = args.get(name, "").strip()
    if not any(typed) and re.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", legacy):
        year, month, day = legacy.split("-")
        return (day.lstrip("0") or "0", month.lstrip("0") or "0", year)
    return typed


def period_choice(args: MultiDict | None = None) -> PeriodChoice:
    """The period asked for: ?period=2025-26-Q3 (or 2025-26, or dates from a link), ?period=custom with the
    date boxes, or the current quarter when nothing is asked."""
    args = request.args if args is None else args
    now = current_period()
    quarters, years = _options(now.last_quarter)
    typed = {name: _boxes(args, name) for name in ("from", "to")}
    asked = args.get("period", "").strip()
    choice = PeriodChoice(None, asked, quarters, years, typed)
    if asked == CUSTOM:
        choice.period = _typed_dates(choice)
    elif asked:
        try:
            choice.period = parse_period(asked)
        except ValueError as error:
            out_of_range = RANGE_HELP in str(error)
            choice.errors.append(("period", f"Select a period {YEARS_COVERED}" if out_of_range else "Select a period from the list"))
    else:
        choice.period = now
    _offer(choice)
    return choice


def _offer(choice: PeriodChoice) -> None:
    """Select the chosen period in the list (adding it if it is older than the list goes), and put custom dates in their boxes."""
    period = choice.period
    if period is None:
        return
    if period.is_custom:
        choice.selected = CUSTOM
        choice.typed = {"from": date_parts(period.start), "to": date_parts(period.end)}
        return
    choice.selected = period.key
    listed = choice.years if period.first_quarter != period.last_quarter else choice.quarters
    if period.key not in {key for key, _label in listed}:
        listed.append((period.key, period.label))


def requested_scope() -> ReportScope:
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
        if organisation is None or (scope.area_ids and not set(scope.area_ids) & set(served_partnership_ids(organisation))):
            abort(404)
        if scope.area_ids:  # a lead looking at a partner agency sees its staff working in the lead's area only
            label = f"{organisation.name} in {scope.label}" if serves_several(organisation) else organisation.name
            return ReportScope(label, organisation_id=organisation.id, area_ids=scope.area_ids)
        return ReportScope(organisation.name, organisation_id=organisation.id)
    if partnership_slug and is_site_admin(current_user):
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == partnership_slug)) or abort(404)
        return ReportScope(partnership.name, partnership_id=partnership.id)
    return scope


def scope_args(scope: ReportScope) -> dict[str, str]:
    """Query arguments that bring back the same scope (for links between the report pages and downloads)."""
    own = report_scope(current_user)
    if scope == own:
        return {}
    if scope.organisation_id is not None:
        return {"organisation": str(scope.organisation_id)}
    if scope.partnership_id is not None:
        return {"partnership": db.session.get(Partnership, scope.partnership_id).slug}
    return {}


def drill_down_organisations() -> list[Organisation]:
    """Organisations a lead or site admin can narrow the reports to (none for an organisation admin)."""
    own = report_scope(current_user)
    if own is None or own.organisation_id is not None:
        return []
    return list(organisations_in(db.session, own).values())


def drill_down_partnerships() -> list[Partnership]:
    """Partnerships a site admin can narrow the reports to."""
    return list(db.session.scalars(select(Partnership).order_by(Partnership.name))) if is_site_admin(current_user) else []
