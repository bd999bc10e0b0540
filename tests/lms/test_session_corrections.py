"""Can a face-to-face session be corrected or withdrawn, with a reason, by the right people only, and do the
counts, standing, certificates and exports follow?"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import g
from sqlalchemy import select

from lms.models import AuditEvent, Completion, Role, TrainingSession
from lms.services.certificates import verify
from lms.services.delivery import (
    PAGE_SIZE,
    SessionCorrection,
    SessionError,
    SessionRecord,
    correct_session,
    record_session,
    withdraw_session,
)
from lms.services.periods import parse_period
from lms.services.reports import ReportScope, compliance_table, learners_table, training_counts
from lms.services.standing import latest_completion, training_status
from lms.services.xapi import Site, period_statements
from tests.builders import date_boxes, make_assignment, make_completion, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token
from tests.lms.reporting_builders import make_module, signed_in

DAY = dt.date(2025, 11, 20)  # 2025-26 Q3
TODAY = dt.date(2026, 3, 1)
NOW = dt.datetime(2026, 3, 1, 12)


@pytest.fixture
def scene(session):
    partnership = make_partnership(session, "Home")
    council, police = make_organisation(session, partnership, "Council"), make_organisation(session, partnership, "Police")
    people = {
        "trainer": make_user(session, council, Role.TRAINER, email="trainer@council.example"),
        "other_trainer": make_user(session, council, Role.TRAINER, email="other.trainer@council.example"),
        "council_admin": make_user(session, council, Role.ORG_ADMIN, email="admin@council.example"),
        "police_admin": make_user(session, police, Role.ORG_ADMIN, email="admin@police.example"),
        "site_admin": make_user(session, make_organisation(session, make_partnership(session, "Away")), Role.SITE_ADMIN,
                                email="site@away.example"),
        "ana": make_user(session, council, email="ana@council.example"),
        "bob": make_user(session, police, email="bob@police.example"),
    }
    module = make_module(session, "Prevent awareness")
    module.current_version.published_at = dt.datetime(2025, 4, 1)
    make_assignment(session, module, council)
    earlier = make_completion(session, people["ana"], module, dt.datetime(2025, 5, 5, 10))
    session.commit()
    allowed = {council.id: council, police.id: police}
    training = record_session(session, people["trainer"], allowed, SessionRecord(
        module.id, DAY, "Guildhall", council.id, {council.id: 10, police.id: 2}, ["ana@council.example", "bob@police.example"]), today=TODAY)
    return {**people, "council": council, "police": police, "module": module, "allowed": allowed, "training": training, "earlier": earlier}


def client_of(app, email: str):
    """A signed-in client; the user and CSRF token cached in `g` are dropped first, as the test's app context outlives requests."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    return signed_in(app, email)


def q3_counts(session) -> dict[tuple[str, str], tuple[int, int]]:
    return {(r.organisation, r.channel): (r.sessions_delivered, r.people_trained)
            for r in training_counts(session, parse_period("2025-26-Q3"))}


def attendance(session, scene, name: str) -> Completion:
    return session.scalar(select(Completion).where(Completion.session_id == scene["training"].id, Completion.user_id == scene[name].id))


def correction(scene, **changes) -> SessionCorrection:
    values = {"delivered_on": DAY, "venue": "Guildhall", "audience": {scene["council"].id: 10, scene["police"].id: 2},
              "reason": "Typed the wrong numbers"}
    return SessionCorrection(**{**values, **changes})


def test_does_a_corrected_date_move_the_completions_and_the_counts_to_the_new_quarter(session, scene):
    assert q3_counts(session)[("Council", "face-to-face")] == (1, 10)
    correct_session(session, scene["trainer"], scene["training"].id, scene["allowed"],
                    correction(scene, delivered_on=dt.date(2026, 1, 15), venue="Town hall", reason="Wrong date on the register"), TODAY)
    assert ("Council", "face-to-face") not in q3_counts(session)
    q4 = {(r.organisation, r.channel): r.people_trained for r in training_counts(session, parse_period("2025-26-Q4"))}
    assert q4[("Council", "face-to-face")] == 10 and q4[("Police", "face-to-face")] == 2
    ana = attendance(session, scene, "ana")
    assert (ana.completed_at, ana.fy_quarter) == (dt.datetime(2026, 1, 15, 12), 20254)
    training = session.get(TrainingSession, scene["training"].id)
    assert training.fy_quarter == 20254 and training.venue == "Town hall" and training.corrected_at is not None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "session.corrected"))
    assert event.actor_id == scene["trainer"].id and event.detail["reason"] == "Wrong date on the register"
    assert event.detail["before"]["delivered_on"] == "2025-11-20" and event.detail["after"]["delivered_on"] == "2026-01-15"
    assert event.detail["before"]["venue"] == "Guildhall" and event.detail["after"]["venue"] == "Town hall"
    assert event.detail["completions_moved"] == 2


def test_do_corrected_numbers_change_the_counts_and_keep_the_audit_trail(session, scene):
    council, police = scene["council"].id, scene["police"].id
    correct_session(session, scene["council_admin"], scene["training"].id, scene["allowed"],
                    correction(scene, audience={council: 12, police: 1}), TODAY)
    counts = q3_counts(session)
    assert counts[("Council", "face-to-face")] == (1, 12) and counts[("Police", "face-to-face")] == (1, 1)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "session.corrected"))
    assert event.detail["before"]["audience"] == {str(council): 10, str(police): 2}
    assert event.detail["after"]["audience"] == {str(council): 12, str(police): 1}
    assert session.get(TrainingSession, scene["training"].id).attendee_count == 13


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"reason": "  "}, "reason", "Enter why you are correcting"),
    ({"reason": "x" * 501}, "reason", "500 characters or fewer"),
    ({"delivered_on": dt.date(2026, 3, 2)}, "delivered_on", "today or in the past"),
    ({"delivered_on": dt.date(2025, 3, 31)}, "delivered_on", "on or after 1 April 2025"),
    ({"delivered_on": None}, "delivered_on", "Enter the date"),
    ({"venue": ""}, "venue", "Enter where"),
    ({"audience": {"council": 10}}, "audience", "1 named attendee is from Police: the number from it cannot be fewer"),
    ({"audience": {"council": 10, "police": 0}}, "audience", "1 named attendee is from Police"),
    ({"audience": {"council": 6000, "police": 2}}, "audience", "No more than 5,000"),
    ({"audience": {"council": -1, "police": 2}}, "audience", "0 or more"),
    ({}, "delivered_on", "Nothing has changed"),
])
def test_is_a_wrong_correction_refused_with_the_field_to_fix(session, scene, changes, field, message):
    if "audience" in changes:
        changes["audience"] = {scene[k].id: n for k, n in changes["audience"].items()}
    with pytest.raises(SessionError) as refused:
        correct_session(session, scene["trainer"], scene["training"].id, scene["allowed"], correction(scene, **changes), TODAY)
    assert message in refused.value.problems[field]
    training = session.get(TrainingSession, scene["training"].id)
    assert (training.delivered_on, training.venue, training.attendee_count, training.corrected_at) == (DAY, "Guildhall", 12, None)
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "session.corrected")) is None


def test_does_a_large_corrected_number_ask_for_confirmation_but_an_unchanged_one_not_again(session, scene):
    council, police = scene["council"].id, scene["police"].id
    with pytest.raises(SessionError) as asked:
        correct_session(session, scene["trainer"], scene["training"].id, scene["allowed"], correction(scene, audience={council: 300, police: 2}), TODAY)
    assert list(asked.value.problems) == [f"confirm-{council}"]
    correct_session(session, scene["trainer"], scene["training"].id, scene["allowed"],
                    correction(scene, audience={council: 300, police: 2}, confirmed={council: 300}), TODAY)
    correct_session(session, scene["trainer"], scene["training"].id, scene["allowed"],
                    correction(scene, audience={council: 300, police: 2}, venue="Town hall", reason="Venue was wrong"), TODAY)
    assert session.get(TrainingSession, scene["training"].id).venue == "Town hall"


def police_compliance(session) -> tuple[int, int]:
    """(in date, never) for the police's assignment."""
    row = next(r for r in compliance_table(session, ReportScope(""), NOW).rows if r[0] == "Police")
    return row[6], row[9]


def test_does_a_withdrawn_session_leave_the_counts_and_its_completions_stop_counting(session, scene):
    make_assignment(session, scene["module"], scene["police"])
    session.commit()
    assert police_compliance(session) == (1, 1)  # bob from the session; the police admin never
    ana_code = attendance(session, scene, "ana").verification_code
    assert latest_completion(session, scene["ana"].id, scene["module"].id).session_id == scene["training"].id
    withdraw_session(session, scene["council_admin"], scene["training"].id, "Session never took place")
    counts = q3_counts(session)
    assert ("Council", "face-to-face") not in counts and ("Police", "face-to-face") not in counts
    assert all(c.withdrawn_at is not None for c in session.scalars(select(Completion).where(Completion.session_id == scene["training"].id)))
    assert latest_completion(session, scene["ana"].id, scene["module"].id).id == scene["earlier"].id  # back to the e-learning pass
    assert latest_completion(session, scene["bob"].id, scene["module"].id) is None
    bob_status = next(s for s in training_status(session, scene["bob"], NOW) if s.module.id == scene["module"].id)
    assert bob_status.status == "not started" and bob_status.completion is None
    assert verify(session, ana_code) is None
    assert police_compliance(session) == (0, 2)  # bob's only completion was the withdrawn session
    learners = learners_table(session, ReportScope("", organisation_id=scene["council"].id), NOW)
    ana_row = next(r for r in learners.rows if r[1] == "ana@council.example")
    assert ana_row[6] == dt.date(2025, 5, 5)  # completed on: the e-learning pass, not the withdrawn session
    training = session.get(TrainingSession, scene["training"].id)
    assert training.withdrawal_reason == "Session never took place" and training.withdrawn_by_id == scene["council_admin"].id
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "session.withdrawn"))
    assert event.actor_id == scene["council_admin"].id and event.detail["reason"] == "Session never took place"
    assert event.detail["completions_withdrawn"] == 2 and event.detail["before"]["venue"] == "Guildhall"


def test_is_a_withdrawal_without_a_reason_refused_and_a_withdrawn_session_final(session, scene):
    with pytest.raises(SessionError) as refused:
        withdraw_session(session, scene["trainer"], scene["training"].id, "   ")
    assert refused.value.problems == {"reason": "Enter why you are withdrawing the session"}
    assert session.get(TrainingSession, scene["training"].id).withdrawn_at is None
    withdraw_session(session, scene["trainer"], scene["training"].id, "Duplicate of another record")
    for attempt in (lambda: withdraw_session(session, scene["trainer"], scene["training"].id, "Again"),
                    lambda: correct_session(session, scene["trainer"], scene["training"].id, scene["allowed"],
                                            correction(scene, venue="Elsewhere"), TODAY)):
        with pytest.raises(SessionError) as final:
            attempt()
        assert "has been withdrawn" in final.value.problems["reason"]
    assert len(session.scalars(select(AuditEvent).where(AuditEvent.action == "session.withdrawn")).all()) == 1


def test_does_the_xapi_export_leave_out_a_withdrawn_sessions_completions(app, session, scene):
    site = Site.from_config(app.config)
    period = parse_period("2025-26-Q3")
    before = [s for s in period_statements(session, period, site) if s["verb"]["id"].endswith("completed")]
    withdraw_session(session, scene["trainer"], scene["training"].id, "Session never took place")
    after = [s for s in period_statements(session, period, site) if s["verb"]["id"].endswith("completed")]
    assert len(before) == 2 and after == []


def test_does_the_counts_export_drop_a_session_withdrawn_through_the_page(app, session, scene):
    lead = make_user(session, scene["council"], Role.PARTNERSHIP_LEAD, email="lead@council.example")
    session.commit()
    export = client_of(app, lead.email).get("/reports/export/counts.csv?period=2025-26-Q3").get_data(as_text=True)
    assert "face-to-face,1,10" in export
    client = client_of(app, scene["trainer"].email)
    page = client.get(f"/admin/sessions/{scene['training'].id}/withdraw").get_data(as_text=True)
    assert "2 named attendees" in page
    done = client.post(f"/admin/sessions/{scene['training'].id}/withdraw", data={"csrf_token": csrf_token(page), "reason": "Never took place"})
    assert done.status_code == 302
    listing = client.get("/admin/sessions").get_data(as_text=True)
    assert "Withdrawn" in listing and "Never took place" in listing and "/withdraw" not in listing
    export = client_of(app, lead.email).get("/reports/export/counts.csv?period=2025-26-Q3").get_data(as_text=True)
    assert "face-to-face" not in export


def test_can_a_trainer_correct_through_the_page_with_errors_explained(app, session, scene):
    client = client_of(app, scene["trainer"].email)
    url = f"/admin/sessions/{scene['training'].id}/correct"
    page = client.get(url).get_data(as_text=True)
    council, police = scene["council"].id, scene["police"].id
    assert all(f'value="{box}"' in page for box in ("20", "11", "2025")) and 'value="Guildhall"' in page and f'id="audience-{council}"' in page
    form = {"csrf_token": csrf_token(page), **date_boxes("delivered_on", "2025-12-01"), "venue": "Guildhall", f"audience-{council}": "11",
            f"audience-{police}": "2", "reason": ""}
    refused = client.post(url, data=form).get_data(as_text=True)
    assert 'href="#reason"' in refused and "Enter why you are correcting the session" in refused and 'value="11"' in refused
    form[f"audience-{police}"] = "none"
    assert "whole numbers" in client.post(url, data={**form, "reason": "Typo"}).get_data(as_text=True)
    form[f"audience-{police}"] = "2"
    assert client.post(url, data={**form, "reason": "Typo in the date"}).status_code == 302
    assert session.get(TrainingSession, scene["training"].id).delivered_on == dt.date(2025, 12, 1)
    assert "Counted (corrected)" in client.get("/admin/sessions").get_data(as_text=True)


@pytest.mark.parametrize(("who", "may"), [
    ("trainer", True), ("council_admin", True), ("site_admin", True), ("other_trainer", False), ("police_admin", False),
])
def test_may_only_the_recorder_and_the_admins_change_a_session(app, session, scene, who, may):
    client = client_of(app, scene[who].email)
    listing = client.get("/admin/sessions").get_data(as_text=True)
    assert "Guildhall" in listing  # everyone here sees it: the police admin because Police was in the audience
    assert (f"/admin/sessions/{scene['training'].id}/correct" in listing) is may
    for action in ("correct", "withdraw"):
        url = f"/admin/sessions/{scene['training'].id}/{action}"
        page = client.get(url)
        assert page.status_code == (200 if may else 404)
        if not may:
            token = csrf_token(client.get("/admin/sessions/new").get_data(as_text=True))
            assert client.post(url, data={"csrf_token": token, "reason": "Because", "venue": "X", **date_boxes("delivered_on", "2025-11-21"),
                                          f"audience-{scene['council'].id}": "10", f"audience-{scene['police'].id}": "2"}).status_code == 404
    training = session.get(TrainingSession, scene["training"].id)
    assert training.withdrawn_at is None and training.corrected_at is None


def test_does_an_organisation_admin_see_only_the_sessions_of_their_organisation(app, session, scene):
    elsewhere = make_organisation(session, scene["council"].partnership, "Fire")
    trainer = scene["trainer"]
    record_session(session, trainer, {elsewhere.id: elsewhere, **scene["allowed"]}, SessionRecord(
        scene["module"].id, DAY, "Fire station", elsewhere.id, {elsewhere.id: 4}), today=TODAY)
    police_view = client_of(app, scene["police_admin"].email).get("/admin/sessions").get_data(as_text=True)
    assert "Guildhall" in police_view and "Fire station" not in police_view
    trainer_view = client_of(app, trainer.email).get("/admin/sessions").get_data(as_text=True)
    assert "Guildhall" in trainer_view and "Fire station" in trainer_view


def test_can_a_flood_of_newer_or_withdrawn_sessions_not_hide_an_inflated_one_from_the_audience_organisation(app, session, scene):
    """A trainer who records 50 small sessions (and withdraws them) after an inflated one has pushed it off
    page one, but the police admin can still page to it: every session credited to them stays reachable."""
    trainer, police = scene["trainer"], scene["police"]
    for number in range(PAGE_SIZE):
        small = record_session(session, trainer, scene["allowed"], SessionRecord(
            scene["module"].id, TODAY, f"Room {number}", scene["council"].id, {police.id: 1}), today=TODAY)
        withdraw_session(session, trainer, small.id, "recorded by mistake")
    viewer = client_of(app, scene["police_admin"].email)
    first = viewer.get("/admin/sessions").get_data(as_text=True)
    assert "Guildhall" not in first and 'href="/admin/sessions?page=2"' in first
    second = viewer.get("/admin/sessions?page=2").get_data(as_text=True)
    assert "Guildhall" in second and f">{scene['training'].id}<" in second, "the inflated session, with its reference"
    assert viewer.get("/admin/sessions?page=%D9%A2").status_code == 200  # a hostile page number shows page one
