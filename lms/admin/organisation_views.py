"""Partnerships and organisations: adding them (site admins), an organisation's page, its details and departments."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from lms.admin.area_forms import NOT_SET, NewDepartmentForm
from lms.admin.forms import DepartmentForm, NewOrganisationForm, OrganisationForm, PartnershipForm
from lms.admin.views import _form_page, blueprint
from lms.db import db
from lms.models import Assignment, Department, EmailDomain, JoinCode, Organisation, OrganisationType, Partnership, Role, User, utcnow
from lms.parsing import parse_id
from lms.permissions import ADMIN_ROLES, can_set_locality, managed_organisation_or_404, roles_required
from lms.services import areas, organisations
from lms.services.localities import served_partnerships
from lms.services.organisations import AdminError
from lms.services.sso.settings import for_organisation as single_sign_on_of


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


def _department_sizes(organisation: Organisation) -> list[tuple[Department, int]]:
    """Each department with how many people are in it, by name."""
    counts = dict(db.session.execute(select(User.department_id, func.count()).where(User.organisation_id == organisation.id)
                                     .group_by(User.department_id)).all())
    departments = db.session.scalars(select(Department).filter_by(organisation_id=organisation.id).order_by(Department.name))
    return [(department, counts.get(department.id, 0)) for department in departments]


@blueprint.route("/organisations/<int:organisation_id>")
@roles_required(*ADMIN_ROLES)
def organisation(organisation_id: int):
    organisation = managed_organisation_or_404(db.session, current_user, organisation_id)
    where = {"organisation_id": organisation.id}
    join_codes = db.session.scalars(select(JoinCode).filter_by(**where).order_by(JoinCode.created_at.desc())).all()
    people = db.session.scalar(select(func.count()).select_from(User).filter_by(**where))
    return render_template(
        "admin/organisation.html", organisation=organisation, now=utcnow(), people_count=people, departments=_department_sizes(organisation),
        join_codes=join_codes, last_days={c.id: organisations.last_usable_day(c) for c in join_codes},
        domains=db.session.scalars(select(EmailDomain).filter_by(**where).order_by(EmailDomain.domain)).all(),
        single_sign_on=single_sign_on_of(db.session, organisation.id),
        area_names={p.id: p.name for p in served_partnerships(organisation)},
        assignments=db.session.scalars(select(Assignment).filter_by(**where).order_by(Assignment.created_at)).all())


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
    several = can_set_locality(current_user, organisation)  # then it asks where the department works
    form = NewDepartmentForm() if several else DepartmentForm()
    if several:
        form.locality.choices = [(NOT_SET, f"Not set (counts for {organisation.partnership.name})"),
                                 *((str(p.id), p.name) for p in served_partnerships(organisation))]
        form.locality.data = form.locality.data or NOT_SET
    back = url_for("admin.organisation", organisation_id=organisation.id)
    if form.validate_on_submit():
        locality = parse_id(form.locality.data) if several and form.locality.data != NOT_SET else None
        try:
            areas.add_department_in(db.session, organisation, form.name.data, locality, current_user.id)
            flash("Department added.", "success")
            return redirect(back)
        except AdminError as error:
            getattr(form, error.field or "name").errors.append(str(error))
    return _form_page(form, "Add a department", back, "Add department", organisation.name)
