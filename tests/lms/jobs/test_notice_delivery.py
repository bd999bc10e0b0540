"""Notices sent by real workers to a real SMTP server: queued by `soon`, shared by two workers on one Redis
queue, and a worker killed or stopped mid-batch. Each message must arrive once or be shown to site admins."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from lms.db import write_transaction
from lms.jobs import soon
from lms.models import Notice, utcnow
from tests.lms.jobs.holding_smtp import HoldingSmtpServer
from tests.lms.jobs.worker_process import eventually, running_worker
from tests.lms.notices.outbox_builders import draft, learners, written


def _statuses(session) -> Counter:
    session.rollback()  # a fresh look at what the workers have committed
    return Counter(session.scalars(select(Notice.status)))


def _queue_delivery(app, times: int = 1) -> None:
    with app.test_request_context():
        for _ in range(times):
            assert soon("deliver_notices")


def _received_by(server) -> Counter:
    return Counter(recipient for message in server.messages for recipient in message.recipients)


def test_are_queued_notices_sent_by_the_worker(app, session, queue, smtp_server):
    people = learners(session, 5)
    written(session, [draft(person) for person in people])
    _queue_delivery(app)
    with running_worker(app) as worker:
        eventually(lambda: _statuses(session) == {"sent": 5}, "the notices to be sent", worker)
    assert _received_by(smtp_server) == {person.email: 1 for person in people}
    assert {message.subject for message in smtp_server.messages} == {"Safeguarding adults is due in 14 days"}


def test_does_a_lost_queue_lose_no_notice(app, session, queue, smtp_server):
    """The queue holds only wake-ups: with it emptied (Redis flushed, the file deleted), the worker's
    periodic run finds the same rows and sends them."""
    people = learners(session, 3)
    written(session, [draft(person) for person in people])
    _queue_delivery(app)
    queue.flush()
    assert queue.pending_count() == 0
    with running_worker(app) as worker:  # its scheduler's first minute comes as it starts
        eventually(lambda: _statuses(session) == {"sent": 3}, "the periodic delivery", worker)
    assert _received_by(smtp_server) == {person.email: 1 for person in people}


def test_do_two_workers_on_one_redis_queue_send_each_notice_once(app, session, redis_queue, smtp_server):
    people = learners(session, 60)
    written(session, [draft(person) for person in people])
    with running_worker(app, "first", ("--workers", "2")) as first, running_worker(app, "second", ("--workers", "2")) as second:
        _queue_delivery(app, times=8)  # a duplicated job, many times over, for four threads on two workers
        eventually(lambda: _statuses(session) == {"sent": 60}, "the notices to be sent", first)
        assert first.stop() == second.stop() == 0
    assert _received_by(smtp_server) == {person.email: 1 for person in people}
    assert "Executing lms.jobs.tasks.deliver_notices" in first.text()
    assert "Executing lms.jobs.tasks.deliver_notices" in second.text()


@pytest.fixture
def holding_server(app) -> Iterator[HoldingSmtpServer]:
    """A real SMTP server that holds the fourth learner's message until the test releases it."""
    server = HoldingSmtpServer("learner3@example.org").start()
    app.config.update(server.mail_config)
    yield server
    server.stop()


def test_does_a_killed_worker_lose_nothing_and_send_nothing_twice(app, session, queue, holding_server):
    people = learners(session, 30)  # a first batch of 25 is claimed at once, 5 wait for the next
    written(session, [draft(person) for person in people])
    _queue_delivery(app)
    with running_worker(app, args=("--workers", "1")) as worker:  # one sender, so one batch is in flight
        assert holding_server.arrived.wait(60), worker.text()
        worker.kill()  # mid-batch: three sent, the fourth on the wire, the rest of the batch claimed
    holding_server.released.set()  # the server took the whole message: whether it counts as sent is unknown
    assert _statuses(session) == {"sent": 3, "sending": 1, "claimed": 21, "pending": 5}
    with write_transaction(session):  # fifteen minutes later (CLAIM_FOR): the dead worker's claims have run out
        session.execute(update(Notice).where(Notice.status.in_(("claimed", "sending"))).values(claimed_until=utcnow()))
    _queue_delivery(app)
    with running_worker(app, "restarted") as restarted:  # only the one on the wire waits for a person; the rest go
        eventually(lambda: _statuses(session) == {"sent": 29, "interrupted": 1}, "the restarted worker", restarted)
    received = _received_by(holding_server)
    assert max(received.values()) == 1  # nobody has anything twice
    sent = set(session.scalars(select(Notice.sent_to).where(Notice.status == "sent")))
    assert sent == set(received) - {"learner3@example.org"}  # the rest of the outbox went after the restart
    interrupted = session.scalars(select(Notice.last_error).where(Notice.status == "interrupted")).all()
    assert all("whether it was sent is not known" in reason for reason in interrupted)  # for a site admin to decide


def test_does_a_stopped_worker_finish_the_notices_it_is_sending(app, session, queue, holding_server):
    people = learners(session, 6)
    written(session, [draft(person) for person in people])
    _queue_delivery(app)
    with running_worker(app) as worker:
        assert holding_server.arrived.wait(60), worker.text()
        worker.process.terminate()  # SIGTERM, as systemd stops it
        eventually(lambda: "Shutting down gracefully" in worker.text(), "the worker to begin stopping", worker)
        holding_server.released.set()
        assert worker.process.wait(timeout=60) == 0
    assert _statuses(session) == {"sent": 6}
    assert _received_by(holding_server) == {person.email: 1 for person in people}
