"""Join codes: creating one for an organisation, and revoking one after a confirmation page."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.admin.forms import JoinCodeForm
from lms.admin.views import _as_id, _confirm_page, _department_choices, _form_page, blueprint
from lms.db import db
from lms.models import JoinCode, utcnow
from lms.permissions import ADMIN_ROLES, managed_organisation_or_404, roles_required
from lms.services import organisations
from lms.services.organisations import AdminError


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


@blueprint.route("/join-codes/<int:code_id>/revoke", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def revoke_join_code(code_id: int):
    """GET asks 'Are you sure?'; POST revokes. A code already revoked or expired goes back to the organisation page."""
    code = db.session.get(JoinCode, code_id) or abort(404)
    organisation = managed_organisation_or_404(db.session, current_user, code.organisation_id)
    back = url_for("admin.organisation", organisation_id=organisation.id)
    if not code.is_usable(utcnow()):
        flash(f"Join code {code.code} cannot be used already: there is nothing to revoke.", "info")
        return redirect(back)
    if request.method == "GET":
        return _confirm_page(f"Are you sure you want to revoke join code {code.code}?", "Revoke join code", back, caption=organisation.name,
                             explain=("Nobody will be able to join with it. People who joined with it already stay in the organisation.",))
    if not FlaskForm().validate_on_submit():
        abort(400)
    organisations.revoke_join_code(db.session, code, current_user.id)
    flash(f"Join code {code.code} revoked: nobody can join with it now.", "success")
    return redirect(back)
