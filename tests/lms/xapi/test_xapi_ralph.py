"""Statements delivered to a real learning record store, Ralph (PyPI ralph-malph), started on 127.0.0.1 for
each test: send, resend, export-and-post, two installations sharing one LRS, a statement the LRS refuses
for good, and the LRS going down. Every test counts what Ralph holds through its own statements API."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from authoring import build
from lms import create_app, migrate
from lms.db import db, make_engine, write_transaction
from lms.models import ModuleVersion, XapiOutbox
from lms.services import completions, xapi
from lms.services.publishing import publish
from tests.builders import make_organisation, make_partnership, make_training_session, make_user, take_assessment
from tests.lms.xapi.xapi_builders import TINY, outbox
from tests.lms.xapi.xapi_ralph import PASSWORD, USERNAME, Ralph


def use(app: Flask, lrs: Ralph) -> xapi.Lrs:
    app.config.update(XAPI_ENDPOINT=lrs.endpoint, XAPI_USERNAME=USERNAME, XAPI_PASSWORD=PASSWORD)
    return xapi.Lrs.from_config(app.config)


def six_statements(session, version, people) -> list[XapiOutbox]:
    """A fail and a pass (3 statements), another learner's pass (2), a face-to-face attendance (1)."""
    learner, sharer = people
    take_assessment(session, learner, version, False)
    take_assessment(session, learner, version, True)
    take_assessment(session, sharer, version, True)
    workshop = make_training_session(session, version.module, learner.organisation, dt.date.today())
    completions.record_attendance(session, learner, workshop)
    session.commit()
    rows = outbox(session)
    assert len(rows) == 6
    return rows


def send(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["xapi", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def holds_as_kept(lrs: Ralph, rows: list[XapiOutbox]) -> None:
    """Ralph holds each kept statement once, with every field as we kept it (it adds `stored` and `authority`)."""
    held = lrs.held_once()
    assert sorted(held) == sorted(r.statement_id for r in rows)
    for row in rows:
        assert {key: held[row.statement_id].get(key) for key in row.statement} == row.statement


def test_does_ralph_accept_every_statement_once(app, session, version, people, ralph):
    use(app, ralph)
    rows = six_statements(session, version, people)
    assert "sent 6; dead-lettered 0; still waiting 0" in send(app)
    holds_as_kept(ralph, rows)
    assert all(r.sent_at and r.sent_to == ralph.endpoint and r.tries == 1 for r in outbox(session))
    assert "sent 0;" in send(app)  # nothing is sent twice


def test_is_a_resend_the_same_bytes_so_ralph_keeps_one_of_each(app, session, version, people, ralph):
    """The answer was lost: every statement goes again, after the names and the site address changed meanwhile.
    Ralph answers 409 to an id it holds with other content, so a statement rebuilt from today's data would be refused."""
    lrs, (learner, sharer) = use(app, ralph), people
    rows = six_statements(session, version, people)
    posted: list[list[str]] = []

    def recording(lrs: xapi.Lrs, bodies: list[str]) -> xapi.Answer:
        posted.append(bodies)
        return xapi.post_statements(lrs, bodies)

    assert xapi.send_due(session, lrs, post=recording).sent == 6
    with write_transaction(session):
        learner.organisation.name, sharer.email = "Renamed Council", "moved@elsewhere.example"
        session.execute(XapiOutbox.__table__.update().values(sent_at=None))
    app.config["SITE_URL"] = "https://moved.example"
    again = xapi.send_due(session, lrs, post=recording)
    assert (again.sent, again.dead, again.failed, again.error) == (6, 0, 0, "")
    assert posted[0] == posted[1] == [r.body for r in rows]
    holds_as_kept(ralph, rows)


def test_is_an_exported_file_posted_to_ralph_what_the_sender_sends(app, session, version, people, ralph, tmp_path):
    lrs = use(app, ralph)
    rows = six_statements(session, version, people)
    out = tmp_path / "statements.jsonl"
    assert app.test_cli_runner().invoke(args=["xapi", "export", "--out", str(out)]).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert sorted(lines) == sorted(r.body for r in rows)  # the kept text, byte for byte
    status, answer = ralph.post(lines)
    assert status == 200 and sorted(json.loads(answer)) == sorted(r.statement_id for r in rows)
    report = xapi.send_due(session, lrs)  # the same statements again: Ralph finds them identical
    assert (report.sent, report.dead, report.failed) == (6, 0, 0)
    holds_as_kept(ralph, rows)


def _installation(root: Path, name: str) -> Flask:
    """A second (or third) Safer Learning: its own instance folder and freshly migrated database."""
    url = f"sqlite:///{root / name / 'lms.sqlite3'}"
    (root / name).mkdir(parents=True)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": f"{name}-secret", "SITE_URL": "https://learning.example"})


def _pass_and_send(app: Flask, course_build: Path, lrs: Ralph) -> list[tuple[int, str, str]]:
    """Publish, pass and fail on one installation, send to the shared LRS; its (row id, statement id, text)."""
    use(app, lrs)
    with app.app_context():
        session = db.session
        publish(session, course_build)
        version = session.get(ModuleVersion, 1)
        learner = make_user(session, make_organisation(session, make_partnership(session, "Safer Testville"), "Testville Council"),
                            email="same.name@testville.example")
        session.commit()
        take_assessment(session, learner, version, False)
        take_assessment(session, learner, version, True)
        report = xapi.send_due(session, xapi.Lrs.from_config(app.config))
        assert (report.sent, report.dead, report.failed, report.error) == (3, 0, 0, "")
        rows = [(r.id, r.statement_id, r.body) for r in session.scalars(select(XapiOutbox).order_by(XapiOutbox.id))]
        db.session.remove()
    return rows


def test_do_two_installations_sharing_ralph_each_get_every_statement_accepted_once(ralph, tmp_path, monkeypatch):
    """The same rows (attempt 1, 2; completion 1) on two sites: different ids, so no 409 and nothing stuck."""
    course_build = tmp_path / "build"
    assert build([TINY], course_build).built
    sent = []
    for name in ("first", "second"):
        monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / name / "instance"))
        sent.append(_pass_and_send(_installation(tmp_path, name), course_build, ralph))
    first, second = sent
    assert [r[0] for r in first] == [r[0] for r in second]  # the same row ids...
    assert not {r[1] for r in first} & {r[1] for r in second}  # ...and no statement id in common
    held = ralph.held_once()
    assert sorted(held) == sorted(r[1] for r in first + second) and len(held) == 6


def test_is_a_statement_ralph_refuses_dead_lettered_while_the_rest_are_delivered(app, session, version, people, ralph):
    lrs = use(app, ralph)
    rows = six_statements(session, version, people)
    bad = rows[2]
    kept = bad.body
    with write_transaction(session):  # a statement Ralph's validation refuses: no actor
        session.get(XapiOutbox, bad.id).body = kept.replace('"actor":', '"agent":')
    report = xapi.send_due(session, lrs, batch_size=50)
    assert (report.sent, report.dead, report.failed) == (5, 1, 0)
    dead = session.get(XapiOutbox, bad.id)
    assert dead.dead_at is not None and dead.sent_at is None and dead.last_error.startswith("the LRS answered HTTP 422")
    assert sorted(ralph.held_once()) == sorted(r.statement_id for r in rows if r.id != bad.id)
    status = app.test_cli_runner().invoke(args=["xapi", "status"]).output
    assert "dead-lettered:  1" in status and "sent:           5" in status and bad.statement_id in status and "HTTP 422" in status

    with write_transaction(session):  # fixed (here: put back as it was built), then retried
        session.get(XapiOutbox, bad.id).body = kept
    assert "1 statement(s) will be sent again" in app.test_cli_runner().invoke(args=["xapi", "retry", bad.statement_id]).output
    assert "sent 1; dead-lettered 0; still waiting 0" in send(app)
    holds_as_kept(ralph, outbox(session))


def test_is_a_statement_whose_id_ralph_holds_with_other_content_dead_lettered(app, session, version, people, ralph):
    """Someone else's statement under one of our ids: Ralph answers 409, which no resend can fix."""
    lrs = use(app, ralph)
    rows = six_statements(session, version, people)
    squatter = {**rows[0].statement, "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"}}
    assert ralph.post([json.dumps(squatter)])[0] == 200
    report = xapi.send_due(session, lrs)
    assert (report.sent, report.dead) == (5, 1)
    dead = outbox(session)[0]
    assert dead.dead_at is not None and "HTTP 409" in dead.last_error and "holds a different statement" in dead.last_error
    assert len(ralph.held_once()) == 6


def test_does_the_outbox_back_off_while_ralph_is_down_and_deliver_when_it_is_back(app, session, version, people, ralph):
    lrs = use(app, ralph)
    rows = six_statements(session, version, people)
    ralph.stop()
    result = app.test_cli_runner().invoke(args=["xapi", "send"])
    assert result.exit_code == 1 and "could not be reached" in result.output and "tried again later" in result.output
    waiting = outbox(session)
    assert all(r.tries == 1 and r.dead_at is None and r.sent_at is None for r in waiting)
    tried = waiting[0].last_tried_at
    status = xapi.outbox_status(session, tried + dt.timedelta(seconds=30))
    assert (status.queued, status.due, status.backing_off) == (6, 0, 6) and "could not be reached" in status.last_error
    ralph.start()
    assert xapi.send_due(session, lrs, now=tried + dt.timedelta(seconds=30)).sent == 0  # still waiting its minute
    assert xapi.send_due(session, lrs, now=tried + dt.timedelta(minutes=1)).sent == 6
    holds_as_kept(ralph, rows)
