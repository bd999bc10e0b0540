"""Erasure and the statements kept for an LRS: queued ones are re-pointed at the new pseudonym (in their
kept text) and still delivered to Ralph; copies Ralph already holds are counted, by LRS, for erasing there."""

from __future__ import annotations

import json

from sqlalchemy import select

from lms.models import AuditEvent, User, canonical_json
from lms.services import personal_data, xapi
from tests.builders import take_assessment
from tests.lms.xapi.xapi_builders import outbox, two_learners
from tests.lms.xapi.xapi_ralph import PASSWORD, USERNAME


def test_are_sent_copies_reported_and_queued_statements_delivered_without_the_person(app, session, version, ralph):
    app.config.update(XAPI_ENDPOINT=ralph.endpoint, XAPI_USERNAME=USERNAME, XAPI_PASSWORD=PASSWORD)
    _private, sharer = two_learners(session)  # their organisation shares emails: the actor is their mbox
    take_assessment(session, sharer, version, False)
    take_assessment(session, sharer, version, True)
    assert xapi.send_due(session, xapi.Lrs.from_config(app.config)).sent == 3
    take_assessment(session, sharer, version, False)  # queued, not sent yet
    exported = personal_data.export_personal_data(session, session.get(User, sharer.id), None)
    note = f"3 statements about this person were already sent to the LRS at {ralph.endpoint}; erase them there."
    assert exported["xapi_copies_held_by_an_lrs"] == [note] and len(exported["xapi_statements"]) == 4

    assert personal_data.erase_person(session, session.get(User, sharer.id), None, app.config["SITE_URL"]) == [note]
    erased = session.get(User, sharer.id)
    assert session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "user.erased"))["xapi_copies_held_by_an_lrs"] == [note]
    queued = outbox(session)[-1]
    assert "shared.learner@testville.example" not in queued.body and queued.body == canonical_json(json.loads(queued.body))
    assert xapi.send_due(session, xapi.Lrs.from_config(app.config)).sent == 1
    held = ralph.held_once()
    assert len(held) == 4
    assert held[queued.statement_id]["actor"] == {"objectType": "Agent", "account": {"homePage": app.config["SITE_URL"], "name": erased.public_id}}


def test_is_an_erasure_with_nothing_sent_silent_about_lrs_copies(app, session, version):
    learner, _ = two_learners(session)
    take_assessment(session, learner, version, True)
    assert personal_data.erase_person(session, session.get(User, learner.id), None, app.config["SITE_URL"]) == []
    assert all(r.sent_at is None for r in outbox(session))


def test_does_the_erase_command_tell_the_administrator_to_erase_the_lrs_copies(app, session, version, ralph):
    app.config.update(XAPI_ENDPOINT=ralph.endpoint, XAPI_USERNAME=USERNAME, XAPI_PASSWORD=PASSWORD)
    _private, sharer = two_learners(session)
    take_assessment(session, sharer, version, True)
    assert xapi.send_due(session, xapi.Lrs.from_config(app.config)).sent == 2
    email = sharer.email
    session.commit()
    result = app.test_cli_runner().invoke(args=["personal-data", "erase", "--email", email, "--yes"])
    assert result.exit_code == 0, result.output
    assert f"Still to do: 2 statements about this person were already sent to the LRS at {ralph.endpoint}; erase them there." in result.output
