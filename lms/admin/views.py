"""Administration: partnerships, organisations, departments, join codes, email domains, assignments,
people (search, deactivate, CSV import), face-to-face sessions and API tokens. Views parse, call a
service, render; lms.permissions decides who may do what."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms.admin.forms import (
    AssignmentForm,
    DepartmentForm,
    ImportForm,
    JoinCodeForm,
    NewOrganisationForm,
    OrganisationForm,
    PartnershipForm,
)
from lms.db import db
from lms.models import (
    Assignment,
    Department,
    EmailDomain,
    JoinCode,
    Module,
    Organisation,
    OrganisationType,
    Partnership,
    Role,
)
from lms.parsing import parse_id
from lms.permissions import (
    ADMIN_ROLES,
    SESSION_ROLES,
    STAFF_ROLES,
    TOKEN_ROLES,
    assignable_roles,
    can_manage_person,
    is_site_admin,
    managed_organisation_or_404,
    managed_organisations,
    managed_user_or_404,
    roles_required,
)
from lms.services import email_domains, organisations
from lms.services.organisations import AdminError
from lms.services.user_import import ImportFileError, import_people

ROLE_NAMES = {Role.LEARNER: "Learner", Role.TRAINER: "Trainer", Role.ORG_ADMIN: "Organisation admin",
              Role.PARTNERSHIP_LEAD: "Partnership lead", Role.SITE_ADMIN: "Site admin"}
blueprint = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def _module_choices() -> list[tuple[str, str]]:
    modules = db.session.scalars(select(Module).where(Module.current_version_id.is_not(None)).order_by(Module.title))
    return [("", "Choose a module")] + [(str(m.id), m.title) for m in modules]


def _department_choices(organisation: Organisation, empty: str) -> list[tuple[str, str]]:
    departments = db.session.scalars(select(Department).where(Department.organisation_id == organisation.id).order_by(Department.name))
    return [("", empty)] + [(str(d.id), d.name) for d in departments]


def _as_id(value: str | None) -> int | None:
    return parse_id(value)


def _form_page(form: FlaskForm, title: str, back: str, submit: str, caption: str = "", **extra):
    return render_template("admin/form.html", form=form, title=title, back=back, submit=submit, caption=caption, **extra)


@blueprint.route("/")
@roles_required(*STAFF_ROLES)
def index():
    site_admin = is_site_admin(current_user)
    partnerships = db.session.scalars(select(Partnership).order_by(Partnership.name)).all() if site_admin else []
    to_review = sum(map(email_domains.needs_review, email_domains.claims_for_review(db.session))) if site_admin else 0
    return render_template("admin/index.html", organisations=managed_organisations(db.session, current_user), partnerships=partnerships,
                           can_record=current_user.role in SESSION_ROLES, can_tokens=current_user.role in TOKEN_ROLES,
                           domains_to_review=to_review)


@blueprint.route("/partnerships/new", methods=["GET", "POST"])
@roles_required(Role.SITE_ADMIN)
def new_partnership():
    form = PartnershipForm()
    if form.validate_on_submit():
        try:
            partnership = organisations.create_partnership(db.session, form.name.data, current_user.id)
            flash(f"{partnership.name} added.", "success")
            return redirect(url_for("admin.index"))
        except AdminError as error:
            form.name.errors.append(str(error))
    return _form_page(form, "Add a partnership", url_for("admin.index"), "Add partnership")


@blueprint.route("/organisations/new", methods=["GET", "POST"])
@roles_required(Role.SITE_ADMIN)
def new_organisation():
    form = NewOrganisationForm()
    form.partnership.choices = [("", "Choose a partnership")] + [
        (str(p.id), p.name) for p in db.session.scalars(select(Partnership).order_by(Partnership.name))]
    if form.validate_on_submit():
        partnership = db.session.get(Partnership, int(form.partnership.data))
        try:
            organisation = organisations.create_organisation(db.session, partnership, form.name.data, OrganisationType(form.type.data),
                                                             current_user.id)
            flash(f"{organisation.name} added.", "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
        except AdminError as error:
            getattr(form, error.field or "name").errors.append(str(error))
    return _form_page(form, "Add an organisation", url_for("admin.index"), "Add organisation")


@blueprint.route("/organisations/<int:organisation_id>")
@roles_required(*ADMIN_ROLES)
def organisation(organisation_id: int):
    organisation = managed_organisation_or_404(db.session, current_user, organisation_id)
    where = {"organisation_id": organisation.id}
    return render_template(
        "admin/organisation.html", organisation=organisation, now=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        departments=db.session.scalars(select(Department).filter_by(**where).order_by(Department.name)).all(),
        join_codes=db.session.scalars(select(JoinCode).filter_by(**where).order_by(JoinCode.created_at.desc())).all(),
        domains=db.session.scalars(select(EmailDomain).filter_by(**where).order_by(EmailDomain.domain)).all(),
        assignments=db.session.scalars(select(Assignment).filter_by(**where).order_by(Assignment.created_at)).all(),
        form=FlaskForm())


@blueprint.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def edit_organisation(organisation_id: int):
    organisation = managed_organisation_or_404(db.session, current_user, organisation_id)
    form = OrganisationForm(obj=None if request.method == "POST" else organisation)
    if request.method == "GET":
        form.type.data = organisation.type.value
    if form.validate_on_submit():
        try:
            organisations.update_organisation(db.session, organisation, form.name.data, OrganisationType(form.type.data), current_user.id)
            flash("Organisation details saved.", "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
        except AdminError as error:
            getattr(form, error.field or "name").errors.append(str(error))
    return _form_page(form, "Change organisation details", url_for("admin.organisation", organisation_id=organisation.id), "Save",
                      organisation.name)


@blueprint.route("/organisations/<int:organisation_id>/departments/new", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def new_department(organisation_id: int):
    organisation = managed_organisation_or_404(db.session, current_user, organisation_id)
    form = DepartmentForm()
    back = url_for("admin.organisation", organisation_id=organisation.id)
    if form.validate_on_submit():
        try:
            organisations.add_department(db.session, organisation, form.name.data, current_user.id)
            flash("Department added.", "success")
            return redirect(back)
        except AdminError as error:
            form.name.errors.append(str(error))
    return _form_page(form, "Add a department", back, "Add department", organisation.name)


@blueprint.route("/organisations/<int:organisation_id>/join-codes/new", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def new_join_code(organisation_id: int):
    organisation = managed_organisation_or_404(db.session, current_user, organisation_id)
    form = JoinCodeForm()
    form.department.choices = _department_choices(organisation, "No department")
    back = url_for("admin.organisation", organisation_id=organisation.id)
    if form.validate_on_submit():
        try:
            code = organisations.create_join_code(db.session, organisation, current_user.id, form.code.data or "", form.expires_on.data,
                                                  _as_id(form.department.data))
            flash(f"Join code {code.code} created.", "success")
            return redirect(back)
        except AdminError as error:
            getattr(form, error.field or "code").errors.append(str(error))
    return _form_page(form, "Create a join code", back, "Create join code", organisation.name)


@blueprint.route("/join-codes/<int:code_id>/revoke", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def revoke_join_code(code_id: int):
    code = db.session.get(JoinCode, code_id) or abort(404)
    managed_organisation_or_404(db.session, current_user, code.organisation_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    organisations.revoke_join_code(db.session, code, current_user.id)
    flash(f"Join code {code.code} revoked: nobody can join with it now.", "success")
    return redirect(url_for("admin.organisation", organisation_id=code.organisation_id))




@blueprint.route("/organisations/<int:organisation_id>/assignments/new", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def new_assignment(organisation_id: int):
    organisation = managed_organisation_or_404(db.session, current_user, organisation_id)
    form = AssignmentForm()
    form.module.choices = _module_choices()
    form.department.choices = _department_choices(organisation, "Everyone in the organisation")
    back = url_for("admin.organisation", organisation_id=organisation.id)
    if form.validate_on_submit():
        try:
            organisations.assign_module(db.session, organisation, int(form.module.data), current_user.id,
                                        department_id=_as_id(form.department.data), due_on=form.due_on.data, mandatory=form.mandatory.data)
            flash("Module assigned.", "success")
            return redirect(back)
        except AdminError as error:
            getattr(form, error.field or "module").errors.append(str(error))
    return _form_page(form, "Assign a module", back, "Assign module", organisation.name)


@blueprint.route("/assignments/<int:assignment_id>/remove", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def remove_assignment(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id) or abort(404)
    managed_organisation_or_404(db.session, current_user, assignment.organisation_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    organisation_id = assignment.organisation_id
    organisations.remove_assignment(db.session, assignment, current_user.id)
    flash("Assignment removed.", "success")
    return redirect(url_for("admin.organisation", organisation_id=organisation_id))


@blueprint.route("/organisations/<int:organisation_id>/people")
@roles_required(*ADMIN_ROLES)
def people(organisation_id: int):
    organisation = managed_organisation_or_404(db.session, current_user, organisation_id)
    search = request.args.get("q", "")[:200]
    return render_template("admin/people.html", organisation=organisation, search=search,
                           people=organisations.find_people(db.session, organisation, search), form=FlaskForm(),
                           roles=[(r.value, ROLE_NAMES[r]) for r in assignable_roles(current_user)], may_manage=can_manage_person,
                           role_names=ROLE_NAMES)


@blueprint.route("/people/<int:user_id>/active", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def set_active(user_id: int):
    person = managed_user_or_404(db.session, current_user, user_id)
    if not FlaskForm().validate_on_submit() or request.form.get("active") not in ("0", "1"):
        abort(400)
    active = request.form["active"] == "1"
    try:
        organisations.set_active(db.session, person, active, current_user.id)
        flash(f"{person.full_name} {'can sign in again' if active else 'is deactivated: their completions are kept'}.", "success")
    except AdminError as error:
        flash(str(error), "info")
    return redirect(url_for("admin.people", organisation_id=person.organisation_id))


@blueprint.route("/people/<int:user_id>/role", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def set_role(user_id: int):
    person = managed_user_or_404(db.session, current_user, user_id)
    if not FlaskForm().validate_on_submit() or request.form.get("role") not in {r.value for r in Role}:
        abort(400)
    try:
        organisations.set_role(db.session, person, Role(request.form["role"]), assignable_roles(current_user), current_user.id)
        flash(f"{person.full_name} is now {ROLE_NAMES[person.role].lower()}.", "success")
    except AdminError as error:
        flash(str(error), "info")
    return redirect(url_for("admin.people", organisation_id=person.organisation_id))


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
    return render_template("admin/import.html", organisation=organisation, form=form, result=result)


# Email domain claims, face-to-face sessions and API tokens have their own modules on this blueprint.
from lms.admin import domain_views, module_views, retry_views, session_views, token_views  # noqa: E402,F401
