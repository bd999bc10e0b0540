"""Subject access and erasure: a person gets all their data and no one else's; erasing them leaves no
name or email behind while the counts for past periods stay exactly as they were."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from authoring import build
from lms.models import (
    AuditEvent,
    Channel,
    Completion,
    Module,
    ModuleVersion,
    Notice,
    NoticePreference,
    RememberToken,
    SignInThrottle,
    User,
    XapiOutbox,
    utcnow,
)
from lms.services.account_sessions import issue_remember_token, user_for_remember_token
from lms.services.accounts import authenticate
from lms.services.audit import record_event
from lms.services.periods import current_period, fy_quarter, parse_period
from lms.services.personal_data import ERASED_NAME
from lms.services.publishing import publish
from lms.services.reports import training_counts
from lms.services.throttling import email_key
from tests.builders import PASSWORD, make_organisation, make_partnership, make_user, take_assessment
from tests.conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny-module"
LONG_AGO = dt.datetime(2023, 6, 10, 10, 0)  # expired (24-month refresher), so this year's pass counts again


@pytest.fixture
def version(session, tmp_path: Path) -> ModuleVersion:
    assert not build([TINY], tmp_path / "build").failed
    publish(session, tmp_path / "build")
    module = session.scalar(select(Module).where(Module.slug == "tiny-module"))
    return session.get(ModuleVersion, module.current_version_id)


@pytest.fixture
def people(session, version) -> tuple[User, User]:
    """Two learners in one council; each passed the tiny module this quarter and once in 2023."""
    organisation = make_organisation(session, make_partnership(session, "Safer Testville"), "Testville Council")
    ada = make_user(session, organisation, email="ada@testville.example")
    ada.full_name = "Ada Lovelace"
    bob = make_user(session, organisation, email="bob@testville.example")
    bob.full_name = "Bob Builder"
    session.commit()
    for person in (ada, bob):
        session.add(Completion(user_id=person.id, organisation_id=organisation.id, module_id=version.module_id, version_id=version.id,
                               channel=Channel.ELEARNING, sequence=1, score=100, completed_at=LONG_AGO, fy_quarter=fy_quarter(LONG_AGO),
                               verification_code=f"OLD{person.id:09d}"))
        session.commit()
        take_assessment(session, person, version)
        record_event(session, "user.registered", f"user:{person.public_id}", person.id, via="join code")
    session.add(SignInThrottle(key=email_key(ada.email), failures=2))
    session.commit()
    return ada, bob


def _cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["personal-data", *args])


def test_does_an_export_hold_the_persons_data_and_no_one_elses(app, session, people):
    ada, bob = people
    result = _cli(app, "export", "--email", "ADA@testville.example ")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["account"]["email"] == "ada@testville.example" and data["account"]["full_name"] == "Ada Lovelace"
    assert data["account"]["organisation"] == "Testville Council"
    assert len(data["attempts"]) == 1 and data["attempts"][0]["passed"] is True and data["attempts"][0]["answers"]
    assert sorted(c["completed_at"][:4] for c in data["completions"]) == ["2023", str(dt.date.today().year)]
    assert [e["action"] for e in data["audit_events"]] == ["user.registered"]
    assert data["failed_sign_ins"]["failures"] == 2
    for trace in ("bob@testville.example", "Bob Builder", bob.public_id, f"OLD{bob.id:09d}"):
        assert trace not in result.output
    assert "password" not in result.output and ada.password_hash not in result.output
    session.rollback()
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "user.personal_data_exported",
                                                         AuditEvent.subject == f"user:{ada.public_id}")) is not None


def test_is_an_unknown_email_refused_plainly(app, people):
    result = _cli(app, "export", "--email", "nobody@testville.example")
    assert result.exit_code != 0
    assert "no account has the email address nobody@testville.example" in result.output
    assert "Traceback" not in result.output


def test_does_erasure_remove_every_identifier_and_keep_the_counts(app, session, people, version):
    ada, bob = people
    periods = [parse_period("2023-24"), parse_period("2023-24-Q1"), current_period()]
    before = [training_counts(session, p) for p in periods]
    assert [sum(row.people_trained for row in counts) for counts in before] == [2, 2, 2]
    old_public_id = ada.public_id
    session.add(XapiOutbox(statement_id="3f1c0000-0000-4000-8000-000000000001",
                           statement={"id": "s1", "actor": {"objectType": "Agent", "mbox": "mailto:ada@testville.example"}, "verb": {}}))
    session.commit()

    result = _cli(app, "erase", "--email", "ada@testville.example", "--yes")
    assert result.exit_code == 0, result.output
    session.rollback()
    assert [training_counts(session, p) for p in periods] == before
    erased = session.get(User, ada.id)
    assert erased.full_name == ERASED_NAME and erased.email.endswith("@erased.invalid")
    assert erased.erased_at is not None and not erased.active
    assert erased.public_id != old_public_id
    assert authenticate(session, "ada@testville.example", PASSWORD) is None
    assert authenticate(session, erased.email, PASSWORD) is None
    assert session.get(SignInThrottle, email_key("ada@testville.example")) is None
    waiting = session.scalar(select(XapiOutbox).where(XapiOutbox.statement_id == "3f1c0000-0000-4000-8000-000000000001")).statement
    assert waiting["actor"] == {"objectType": "Agent", "account": {"homePage": app.config["SITE_URL"], "name": erased.public_id}}
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "user.erased")).subject == f"user:{erased.public_id}"
    assert session.get(User, bob.id).full_name == "Bob Builder"  # only the one person

    export = _cli(app, "export", "--email", erased.email)
    assert export.exit_code == 0
    assert "Ada" not in export.output and "ada@testville.example" not in export.output and old_public_id not in export.output


def test_is_a_second_erasure_refused(app, session, people):
    assert _cli(app, "erase", "--email", "ada@testville.example", "--yes").exit_code == 0
    email = session.get(User, people[0].id).email
    again = _cli(app, "erase", "--email", email, "--yes")
    assert again.exit_code != 0 and "already erased" in again.output


def test_does_erasure_ask_before_it_acts(app, session, people):
    result = app.test_cli_runner().invoke(args=["personal-data", "erase", "--email", "ada@testville.example"], input="n\n")
    assert result.exit_code != 0
    session.rollback()
    assert session.get(User, people[0].id).full_name == "Ada Lovelace"


@pytest.fixture
def statements(app, session, version) -> tuple[User, User]:
    """Ada and Bob pass with an LRS configured, their council sharing emails: their statements are queued,
    Ada's first already sent, and a sent statement (from an older release) names Ada as an instructor too."""
    app.config["XAPI_ENDPOINT"] = "http://127.0.0.1:9/xapi"
    council = make_organisation(session, make_partnership(session, "Safer Testville"), "Testville Council")
    council.xapi_shares_email = True
    ada, bob = make_user(session, council, email="ada@testville.example"), make_user(session, council, email="bob@testville.example")
    ada.full_name, bob.full_name = "Ada Lovelace", "Bob Builder"
    session.commit()
    for person in (ada, bob):
        take_assessment(session, person, version)
    first = session.scalar(select(XapiOutbox).order_by(XapiOutbox.id))
    first.sent_at = utcnow()
    mbox = "mailto:ada@testville.example"
    session.add(XapiOutbox(statement_id="3f1c0000-0000-4000-8000-000000000002", sent_at=utcnow(), statement={
        "id": "s2", "actor": {"objectType": "Agent", "account": {"homePage": "https://lms.example", "name": ada.public_id}},
        "context": {"instructor": {"objectType": "Agent", "name": "Ada Lovelace", "mbox_sha1sum": hashlib.sha1(mbox.encode()).hexdigest()},  # noqa: S324
                    "extensions": {"https://lms.example/xapi/extensions/note": "Booked by ada@testville.example", "who": "Ada Lovelace"}}}))
    session.commit()
    return ada, bob


def test_does_the_export_hold_the_persons_queued_and_sent_statements(app, session, statements):
    ada, bob = statements
    data = json.loads(_cli(app, "export", "--email", "ada@testville.example").output)
    held = data["xapi_statements"]
    assert len(held) == 3 and sum(s["sent_at"] is not None for s in held) == 2
    assert [s["statement"]["actor"]["mbox"] for s in held[:2]] == ["mailto:ada@testville.example"] * 2
    assert "bob@testville.example" not in json.dumps(data)


def test_does_erasure_clear_the_person_from_queued_and_sent_statements(app, session, statements):
    ada, bob = statements
    old = ("ada@testville.example", "Ada Lovelace", ada.public_id, hashlib.sha1(b"mailto:ada@testville.example").hexdigest())  # noqa: S324
    bobs_before = [r.statement for r in session.scalars(select(XapiOutbox)) if "bob@" in json.dumps(r.statement)]
    sent_before = session.scalar(select(func.count(XapiOutbox.id)).where(XapiOutbox.sent_at.is_not(None)))
    assert _cli(app, "erase", "--email", "ada@testville.example", "--yes").exit_code == 0
    session.rollback()
    erased = session.get(User, ada.id)
    rows = session.scalars(select(XapiOutbox).order_by(XapiOutbox.id)).all()
    everything = json.dumps([r.statement for r in rows])
    assert not [trace for trace in old if trace in everything]
    assert rows[0].sent_at is not None and rows[0].statement["actor"] == {"objectType": "Agent", "account": {"homePage": app.config["SITE_URL"], "name": erased.public_id}}
    assert rows[-1].statement["context"]["instructor"]["account"]["name"] == erased.public_id
    assert rows[-1].statement["context"]["extensions"] == {"https://lms.example/xapi/extensions/note": "Booked by erased", "who": ""}
    assert [r.statement for r in rows if "bob@" in json.dumps(r.statement)] == bobs_before  # only the one person
    assert session.scalar(select(func.count(XapiOutbox.id)).where(XapiOutbox.sent_at.is_not(None))) == sent_before


def test_does_erasure_end_every_session_of_the_person(app, session, people):
    ada = people[0]
    token = issue_remember_token(session, ada)
    generation = ada.session_generation
    assert _cli(app, "erase", "--email", "ada@testville.example", "--yes").exit_code == 0
    session.rollback()
    assert session.get(User, ada.id).session_generation == generation + 1
    assert user_for_remember_token(session, token.cookie_value) is None
    assert session.scalar(select(RememberToken.revoked_at)) is not None


def _notice(person: User, kind: str, status: str) -> Notice:
    return Notice(user_id=person.id, kind=kind, subject="module:1", stage="2026-12-18", status=status,
                  email_subject=f"Reminder for {person.full_name}", body_text=f"Dear {person.full_name}, ...",
                  body_html=f"<p>Dear {person.full_name}</p>", sent_to=person.email if status == "sent" else "")


def test_do_the_emails_about_a_persons_training_reach_their_export_and_leave_with_erasure(app, session, people):
    ada, bob = people
    session.add_all([_notice(ada, "due-14", "sent"), _notice(ada, "due-3", "pending"), _notice(ada, "overdue", "claimed"),
                     _notice(bob, "due-14", "pending"),
                     NoticePreference(user_id=ada.id, reminders="weekly")])
    session.commit()
    data = json.loads(_cli(app, "export", "--email", "ada@testville.example").output)
    assert {(n["kind"], n["status"], n["sent_to"]) for n in data["notices"]} == {("due-14", "sent", "ada@testville.example"),
                                                                                 ("due-3", "pending", None), ("overdue", "claimed", None)}
    assert data["notice_preferences"]["reminders"] == "weekly"

    assert _cli(app, "erase", "--email", "ada@testville.example", "--yes").exit_code == 0
    session.rollback()
    kept = {n.kind: n for n in session.scalars(select(Notice).where(Notice.user_id == ada.id))}
    assert kept["due-14"].status == "sent" and kept["due-3"].status == "cancelled"  # the keys stay: nothing is planned again
    assert kept["overdue"].status == "cancelled"  # claimed by a sender that has not begun it: it skips it now
    for notice in kept.values():
        assert "Ada" not in notice.email_subject + notice.body_text + notice.body_html and notice.sent_to == ""
    assert session.scalar(select(Notice).where(Notice.user_id == bob.id)).status == "pending"  # only the one person
