"""Learners the failed-attempt limit holds back, and letting one of them try again sooner."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from authoring.assessment import AssessmentSettings
from lms import mail, training_mail
from lms.admin.views import blueprint
from lms.db import db
from lms.models import Module, User
from lms.parsing import parse_id
from lms.permissions import SESSION_ROLES, can_reset_attempts, retry_scope, roles_required
from lms.services import attempt_policy


@blueprint.route("/retries")
@roles_required(*SESSION_ROLES)
def retries():
    held = [h for h in attempt_policy.held_back(db.session, retry_scope(current_user)) if can_reset_attempts(current_user, h.person)]
    return render_template("admin/retries.html", held=held, defaults=AssessmentSettings())


@blueprint.route("/retries/reset", methods=["POST"])
@roles_required(*SESSION_ROLES)
def reset_retries():
    if not FlaskForm().validate_on_submit():
        abort(400)
    person_id, module_id = parse_id(request.form.get("person")), parse_id(request.form.get("module"))
    person = db.session.get(User, person_id) if person_id else None
    module = db.session.get(Module, module_id) if module_id else None
    if person is None or module is None:
        abort(400)
    if not can_reset_attempts(current_user, person):
        abort(404)  # another organisation's learner is 'not found'
    attempt_policy.reset(db.session, person, module.id, current_user.id)
    mail.send_soon(training_mail.retry_allowed(person, module, current_user))
    flash(f"{person.full_name} can try {module.title} again now. We have emailed them to say so.", "success")
    return redirect(url_for("admin.retries"))
