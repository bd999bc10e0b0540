"""Can trainers record face-to-face sessions that count beside e-learning, with completions for named attendees?"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lms.models import AuditEvent, Channel, Completion, Role, TrainingSession
from lms.services.delivery import SessionError, SessionRecord, record_session
from lms.services.periods import fy_quarter
from tests.builders import make_completion, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token
from tests.lms.reporting_builders import make_module, signed_in

DAY = dt.date(2025, 11, 20)


@pytest.fixture
def scene(session):
    partnership = make_partnership(session, "Home")
    council, police = make_organisation(session, partnership, "Council"), make_organisation(session, partnership, "Police")
    away = make_organisation(session, make_partnership(session, "Away"), "Away Council")
    trainer = make_user(session, council, Role.TRAINER, email="trainer@council.example")
    ana = make_user(session, council, email="ana@council.example")
    bob = make_user(session, police, email="bob@police.example")
    outsider = make_user(session, away, email="out@away.example")
    module = make_module(session, "Prevent awareness")
    session.commit()
    return {"council": council, "police": police, "away": away, "trainer": trainer, "ana": ana, "bob": bob, "outsider": outsider,
            "module": module, "allowed": {council.id: council, police.id: police}}


def record(scene, **changes) -> SessionRecord:
    values = {"module_id": scene["module"].id, "delivered_on": DAY, "venue": "Guildhall", "delivering_organisation_id": scene["council"].id,
              "audience": {scene["council"].id: 10, scene["police"].id: 2}, "attendee_emails": ["ANA@council.example", "bob@police.example"]}
    return SessionRecord(**{**values, **changes})


def test_do_named_attendees_get_a_face_to_face_completion(session, scene):
    make_completion(session, scene["ana"], scene["module"], dt.datetime(2023, 1, 5, 10))
    session.commit()
    training = record_session(session, scene["trainer"], scene["allowed"], record(scene), today=DAY)
    assert (training.attendee_count, training.fy_quarter) == (12, fy_quarter(DAY))
    assert {(a.organisation_id, a.attendee_count) for a in training.audience} == {(scene["council"].id, 10), (scene["police"].id, 2)}
    completions = session.scalars(select(Completion).where(Completion.session_id == training.id).order_by(Completion.user_id)).all()
    assert [(c.user_id, c.channel, c.sequence, c.fy_quarter) for c in completions] == [
        (scene["ana"].id, Channel.FACE_TO_FACE, 2, 20253), (scene["bob"].id, Channel.FACE_TO_FACE, 1, 20253)]
    assert all(c.verification_code and len(c.verification_code) == 12 for c in completions)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "session.recorded"))
    assert event.actor_id == scene["trainer"].id and event.detail["named"] == 2


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"delivered_on": DAY + dt.timedelta(days=1)}, "delivered_on", "today or in the past"),
    ({"delivered_on": None}, "delivered_on", "Enter the date"),
    ({"venue": "  "}, "venue", "Enter where"),
    ({"module_id": None}, "module", "Choose the module"),
    ({"audience": {}}, "audience", "at least one organisation"),
    ({"audience": {1: -3}}, "audience", "0 or more"),
    ({"delivering_organisation_id": -1}, "delivering_organisation", "Choose the organisation"),
    ({"audience": {"away": 5}}, "audience", "from the list"),
    ({"audience": {"council": 1}, "attendee_emails": ["ana@council.example", "trainer@council.example"]}, "attendees", "more named attendees"),
    ({"attendee_emails": ["out@away.example"]}, "attendees", "not among the people"),
    ({"attendee_emails": ["nobody@council.example"]}, "attendees", "not among the people"),
])
def test_is_a_wrong_session_refused_with_the_field_to_fix(session, scene, changes, field, message):
    if "audience" in changes:
        changes["audience"] = {(scene[k].id if isinstance(k, str) else k): n for k, n in changes["audience"].items()}
    with pytest.raises(SessionError) as refused:
        record_session(session, scene["trainer"], scene["allowed"], record(scene, **changes), today=DAY)
    assert message in refused.value.problems[field]
    assert session.scalar(select(TrainingSession.id)) is None and session.scalar(select(Completion.id)) is None


def test_can_a_trainer_record_a_session_through_the_form(app, session, scene):
    client = signed_in(app, scene["trainer"].email)
    page = client.get("/admin/sessions/new").get_data(as_text=True)
    assert "Away Council" not in page  # only the trainer's partnership
    form = {"csrf_token": csrf_token(page), "module": str(scene["module"].id), "delivered_on": "2025-11-20", "venue": "Guildhall",
            "delivering_organisation": str(scene["council"].id), f"audience-{scene['council'].id}": "7", "attendees": "ana@council.example\n"}
    assert client.post("/admin/sessions/new", data=form).status_code == 302
    training = session.scalar(select(TrainingSession))
    assert training.attendee_count == 7 and session.scalar(select(Completion.user_id)) == scene["ana"].id
    assert "Guildhall" in client.get("/admin/sessions").get_data(as_text=True)


def test_does_the_form_explain_bad_numbers_and_future_dates(app, session, scene):
    client = signed_in(app, scene["trainer"].email)
    page = client.get("/admin/sessions/new").get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "module": str(scene["module"].id), "delivered_on": "2999-01-01", "venue": "Guildhall",
            "delivering_organisation": str(scene["council"].id), f"audience-{scene['council'].id}": "seven"}
    answer = client.post("/admin/sessions/new", data=form).get_data(as_text=True)
    assert "whole numbers" in answer and 'value="seven"' in answer
    form[f"audience-{scene['council'].id}"] = "3"
    answer = client.post("/admin/sessions/new", data=form).get_data(as_text=True)
    assert "today or in the past" in answer and 'href="#delivered_on"' in answer
    assert session.scalar(select(TrainingSession.id)) is None
