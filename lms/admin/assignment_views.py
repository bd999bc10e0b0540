"""Assignments: asking an organisation (or a department) to complete a module, and removing that after a confirmation page."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.admin.forms import AssignmentForm
from lms.admin.views import _as_id, _confirm_page, _department_choices, _form_page, _module_choices, blueprint
from lms.db import db
from lms.jobs import soon
from lms.models import Assignment
from lms.permissions import ADMIN_ROLES, managed_organisation_or_404, roles_required
from lms.services import organisations
from lms.services.organisations import AdminError
from lms.services.periods import govuk_date


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
            assignment = organisations.assign_module(db.session, organisation, int(form.module.data), current_user.id,
                                                     department_id=_as_id(form.department.data), due_on=form.due_on.data,
                                                     mandatory=form.mandatory.data)
            soon("plan_assignment", assignment.id)  # "assigned to you" now; never fails the request
            flash(_assigned_text(assignment), "success")
            return redirect(back)
        except AdminError as error:
            getattr(form, error.field or "module").errors.append(str(error))
    return _form_page(form, "Assign a module", back, "Assign module", organisation.name)


def _assigned_text(assignment: Assignment) -> str:
    """'Hate crime awareness is assigned to Housing, due by 31 March 2027.': what changed, in words."""
    who = assignment.department.name if assignment.department else "everyone in the organisation"
    due = f", due by {govuk_date(assignment.due_on)}" if assignment.due_on else ""
    return f"{assignment.module.title} is assigned to {who}{due}."


@blueprint.route("/assignments/<int:assignment_id>/remove", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def remove_assignment(assignment_id: int):
    """GET asks 'Are you sure?'; POST removes the assignment (completions already earned are kept)."""
    assignment = db.session.get(Assignment, assignment_id) or abort(404)
    organisation = managed_organisation_or_404(db.session, current_user, assignment.organisation_id)
    back = url_for("admin.organisation", organisation_id=organisation.id)
    title, who = assignment.module.title, assignment.department.name if assignment.department else "everyone in the organisation"
    if request.method == "GET":
        return _confirm_page(f"Are you sure you want to remove the assignment of {title} for {who}?", "Remove assignment", back,
                             caption=organisation.name,
                             explain=(f"{title} will no longer be required of {who}. Completions people have already earned are kept.",))
    if not FlaskForm().validate_on_submit():
        abort(400)
    organisations.remove_assignment(db.session, assignment, current_user.id)
    flash(f"Assignment of {title} removed.", "success")
    return redirect(back)
