"""`lms worker` as a real process: it runs what requests queue, and stops cleanly when told to."""

from __future__ import annotations

import datetime as dt
import signal

import pytest
from sqlalchemy import select

from lms.db import write_transaction
from lms.jobs import soon
from lms.models import SignInThrottle, utcnow
from tests.lms.jobs.worker_process import eventually, running_worker

OLD = dt.timedelta(hours=2)


def _throttle_rows(session, **ages: dt.timedelta) -> None:
    with write_transaction(session):
        session.add_all([SignInThrottle(key=f"email:{name}@example.org", failures=1, window_started_at=utcnow() - age)
                         for name, age in ages.items()])


def _keys(session) -> set[str]:
    session.rollback()  # a fresh look at what the worker has committed
    return set(session.scalars(select(SignInThrottle.key)))


def test_does_a_job_queued_by_soon_run_in_the_worker(app, session, queue):
    _throttle_rows(session, old=OLD, recent=dt.timedelta(0))
    with app.test_request_context():
        assert soon("purge_throttling")  # queued while no worker runs: it waits in the queue
    with running_worker(app) as worker:
        eventually(lambda: _keys(session) == {"email:recent@example.org"}, "the queued purge", worker)
        _throttle_rows(session, later=OLD)
        with app.test_request_context():
            assert soon("purge_throttling")  # and one queued while it runs
        eventually(lambda: _keys(session) == {"email:recent@example.org"}, "the second purge", worker)
        assert worker.stop() == 0
    assert "Executing lms.jobs.tasks.purge_throttling" in worker.text()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_does_the_worker_stop_cleanly_when_systemd_or_ctrl_c_asks(app, queue, signum):
    with running_worker(app) as worker:
        assert worker.stop(signum) == 0
    assert "Shutting down gracefully" in worker.text()
    assert "Consumer exiting" in worker.text()


def test_does_the_worker_say_which_queue_it_serves(app, queue):
    with running_worker(app, args=("--workers", "3")) as worker:
        assert worker.stop() == 0
    assert f"queue {queue.name} on {type(queue).__name__}, 3 worker thread(s), with the periodic jobs" in worker.text()


def test_does_a_mistyped_redis_address_stop_the_worker_with_words_not_a_traceback(app):
    app.config.update(REDIS_URL="localhost:6379")  # no redis:// scheme
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0
    assert "LMS_REDIS_URL is not a Redis address" in result.output and "redis://host:6379/0" in result.output
    assert "Traceback" not in result.output
