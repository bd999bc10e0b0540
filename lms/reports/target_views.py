"""The targets page: a partnership lead (or a site admin, for a partnership they choose) sets each module's
sessions to deliver in a financial year, which the quarterly report measures "On track" or "Behind" against."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms.db import db
from lms.models import Module, Partnership, ReportTarget
from lms.permissions import TARGET_ROLES, can_set_targets, is_site_admin, roles_required, target_partnerships
from lms.reports.views import blueprint
from lms.services.periods import FIRST_YEAR, LAST_YEAR, current_period
from lms.services.reports.targets import LARGEST_TARGET, RULE_TEXT, set_targets

YEARS_BEFORE, YEARS_AFTER = 2, 1
YEAR_TEXT = re.compile(r"^([0-9]{4})-([0-9]{2})$")
WHOLE_NUMBER = re.compile(r"^[0-9]{1,40}$")  # ASCII digits only; any length past the largest target is "too many"


def year_key(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


@dataclass
class TargetForm:
    """What the page shows and was sent: the year, the modules, each box's text, and each problem as (field id, message)."""

    partnership: Partnership | None
    year: int | None
    modules: list[Module]
    typed: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def error_for(self, field_id: str) -> str | None:
        return next((message for place, message in self.errors if place == field_id), None)


def _years() -> list[tuple[str, str]]:
    now = current_period().first_quarter // 10
    return [(year_key(y), year_label(y)) for y in range(now + YEARS_AFTER, now - YEARS_BEFORE - 1, -1) if FIRST_YEAR <= y <= LAST_YEAR]


def _partnership() -> Partnership | None:
    """The partnership asked for (a lead's own when they name none); another's is 'not found'."""
    allowed = target_partnerships(db.session, current_user)
    slug = request.values.get("partnership", "").strip()
    if not slug:
        return None if is_site_admin(current_user) else allowed[0]
    return next((p for p in allowed if p.slug == slug), None) or abort(404)


def _year(form: TargetForm) -> None:
    """The financial year asked for (this one when none is), or a message on the year list."""
    asked = request.values.get("year", "").strip()
    match = YEAR_TEXT.match(asked)
    if not asked:
        form.year = current_period().first_quarter // 10
    elif match and asked in dict(_years()):
        form.year = int(match.group(1))
    else:
        form.errors.append(("year", "Select a financial year from the list"))


def _read_boxes(form: TargetForm) -> dict[int, int | None]:
    """Each module's box as a number (None when empty); a problem named by its module for any other text."""
    known = {str(m.id): m for m in form.modules}
    for name in request.form:
        if name.startswith("target-") and name.removeprefix("target-") not in known:
            form.errors.append((f"target-{form.modules[0].id}" if form.modules else "year",
                                "One of the boxes is not for a module: reload the page and enter the targets again"))
    wanted: dict[int, int | None] = {}
    for key, module in known.items():
        text = request.form.get(f"target-{key}", "").strip().replace(",", "")
        form.typed[key] = text
        if not text:
            wanted[module.id] = None
        elif not WHOLE_NUMBER.match(text):
            form.errors.append((f"target-{key}", f"Enter the number of sessions to deliver for {module.title} as a whole number, like 40"))
        elif int(text) > LARGEST_TARGET:
            form.errors.append((f"target-{key}", f"The number of sessions to deliver for {module.title} must be {LARGEST_TARGET:,} or fewer"))
        else:
            wanted[module.id] = int(text)
    return wanted


@blueprint.route("/targets", methods=["GET", "POST"])
@roles_required(*TARGET_ROLES)
def targets():
    """Choose a year (and, for a site admin, a partnership); POST saves every module's target for it."""
    if not can_set_targets(current_user):
        abort(403)
    modules = list(db.session.scalars(select(Module).where(Module.current_version_id.is_not(None)).order_by(Module.title, Module.id)))
    form = TargetForm(_partnership(), None, modules)
    _year(form)
    if form.partnership is not None and form.year is not None:
        saved = {t.module_id: t.sessions for t in db.session.scalars(select(ReportTarget).where(
            ReportTarget.partnership_id == form.partnership.id, ReportTarget.financial_year == form.year))}
        form.typed = {str(m.id): str(saved[m.id]) if m.id in saved else "" for m in modules}
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        if form.partnership is None or form.year is None:
            form.errors = form.errors or [("partnership", "Select a partnership")]
        else:
            wanted = _read_boxes(form)
            if not form.errors:
                changed = set_targets(db.session, form.partnership.id, form.year, wanted, current_user.id)
                flash(f"Targets for {year_label(form.year)} saved: {changed} changed.", "success")
                return redirect(url_for("reports.targets", year=year_key(form.year),
                                        partnership=form.partnership.slug if is_site_admin(current_user) else None))
    return render_template("reports/targets.html", form=form, years=_years(), year_key=year_key(form.year) if form.year else "",
                           year_text=year_label(form.year) if form.year else "", rule=RULE_TEXT,
                           partnerships=[(p.slug, p.name) for p in target_partnerships(db.session, current_user)] if is_site_admin(current_user) else [])
