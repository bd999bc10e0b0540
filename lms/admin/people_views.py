"""People: an organisation's list (searched, a page at a time), one person's page, and the pages that change
their role, department or status (deactivating asks first). lms.permissions decides whom an admin may change."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms.admin.forms import ImportForm
from lms.admin.people_forms import NO_DEPARTMENT, ROLE_HINTS, PersonDepartmentForm, RoleForm
from lms.admin.views import ROLE_NAMES, _confirm_page, blueprint
from lms.db import db
from lms.models import Department, Role, User
from lms.parsing import parse_id
from lms.permissions import (
    ADMIN_ROLES,
    assignable_roles,
    managed_organisation_or_404,
    managed_user_or_404,
    roles_required,
    visible_person_or_404,
)
from lms.services import areas, organisations
from lms.services.localities import locality_of, served_partnerships, serves_several
from lms.services.organisations import AdminError
from lms.services.user_import import ImportFileError, ImportResult, import_people


@blueprint.route("/organisations/<int:organisation_id>/people")
@roles_required(*ADMIN_ROLES)
def people(organisation_id: int):
    organisation = managed_organisation_or_404(db.session, current_user, organisation_id)
    search = request.args.get("q", "").strip()[:200]
    found = organisations.find_people(db.session, organisation, search, parse_id(request.args.get("page", "1"), maximum=100_000) or 1)
    names = {p.id: p.name for p in served_partnerships(organisation)} if serves_several(organisation) else {}
    return render_template("admin/people.html", organisation=organisation, search=search, found=found, role_names=ROLE_NAMES,
                           per_page=organisations.PEOPLE_PER_PAGE, works_in={u.id: names[locality_of(u)] for u in found.people} if names else {})


@blueprint.route("/people/<int:user_id>")
@roles_required(*ADMIN_ROLES)
def person(user_id: int):
    """Everything an admin may change about a person, each with its own Change link."""
    person = visible_person_or_404(db.session, current_user, user_id)
    has_departments = db.session.scalar(select(Department.id).where(Department.organisation_id == person.organisation_id).limit(1))
    works_in = areas.locality_description(person) if serves_several(person.organisation) else None
    return render_template("admin/person.html", person=person, role_names=ROLE_NAMES, has_departments=has_departments is not None,
                           works_in=works_in)


def _change_page(form: FlaskForm, person: User, heading: str, hints: dict[str, str] | None = None):
    return render_template("admin/person_change.html", form=form, field=form[next(f.name for f in form if f.name != "csrf_token")],
                           person=person, heading=heading, hints=hints or {})


def _not_yourself(person):
    """Nobody changes their own role or status (they could lock themselves out): say so before any form."""
    flash("You cannot change your own role or status: ask another administrator.", "info")
    return redirect(url_for("admin.person", user_id=person.id))


@blueprint.route("/people/<int:user_id>/role", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def set_role(user_id: int):
    person = managed_user_or_404(db.session, current_user, user_id)
    if person.id == current_user.id:
        return _not_yourself(person)
    allowed = assignable_roles(current_user)
    form = RoleForm()
    if request.method == "GET":
        form.role.data = person.role.value
    form.role.choices = [(role.value, ROLE_NAMES[role]) for role in allowed]
    if form.validate_on_submit():
        try:
            organisations.set_role(db.session, person, Role(form.role.data), allowed, current_user.id)
            flash(f"{person.full_name}'s role is now {ROLE_NAMES[person.role]}.", "success")
            return redirect(url_for("admin.person", user_id=person.id))
        except AdminError as error:
            form.role.errors.append(str(error))
    return _change_page(form, person, f"What is {person.full_name}'s role?", {role.value: ROLE_HINTS[role] for role in allowed})


@blueprint.route("/people/<int:user_id>/department", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def set_department(user_id: int):
    person = managed_user_or_404(db.session, current_user, user_id)
    form = PersonDepartmentForm()
    if request.method == "GET":
        form.department.data = str(person.department_id or NO_DEPARTMENT)
    departments = db.session.scalars(select(Department).where(Department.organisation_id == person.organisation_id).order_by(Department.name))
    form.department.choices = [(str(d.id), d.name) for d in departments] + [(NO_DEPARTMENT, "No department")]
    if form.validate_on_submit():
        chosen = None if form.department.data == NO_DEPARTMENT else parse_id(form.department.data)
        try:
            department = organisations.set_department(db.session, person, chosen, current_user.id)
            flash(f"{person.full_name} is now in {department.name if department else 'no department'}.", "success")
            return redirect(url_for("admin.person", user_id=person.id))
        except AdminError as error:
            form.department.errors.append(str(error))
    return _change_page(form, person, f"Which department is {person.full_name} in?")


@blueprint.route("/people/<int:user_id>/active", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def set_active(user_id: int):
    """GET asks before deactivating (or reactivating); POST, with the state asked for, makes the change."""
    person = managed_user_or_404(db.session, current_user, user_id)
    if person.id == current_user.id:
        return _not_yourself(person)
    back = url_for("admin.person", user_id=person.id)
    if request.method == "GET":
        if person.active:
            return _confirm_page(f"Are you sure you want to deactivate {person.full_name}?", "Deactivate account", back,
                                 caption=person.organisation.name, hidden={"active": "0"},
                                 explain=("They will not be able to sign in. Their completions are kept and still count in reports.",
                                          "You can reactivate their account at any time."))
        return _confirm_page(f"Reactivate {person.full_name}?", "Reactivate account", back, caption=person.organisation.name,
                             hidden={"active": "1"}, warning=False, explain=("They will be able to sign in again.",))
    if not FlaskForm().validate_on_submit() or request.form.get("active") not in ("0", "1"):
        abort(400)
    active = request.form["active"] == "1"
    try:
        organisations.set_active(db.session, person, active, current_user.id)
        flash(f"{person.full_name} {'can sign in again' if active else 'is deactivated: their completions are kept'}.", "success")
    except AdminError as error:
        flash(str(error), "info")
    return redirect(back)



def _mark_file_in_error(form: ImportForm, result: ImportResult) -> None:
    """Row problems belong to the file field: it shows them in error, and the summary's links lead to it."""
    count = len(result.errors)
    rows, them = (f"{count} row", "it") if count == 1 else (f"{count} rows", "them")
    form.file.errors.append(f"{rows} of the selected file left out: fix {them} and import the file again" if result.imported
                            else f"The selected file has {rows} with problems: fix {them} and choose the file again")


@blueprint.route("/organisations/<int:organisation_id>/people/import", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def import_users(organisation_id: int):
    organisation = managed_organisation_or_404(db.session, current_user, organisation_id)
    form, result = ImportForm(), None
    if form.validate_on_submit():
        try:
            result = import_people(db.session, organisation, form.file.data.read(), current_user.id, form.only_valid.data)
        except ImportFileError as error:
            form.file.errors.append(str(error))
    if result and result.errors:
        _mark_file_in_error(form, result)
    return render_template("admin/import.html", organisation=organisation, form=form, result=result)
