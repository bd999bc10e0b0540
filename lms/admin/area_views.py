"""Organisations serving several partnerships: which partnerships an organisation serves (site admins), where a
department or person works (its admins), and joint groups of partnerships with their leads (site admins).
The rule itself is lms.services.localities; the changes are lms.services.areas."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.admin.area_forms import (
    NOT_SET,
    DepartmentLocalityForm,
    PersonLocalityForm,
    ServedPartnershipsForm,
    ticked_ids,
)
from lms.admin.views import blueprint
from lms.db import db
from lms.models import Department, Organisation, Partnership, Role, User
from lms.parsing import parse_id
from lms.permissions import (
    ADMIN_ROLES,
    can_set_locality,
    managed_organisation_or_404,
    managed_user_or_404,
    roles_required,
)
from lms.services import areas
from lms.services.localities import served_partnerships
from lms.services.organisations import AdminError


def _areas_page(form: FlaskForm, title: str, back: str, submit: str, caption: str = "", intro: tuple[str, ...] = (),
                hints: dict[str, str] | None = None):
    return render_template("admin/areas_form.html", form=form, title=title, back=back, submit=submit, caption=caption, intro=intro,
                           hints=hints or {})


def _show(form: FlaskForm, error: AdminError, default: str) -> None:
    form[error.field if error.field in form else default].errors.append(str(error))


def _locality_choices(organisation: Organisation, not_set_counts_for: str) -> list[tuple[str, str]]:
    return [(NOT_SET, f"Not set (counts for {not_set_counts_for})"), *((str(p.id), p.name) for p in served_partnerships(organisation))]


def _chosen_locality(value: str | None) -> int | None:
    return None if value in (None, NOT_SET) else parse_id(value)


def _served_hint(home: Partnership) -> str:
    return (f"Tick each other partnership whose area its staff work in; its admins then say which one each department and person "
            f"works in. Past quarters never move: training already recorded keeps counting where it was. People and departments "
            f"set to work in a partnership you untick count for {home.name} from then on.")


@blueprint.route("/organisations/<int:organisation_id>/partnerships", methods=["GET", "POST"])
@roles_required(Role.SITE_ADMIN)
def organisation_partnerships(organisation_id: int):
    """Which partnerships an organisation serves besides its home one (a police force serving two areas)."""
    organisation = managed_organisation_or_404(db.session, current_user, organisation_id)
    form = ServedPartnershipsForm()
    form.partnerships.choices = [(str(p.id), p.name) for p in areas.all_partnerships(db.session) if p.id != organisation.partnership_id]
    if request.method == "GET":
        form.partnerships.data = [str(p.id) for p in organisation.other_partnerships]
    back = url_for("admin.organisation", organisation_id=organisation.id)
    if form.validate_on_submit():
        try:
            areas.set_served_partnerships(db.session, organisation, ticked_ids(form.partnerships), current_user.id)
            flash("Partnerships saved.", "success")
            return redirect(back)
        except AdminError as error:
            _show(form, error, "partnerships")
    home = organisation.partnership
    return _areas_page(form, "Partnerships this organisation serves", back, "Save", organisation.name,
                       (f"Its home partnership is {home.name}: it always serves that one.",), {"partnerships": _served_hint(home)})


def _department_or_404(department_id: int) -> tuple[Department, Organisation]:
    department = db.session.get(Department, department_id)
    if department is None:
        abort(404)
    return department, managed_organisation_or_404(db.session, current_user, department.organisation_id)


def _serves_one(organisation: Organisation, back: str):
    flash(f"{organisation.name} serves only {organisation.partnership.name}, so all its training counts there.", "info")
    return redirect(back)


@blueprint.route("/departments/<int:department_id>/locality", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def set_department_locality(department_id: int):
    """Which partnership a department works in, when its organisation serves several."""
    department, organisation = _department_or_404(department_id)
    back = url_for("admin.organisation", organisation_id=organisation.id)
    if not can_set_locality(current_user, organisation):
        return _serves_one(organisation, back)
    form = DepartmentLocalityForm()
    form.locality.choices = _locality_choices(organisation, organisation.partnership.name)
    if request.method == "GET":
        form.locality.data = str(department.locality_id or NOT_SET)
    if form.validate_on_submit():
        try:
            areas.set_department_locality(db.session, department, _chosen_locality(form.locality.data), current_user.id)
            flash(f"Where {department.name} works is saved. Training already recorded keeps counting where it was.", "success")
            return redirect(back)
        except AdminError as error:
            _show(form, error, "locality")
    return _areas_page(form, f"Where does {department.name} work?", back, "Save", organisation.name)


def _not_set_for(person: User) -> str:
    """What a person without a locality of their own counts for: their department's partnership, else the home one."""
    served = {p.id: p for p in served_partnerships(person.organisation)}
    department = person.department
    if department is not None and department.locality_id in served:
        return f"{served[department.locality_id].name}, from {department.name}"
    return person.organisation.partnership.name


@blueprint.route("/people/<int:user_id>/locality", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def set_locality(user_id: int):
    """Which partnership a person works in: their next completions count there."""
    person = managed_user_or_404(db.session, current_user, user_id)
    back = url_for("admin.person", user_id=person.id)
    if not can_set_locality(current_user, person.organisation):
        return _serves_one(person.organisation, back)
    form = PersonLocalityForm()
    form.locality.choices = _locality_choices(person.organisation, _not_set_for(person))
    if request.method == "GET":
        form.locality.data = str(person.locality_id or NOT_SET)
    if form.validate_on_submit():
        try:
            areas.set_person_locality(db.session, person, _chosen_locality(form.locality.data), current_user.id)
            flash(f"{person.full_name}'s training counts for {areas.locality_description(person)} from now on. Training already "
                  "recorded keeps counting where it was.", "success")
            return redirect(back)
        except AdminError as error:
            _show(form, error, "locality")
    return render_template("admin/person_change.html", form=form, field=form.locality, person=person,
                           heading=f"Where does {person.full_name} work?", hints={})
