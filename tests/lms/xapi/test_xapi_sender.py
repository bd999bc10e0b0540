"""One sender at a time, and learners' results before statements: an overlapping `lms xapi send` (cron
every minute, a slow LRS) sends nothing and never undoes what the first one recorded, and a namespace
that cannot build statements never stops a pass being recorded."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update

from lms.db import db, write_transaction
from lms.models import Completion, Installation, utcnow
from lms.services import xapi
from tests.builders import take_assessment
from tests.lms.xapi.xapi_builders import outbox, two_learners

LRS = xapi.Lrs("http://lrs.invalid/xapi")  # never reached: every test here posts through its own `post`



def accepted(lrs: xapi.Lrs, bodies: list[str]) -> xapi.Answer:
    return xapi.Answer(200)


def test_does_a_second_send_while_one_is_running_send_nothing(app, session, version):
    learner, _ = two_learners(session)
    take_assessment(session, learner, version, True)
    overlapping: list[xapi.SendReport] = []

    def slow(lrs: xapi.Lrs, bodies: list[str]) -> xapi.Answer:
        overlapping.append(xapi.send_due(db.session, lrs, post=lambda _l, _b: xapi.Answer(400, "refused")))
        return xapi.Answer(200)

    report = xapi.send_due(session, LRS, post=slow)
    assert report.sent == 2 and len(overlapping) == 1
    assert (overlapping[0].sent, overlapping[0].dead, overlapping[0].failed) == (0, 0, 0) and overlapping[0].busy_until is not None
    assert all(r.sent_at is not None and r.dead_at is None and r.tries == 1 for r in outbox(session))


def test_does_send_say_another_run_is_sending_and_leave_the_statements_waiting(app, session, version):
    learner, _ = two_learners(session)
    take_assessment(session, learner, version, True)
    app.config.update(XAPI_ENDPOINT=LRS.endpoint)
    other = xapi.Lease(session, dt.timedelta(minutes=15))
    assert other.take() and not xapi.Lease(session, dt.timedelta(minutes=15)).take()
    result = app.test_cli_runner().invoke(args=["xapi", "send"])
    assert result.exit_code == 0 and "another `lms xapi send` is still running" in result.output and "this one sent nothing" in result.output
    assert all(r.tries == 0 and r.sent_at is None for r in outbox(session))
    other.give_back()
    assert xapi.Lease(session, dt.timedelta(minutes=15)).take()


def test_is_a_lease_left_by_a_run_that_died_taken_once_it_expires(app, session, version):
    learner, _ = two_learners(session)
    take_assessment(session, learner, version, True)
    assert xapi.Lease(session, dt.timedelta(minutes=15)).take()  # a run that never gives it back
    assert xapi.send_due(session, LRS, post=accepted).busy_until is not None
    with write_transaction(session):
        session.execute(update(Installation).values(sender_lease_until=utcnow() - dt.timedelta(seconds=1)))
    assert xapi.send_due(session, LRS, post=accepted).sent == 2


def test_is_a_statement_the_lrs_accepted_never_left_dead_lettered_by_a_run_that_took_over(app, session, version):
    """The first run's lease ran out while the LRS was slow; a second run took over and saw refusals. What the
    LRS accepted from the first run is sent, not dead, and the first run stops rather than carry on without its lease."""
    learner, _ = two_learners(session)
    take_assessment(session, learner, version, True)
    take_assessment(session, learner, version, False)

    def slow(lrs: xapi.Lrs, bodies: list[str]) -> xapi.Answer:
        with write_transaction(db.session):
            db.session.execute(update(Installation).values(sender_lease_until=utcnow() - dt.timedelta(seconds=1)))
        xapi.send_due(db.session, lrs, batch_size=1, post=lambda _l, _b: xapi.Answer(400, "refused"))
        return xapi.Answer(200)

    report = xapi.send_due(session, LRS, batch_size=2, post=slow)
    rows = outbox(session)
    assert report.sent == 2 and [(r.sent_at is not None, r.dead_at) for r in rows[:2]] == [(True, None), (True, None)]
    assert rows[2].sent_at is None  # the first run stopped: its lease was gone


def test_is_a_pass_recorded_when_its_statement_cannot_be_built(app, session, version, caplog):
    learner, _ = two_learners(session)
    with write_transaction(session):
        xapi.namespace(session)
        session.execute(update(Installation).values(statement_namespace="not-a-uuid"))
    caplog.set_level(logging.ERROR)
    submission = take_assessment(session, learner, version, True)
    assert submission.attempt.passed and submission.completion is not None
    assert session.scalar(select(Completion).where(Completion.user_id == learner.id)) is not None
    assert outbox(session) == [] and "no statement kept for attempt" in caplog.text and "is not a UUID" in caplog.text
    status = app.test_cli_runner().invoke(args=["xapi", "status"]).output
    assert "problem: the installation's statement namespace 'not-a-uuid' is not a UUID" in status
    assert "put back the value from a backup" in status
    assert xapi.send_due(session, LRS, post=accepted).error == ""  # sending what is kept needs no namespace
    failed_export = app.test_cli_runner().invoke(args=["xapi", "export"])
    assert failed_export.exit_code == 1 and "is not a UUID, so no statement can be built" in failed_export.output

    with write_transaction(session):  # put back: the pass's statements are built when next exported, as older records' are
        session.execute(update(Installation).values(statement_namespace="0c4d8f3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f"))
    assert len(app.test_cli_runner().invoke(args=["xapi", "export"]).stdout.splitlines()) == 2
    assert "problem:" not in app.test_cli_runner().invoke(args=["xapi", "status"]).output
