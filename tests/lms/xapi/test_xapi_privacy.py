"""Personal data in statements, against Ralph: a person's statements are theirs alone (not everyone whose
address ends like theirs), an erasure during a send says which LRS may hold the old text, and an LRS's
answer quoting a learner's address is kept and shown without it."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from lms.db import db, write_transaction
from lms.models import AuditEvent, User, XapiOutbox
from lms.services import personal_data, xapi
from tests.builders import make_organisation, make_partnership, make_user, take_assessment
from tests.lms.xapi.xapi_builders import outbox, two_learners
from tests.lms.xapi.xapi_ralph import PASSWORD, USERNAME, Ralph


def use(app, ralph: Ralph) -> xapi.Lrs:
    app.config.update(XAPI_ENDPOINT=ralph.endpoint, XAPI_USERNAME=USERNAME, XAPI_PASSWORD=PASSWORD)
    return xapi.Lrs.from_config(app.config)


def sharing_people(session, *emails: str) -> list[User]:
    """Learners of an organisation that shares addresses, so their statements name them by mbox."""
    organisation = make_organisation(session, make_partnership(session, "Safer Testville"), "Testville Police")
    organisation.xapi_shares_email = True
    people = [make_user(session, organisation, email=email) for email in emails]
    session.commit()
    return people


def test_are_only_jos_own_statements_found_and_erased_not_anjos(app, session, version, ralph):
    jo, anjo, upper = sharing_people(session, "jo@testville.example", "anjo@testville.example", "jo@testville.example.org")
    for person in (jo, anjo, upper):
        take_assessment(session, person, version, True)
    assert xapi.send_due(session, use(app, ralph)).sent == 6
    theirs = {r.id: r.body for r in outbox(session) if "mailto:jo@testville.example\"" not in r.body}

    exported = personal_data.export_personal_data(session, session.get(User, jo.id), None)
    assert len(exported["xapi_statements"]) == 2
    assert {s["statement"]["actor"]["mbox"] for s in exported["xapi_statements"]} == {"mailto:jo@testville.example"}
    assert exported["xapi_copies_held_by_an_lrs"] == [f"2 statements about this person were already sent to the LRS at {ralph.endpoint}; erase them there."]

    notes = personal_data.erase_person(session, session.get(User, jo.id), None, app.config["SITE_URL"])
    assert notes == exported["xapi_copies_held_by_an_lrs"]
    assert {r.id: r.body for r in outbox(session) if r.id in theirs} == theirs  # anjo's and the .org address untouched
    anjo_export = personal_data.export_personal_data(session, session.get(User, anjo.id), None)
    assert [s["statement"]["actor"]["mbox"] for s in anjo_export["xapi_statements"]] == ["mailto:anjo@testville.example"] * 2


def test_does_an_erasure_while_statements_are_in_flight_say_the_lrs_may_hold_them(app, session, version, ralph):
    _learner, sharer = two_learners(session)
    take_assessment(session, sharer, version, True)
    notes: list[str] = []

    def erased_meanwhile(lrs: xapi.Lrs, bodies: list[str]) -> xapi.Answer:
        notes.extend(personal_data.erase_person(db.session, db.session.get(User, sharer.id), None, app.config["SITE_URL"]))
        return xapi.post_statements(lrs, bodies)  # the text posted is the one from before the erasure

    assert xapi.send_due(session, use(app, ralph), post=erased_meanwhile).sent == 2
    assert notes == [f"2 statements about this person were being sent to the LRS at {ralph.endpoint} at the time, "
                     "so it may hold them as they were before: check there and erase them."]
    assert all(s["actor"] == {"objectType": "Agent", "mbox": "mailto:shared.learner@testville.example"} for s in ralph.held())  # it does
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "xapi.sent_before_erasure")).all()
    assert sorted(e.subject for e in events) == sorted(f"xapi:{r.statement_id}" for r in outbox(session))
    assert all(e.detail["sent_to"] == ralph.endpoint and "erase it there" in e.detail["note"] for e in events)
    assert all("shared.learner" not in r.body and r.sent_at is not None and r.sending_at is None for r in outbox(session))


def test_is_a_learners_address_quoted_by_ralphs_refusal_kept_and_shown_without_it(app, session, version, ralph, caplog):
    _learner, sharer = two_learners(session)
    take_assessment(session, sharer, version, False)
    row = outbox(session)[0]
    with write_transaction(session):  # a statement Ralph refuses (422), quoting it back, address and all
        session.get(XapiOutbox, row.id).body = row.body.replace('"actor":', '"agent":')
    caplog.set_level(logging.WARNING)
    report = xapi.send_due(session, use(app, ralph))
    assert report.dead == 1
    dead = outbox(session)[0]
    assert "HTTP 422" in dead.last_error and "[email address]" in dead.last_error and "shared.learner" not in dead.last_error
    status = app.test_cli_runner().invoke(args=["xapi", "status"]).output
    assert "HTTP 422" in status and "shared.learner" not in status
    assert "dead-lettered" in caplog.text and "shared.learner" not in caplog.text


@pytest.mark.parametrize(("answer", "kept"), [
    ('{"actor": {"mbox": "mailto:Ada.Lovelace+lrs@x.example"}}', '{"actor": {"mbox": "[email address]"}}'),
    ("ada@x.example and bob@y.co.uk", "[email address] and [email address]"),
    ("no address here @ all", "no address here @ all"),
])
def test_are_addresses_in_an_lrs_answer_replaced(answer, kept):
    assert xapi.redact(answer) == kept
