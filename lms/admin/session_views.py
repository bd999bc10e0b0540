"""Face-to-face sessions: the list a trainer or admin sees, recording a delivered session, and correcting
or withdrawing one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.admin.forms import SessionCorrectionForm, SessionForm, SessionWithdrawalForm
from lms.admin.views import _as_id, _module_choices, blueprint
from lms.db import db
from lms.models import Module, Organisation, TrainingSession, User
from lms.parsing import parse_id
from lms.permissions import (
    SESSION_ROLES,
    can_change_session,
    roles_required,
    session_areas,
    session_list_organisations,
    session_organisations,
)
from lms.services import delivery
from lms.services.localities import locality_of


def _audience_counts(form_data, organisation_ids: list[int]) -> tuple[dict[int, int], bool]:
    """Attendee numbers per organisation from the form; False when one is not a whole number."""
    counts, ok = {}, True
    for org_id in organisation_ids:
        text = form_data.get(f"audience-{org_id}", "").strip()
        if text:
            number = parse_id(text.removeprefix("-"), maximum=999_999)
            if number is not None:
                counts[org_id] = -number if text.startswith("-") else number
            else:
                ok = False
    return counts, ok


def _confirmed(form_data, organisation_ids: list[int]) -> dict[int, int]:
    """The large numbers the trainer ticked 'Yes, N people attended' for, by organisation."""
    ticked = {org_id: form_data.get(f"confirm-{org_id}", "") for org_id in organisation_ids}
    numbers = {org_id: parse_id(text, maximum=999_999) for org_id, text in ticked.items()}
    return {org_id: number for org_id, number in numbers.items() if number is not None}


def _show_problems(form: FlaskForm, error: delivery.SessionError) -> tuple[str | None, dict[int, str]]:
    """Put each problem on its field; the audience message and the numbers to confirm go back to the fieldset."""
    audience_error, confirm = None, {}
    for name, message in error.problems.items():
        if name == "audience":
            audience_error = message
        elif name.startswith("confirm-"):
            confirm[int(name.removeprefix("confirm-"))] = message
        elif name in form:
            form[name].errors.append(message)
    return audience_error, confirm


@blueprint.route("/sessions")
@roles_required(*SESSION_ROLES)
def sessions():
    """The sessions a person may see, withdrawn ones marked, with links to change those they may change."""
    page = parse_id(request.args.get("page", "1"), maximum=100_000) or 1
    items, more = delivery.recent_sessions(db.session, session_list_organisations(db.session, current_user), page)
    org_ids = {s.delivering_organisation_id for s in items} | {a.organisation_id for s in items for a in s.audience}
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids or {-1}))).all())
    return render_template("admin/sessions.html", sessions=items, names=names, can_change=can_change_session, page=page, more=more,
                           modules=dict(db.session.execute(select(Module.id, Module.title)).all()))


def _ask_area(form: SessionForm) -> int | None:
    """Offer the partnership areas the recorder may record for, their own locality first chosen; with only one
    possible the question goes and the session is for that one."""
    possible = session_areas(db.session, current_user)
    if len(possible) <= 1:
        del form.area
        return possible[0].id if possible else None
    form.area.choices = [(str(p.id), p.name) for p in possible]
    if request.method == "GET":
        form.area.data = str(locality_of(current_user))
    return None


@blueprint.route("/sessions/new", methods=["GET", "POST"])
@roles_required(*SESSION_ROLES)
def new_session():
    allowed = session_organisations(db.session, current_user)
    form = SessionForm()
    form.module.choices = _module_choices()
    form.delivering_organisation.choices = [("", "Choose an organisation")] + [(str(o.id), o.name) for o in allowed]
    if request.method == "GET":
        form.delivering_organisation.data = str(current_user.organisation_id)
    area = _ask_area(form)
    ids = [o.id for o in allowed]
    counts, counts_ok = _audience_counts(request.form, ids)
    audience_error, confirm = None, {}
    if request.method == "POST":
        valid = form.validate_on_submit()
        if not counts_ok:
            audience_error = "Enter attendee numbers as whole numbers, like 12"
        elif valid:
            record = delivery.SessionRecord(int(form.module.data), form.delivered_on.data, form.venue.data,
                                            _as_id(form.delivering_organisation.data), counts, (form.attendees.data or "").splitlines(),
                                            _confirmed(request.form, ids), form.not_duplicate.data,
                                            area_id=_as_id(form.area.data) if "area" in form else area)
            try:
                delivery.record_session(db.session, current_user, {o.id: o for o in allowed}, record)
                flash("Session recorded.", "success")
                return redirect(url_for("admin.sessions"))
            except delivery.SessionError as error:
                audience_error, confirm = _show_problems(form, error)
    return render_template("admin/session_form.html", form=form, organisations=allowed, counts=request.form,
                           audience_error=audience_error, confirm=confirm)


def _changeable_session_or_404(session_id: int) -> TrainingSession:
    """A session the signed-in person may correct or withdraw; any other id is 'not found'."""
    training = db.session.get(TrainingSession, session_id)
    if training is None or not can_change_session(current_user, training):
        abort(404)
    return training


def _summary(training: TrainingSession) -> dict:
    """What the correct and withdraw pages say about the session, by name."""
    ids = {training.delivering_organisation_id} | {a.organisation_id for a in training.audience}
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())
    trainer = db.session.get(User, training.trainer_id) if training.trainer_id else None
    return {"training": training, "module": db.session.get(Module, training.module_id).title, "names": names,
            "trainer": trainer.full_name if trainer else "", "named": delivery.named_attendee_count(db.session, training.id)}


@blueprint.route("/sessions/<int:session_id>/correct", methods=["GET", "POST"])
@roles_required(*SESSION_ROLES)
def correct_session(session_id: int):
    """Fix a session's date, venue or numbers, saying why: the counts must match what happened."""
    training = _changeable_session_or_404(session_id)
    audience_ids = {a.organisation_id for a in training.audience}
    organisations = sorted({o.id: o for o in [*session_organisations(db.session, current_user), *db.session.scalars(
        select(Organisation).where(Organisation.id.in_(audience_ids)))]}.values(), key=lambda o: o.name)
    form = SessionCorrectionForm()
    counts = request.form if request.method == "POST" else MultiDict(
        {f"audience-{a.organisation_id}": str(a.attendee_count) for a in training.audience})
    if request.method == "GET":
        form.delivered_on.data, form.venue.data = training.delivered_on, training.venue
    ids = [o.id for o in organisations]
    numbers, numbers_ok = _audience_counts(request.form, ids)
    audience_error, confirm = None, {}
    if request.method == "POST":
        valid = form.validate_on_submit()
        if not numbers_ok:
            audience_error = "Enter attendee numbers as whole numbers, like 12"
        elif valid:
            correction = delivery.SessionCorrection(form.delivered_on.data, form.venue.data, numbers, form.reason.data,
                                                    _confirmed(request.form, ids))
            try:
                delivery.correct_session(db.session, current_user, training.id, {o.id: o for o in organisations}, correction)
                flash("Session corrected.", "success")
                return redirect(url_for("admin.sessions"))
            except delivery.SessionError as error:
                audience_error, confirm = _show_problems(form, error)
    return render_template("admin/session_correct.html", form=form, organisations=organisations, counts=counts,
                           audience_error=audience_error, confirm=confirm, **_summary(training))


@blueprint.route("/sessions/<int:session_id>/withdraw", methods=["GET", "POST"])
@roles_required(*SESSION_ROLES)
def withdraw_session(session_id: int):
    """Take a session that should not count out of every count, saying why."""
    training = _changeable_session_or_404(session_id)
    form = SessionWithdrawalForm()
    if form.validate_on_submit():
        try:
            delivery.withdraw_session(db.session, current_user, training.id, form.reason.data)
            flash("Session withdrawn. It no longer counts, and nor do its attendees' completions.", "success")
            return redirect(url_for("admin.sessions"))
        except delivery.SessionError as error:
            _show_problems(form, error)
    return render_template("admin/session_withdraw.html", form=form, **_summary(training))
