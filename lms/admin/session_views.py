"""Face-to-face sessions: the list a trainer or admin sees, and recording a delivered session."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from lms.admin.forms import SessionForm
from lms.admin.views import _as_id, _module_choices, blueprint
from lms.db import db
from lms.models import Module
from lms.permissions import SESSION_ROLES, roles_required, session_organisations
from lms.services import delivery


def _audience_counts(form_data, organisation_ids: list[int]) -> tuple[dict[int, int], bool]:
    """Attendee numbers per organisation from the form; False when one is not a whole number."""
    counts, ok = {}, True
    for org_id in organisation_ids:
        text = form_data.get(f"audience-{org_id}", "").strip()
        if text:
            if text.lstrip("-").isdigit() and len(text) < 7:
                counts[org_id] = int(text)
            else:
                ok = False
    return counts, ok


@blueprint.route("/sessions")
@roles_required(*SESSION_ROLES)
def sessions():
    allowed = session_organisations(db.session, current_user)
    return render_template("admin/sessions.html", sessions=delivery.recent_sessions(db.session, [o.id for o in allowed]),
                           names={o.id: o.name for o in allowed}, modules=dict(db.session.execute(select(Module.id, Module.title)).all()))


@blueprint.route("/sessions/new", methods=["GET", "POST"])
@roles_required(*SESSION_ROLES)
def new_session():
    allowed = session_organisations(db.session, current_user)
    form = SessionForm()
    form.module.choices = _module_choices()
    form.delivering_organisation.choices = [("", "Choose an organisation")] + [(str(o.id), o.name) for o in allowed]
    if request.method == "GET":
        form.delivering_organisation.data = str(current_user.organisation_id)
    counts, counts_ok = _audience_counts(request.form, [o.id for o in allowed])
    audience_error = None
    if request.method == "POST":
        valid = form.validate_on_submit()
        if not counts_ok:
            audience_error = "Enter attendee numbers as whole numbers, like 12"
        elif valid:
            record = delivery.SessionRecord(int(form.module.data), form.delivered_on.data, form.venue.data,
                                            _as_id(form.delivering_organisation.data), counts, (form.attendees.data or "").splitlines())
            try:
                delivery.record_session(db.session, current_user, {o.id: o for o in allowed}, record)
                flash("Session recorded.", "success")
                return redirect(url_for("admin.sessions"))
            except delivery.SessionError as error:
                for name, message in error.problems.items():
                    if name == "audience":
                        audience_error = message
                    else:
                        getattr(form, name).errors.append(message)
    return render_template("admin/session_form.html", form=form, organisations=allowed, counts=request.form, audience_error=audience_error)
