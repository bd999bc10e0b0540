"""Can trainers record face-to-face sessions that count beside e-learning, with completions for named attendees?"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from lms.models import AuditEvent, Channel, Completion, ModuleVersion, Role, TrainingSession
from lms.services.delivery import SessionError, SessionRecord, first_published_on, record_session
from lms.services.demo import seed_demo
from lms.services.periods import UK, fy_quarter
from tests.builders import date_boxes, make_completion, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token
from tests.lms.reporting_builders import make_module, signed_in

DAY = dt.date(2025, 11, 20)
FIRST_PUBLISHED = dt.datetime(2025, 6, 30, 23, 30)  # naive UTC: 1 July 2025 in UK time (BST)


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
    module.current_version.published_at = FIRST_PUBLISHED
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
    form = {"csrf_token": csrf_token(page), "module": str(scene["module"].id), **date_boxes("delivered_on", "2025-11-20"), "venue": "Guildhall",
            "delivering_organisation": str(scene["council"].id), f"audience-{scene['council'].id}": "7", "attendees": "ana@council.example\n"}
    assert client.post("/admin/sessions/new", data=form).status_code == 302
    training = session.scalar(select(TrainingSession))
    assert training.attendee_count == 7 and session.scalar(select(Completion.user_id)) == scene["ana"].id
    assert "Guildhall" in client.get("/admin/sessions").get_data(as_text=True)


def test_does_the_form_explain_bad_numbers_and_future_dates(app, session, scene):
    client = signed_in(app, scene["trainer"].email)
    page = client.get("/admin/sessions/new").get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "module": str(scene["module"].id), **date_boxes("delivered_on", (dt.date.today() + dt.timedelta(days=30)).isoformat()), "venue": "Guildhall",
            "delivering_organisation": str(scene["council"].id), f"audience-{scene['council'].id}": "seven"}
    answer = client.post("/admin/sessions/new", data=form).get_data(as_text=True)
    assert "whole numbers" in answer and 'value="seven"' in answer
    form[f"audience-{scene['council'].id}"] = "3"
    answer = client.post("/admin/sessions/new", data=form).get_data(as_text=True)
    assert "today or in the past" in answer and 'href="#delivered_on-day"' in answer
    assert session.scalar(select(TrainingSession.id)) is None


@pytest.mark.parametrize(("day", "refused"), [
    (dt.date(2025, 6, 30), True),  # the UTC day of first publication, but 1 July in the UK
    (dt.date(2024, 1, 1), True),
    (dt.date(2025, 7, 1), False),
    (DAY, False),
])
def test_is_a_session_before_the_modules_first_publication_refused(session, scene, day, refused):
    if refused:
        with pytest.raises(SessionError) as error:
            record_session(session, scene["trainer"], scene["allowed"], record(scene, delivered_on=day), today=DAY)
        assert error.value.problems["delivered_on"] == "Date delivered must be on or after 1 July 2025, when the module was first published"
        assert session.scalar(select(TrainingSession.id)) is None
    else:
        assert record_session(session, scene["trainer"], scene["allowed"], record(scene, delivered_on=day), today=DAY).delivered_on == day


def test_does_a_later_version_not_move_the_first_publication(session, scene):
    later = ModuleVersion(module_id=scene["module"].id, content_hash="f" * 64, number=2, title="Prevent awareness", settings={},
                          questions=[], answer_key={}, page_count=1, pass_mark=80, refresher_months=24, estimated_minutes=10,
                          published_at=dt.datetime(2025, 11, 1))
    session.add(later)
    session.flush()
    scene["module"].current_version_id = later.id
    session.commit()
    training = record_session(session, scene["trainer"], scene["allowed"], record(scene, delivered_on=dt.date(2025, 8, 1)), today=DAY)
    assert training.delivered_on == dt.date(2025, 8, 1)


@pytest.mark.parametrize(("number", "confirmed", "outcome"), [
    (200, {}, "recorded"),
    (201, {}, "asks"),
    (250, {"council": 249}, "asks"),  # a confirmation is of one number: change the number and it is asked again
    (250, {"council": 250}, "recorded"),
    (5000, {"council": 5000}, "recorded"),
    (5001, {"council": 5001}, "refused"),
    (999999, {}, "refused"),
])
def test_is_a_large_audience_confirmed_and_an_absurd_one_refused(session, scene, number, confirmed, outcome):
    council = scene["council"].id
    attempt = record(scene, audience={council: number}, attendee_emails=[], confirmed={scene[k].id: n for k, n in confirmed.items()})
    if outcome == "recorded":
        training = record_session(session, scene["trainer"], scene["allowed"], attempt, today=DAY)
        assert training.attendee_count == number
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "session.recorded"))
        assert event.detail["confirmed"] == ({str(council): number} if number > 200 else {})
        return
    with pytest.raises(SessionError) as error:
        record_session(session, scene["trainer"], scene["allowed"], attempt, today=DAY)
    if outcome == "asks":
        assert error.value.problems == {f"confirm-{council}": f"{number:,} people from Council is more than 200: "
                                        "check the number, and confirm it if it is right"}
    else:
        assert "No more than 5,000 people" in error.value.problems["audience"]
    assert session.scalar(select(TrainingSession.id)) is None


@pytest.mark.parametrize(("changes", "message"), [
    ({"audience": {"police": 3}, "attendee_emails": ["ana@council.example"]}, "ana@council.example is not among the people"),
    ({"audience": {"council": 3}, "attendee_emails": ["bob@police.example"]}, "bob@police.example is not among the people"),
    ({"attendee_emails": ["gone@council.example"]}, "gone@council.example is not among the people"),
])
def test_must_named_attendees_be_active_people_of_an_audience_organisation(session, scene, changes, message):
    gone = make_user(session, scene["council"], email="gone@council.example")
    gone.active = False
    session.commit()
    changes["audience"] = {scene[k].id: n for k, n in changes["audience"].items()} if "audience" in changes else record(scene).audience
    with pytest.raises(SessionError) as refused:
        record_session(session, scene["trainer"], scene["allowed"], record(scene, **changes), today=DAY)
    assert refused.value.problems["attendees"].startswith(message)
    assert session.scalar(select(Completion.id)) is None


def test_does_the_form_ask_to_confirm_a_large_number_and_keep_everything_typed(app, session, scene):
    client = signed_in(app, scene["trainer"].email)
    council = scene["council"].id
    form = {"csrf_token": csrf_token(client.get("/admin/sessions/new").get_data(as_text=True)), "module": str(scene["module"].id),
            **date_boxes("delivered_on", "2025-11-20"), "venue": "Guildhall", "delivering_organisation": str(council), f"audience-{council}": "250",
            "attendees": "ana@council.example"}
    asked = client.post("/admin/sessions/new", data=form)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and session.scalar(select(TrainingSession.id)) is None
    assert f'href="#confirm-{council}"' in page and "250 people from Council is more than 200" in page
    assert f'name="confirm-{council}" type="checkbox" value="250"' in page and "Yes, 250 people attended from Council" in page
    assert 'value="Guildhall"' in page and "ana@council.example</textarea>" in page and 'value="250"' in page
    confirmed = client.post("/admin/sessions/new", data={**form, f"confirm-{council}": "250"})
    assert confirmed.status_code == 302
    assert session.scalar(select(TrainingSession.attendee_count)) == 250


def test_does_the_form_refuse_a_date_before_publication_on_the_date_field(app, session, scene):
    client = signed_in(app, scene["trainer"].email)
    council = scene["council"].id
    form = {"csrf_token": csrf_token(client.get("/admin/sessions/new").get_data(as_text=True)), "module": str(scene["module"].id),
            **date_boxes("delivered_on", "2025-03-01"), "venue": "Guildhall", "delivering_organisation": str(council), f"audience-{council}": "5"}
    page = client.post("/admin/sessions/new", data=form).get_data(as_text=True)
    assert 'href="#delivered_on-day"' in page and "on or after 1 July 2025, when the module was first published" in page
    assert session.scalar(select(TrainingSession.id)) is None


def test_are_demo_sessions_valid_under_the_date_rule(session):
    for title in ("Hate crime", "Prevent"):
        make_module(session, title)
    session.commit()
    seed_demo(session)
    sessions = session.scalars(select(TrainingSession)).all()
    assert sessions
    today = dt.datetime.now(UK).date()
    assert all(first_published_on(session, s.module_id) <= s.delivered_on <= today for s in sessions)


def test_is_the_same_session_recorded_twice_caught_unless_the_trainer_says_it_is_another(session, scene):
    trainer, allowed = scene["trainer"], scene["allowed"]
    first = record_session(session, trainer, allowed, record(scene, attendee_emails=[]), today=DAY)
    with pytest.raises(SessionError) as caught:
        record_session(session, trainer, allowed, record(scene, attendee_emails=[], venue=" guildhall "), today=DAY)
    assert f"reference {first.id}" in caught.value.problems["not_duplicate"]
    assert record_session(session, trainer, allowed, record(scene, attendee_emails=[], venue="Town Hall"), today=DAY).id
    second = record_session(session, trainer, allowed, record(scene, attendee_emails=[], not_duplicate=True), today=DAY)
    assert second.id != first.id and session.scalar(select(func.count(TrainingSession.id))) == 3


def test_does_the_form_ask_whether_a_repeated_session_is_another_and_keep_what_was_typed(app, session, scene):
    client = signed_in(app, scene["trainer"].email)
    page = client.get("/admin/sessions/new").get_data(as_text=True)
    assert "different session" not in page
    form = {"csrf_token": csrf_token(page), "module": str(scene["module"].id), **date_boxes("delivered_on", "2025-11-20"), "venue": "Guildhall",
            "delivering_organisation": str(scene["council"].id), f"audience-{scene['council'].id}": "7"}
    assert client.post("/admin/sessions/new", data=form).status_code == 302
    again = client.post("/admin/sessions/new", data=form).get_data(as_text=True)
    assert 'href="#not_duplicate"' in again and "looks like one already recorded" in again and 'value="Guildhall"' in again
    assert session.scalar(select(func.count(TrainingSession.id))) == 1
    assert client.post("/admin/sessions/new", data={**form, "not_duplicate": "y"}).status_code == 302
    assert session.scalar(select(func.count(TrainingSession.id))) == 2
