"""Real gunicorn workers on one SQLite file: concurrent writers lose nothing, and a killed worker loses
no completion that a learner was told about."""

from __future__ import annotations

import http.client
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select, text

from lms.db import db
from lms.models import Attempt, Completion
from tests.faults.conftest import learners_of_new_organisation as _learners
from tests.faults.live import Learner, gunicorn, request, server_log, worker_pids

LOCKED = "database is locked"


def _fresh(query):
    db.session.rollback()
    return db.session.scalar(query)


def test_do_writers_in_four_processes_lose_nothing_and_see_no_lock_errors(sqlite_app, tmp_path):
    learners = _learners(sqlite_app, 40)
    with gunicorn(sqlite_app, tmp_path / "instance", workers=4) as (server, port):

        def journey(learner: Learner) -> list[tuple[int, str]]:
            """Pass the open attempt, then start a new one (a pass leaves the way open) and pass
            the first again (already marked): three writes and a read of a marked attempt."""
            token_form = learner.passing_form  # carries the CSRF token too
            first = request(port, "POST", f"/attempts/{learner.attempt_id}", learner.cookie, learner.passing_form)
            started = request(port, "POST", "/modules/tiny-module/assessment", learner.cookie, token_form)
            again = request(port, "POST", f"/attempts/{learner.attempt_id}", learner.cookie, learner.passing_form)
            return [(status, body) for status, _location, body in (first, started, again)]

        with ThreadPoolExecutor(8) as pool:
            outcomes = [o for journey_outcomes in pool.map(journey, learners) for o in journey_outcomes]
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
        log = server_log(tmp_path / "instance")
    assert [status for status, _body in outcomes] == [302] * len(outcomes)
    assert not any(LOCKED in body for _status, body in outcomes)
    assert LOCKED not in log, log[-3000:]
    assert _fresh(select(func.count(Completion.id))) == len(learners)
    assert _fresh(select(func.count(Attempt.id)).where(Attempt.submitted_at.is_not(None))) == len(learners)
    assert _fresh(select(func.count(Attempt.id))) == 2 * len(learners)


def test_is_every_completion_a_learner_was_told_about_kept_when_a_worker_is_killed(sqlite_app, tmp_path):
    learners = _learners(sqlite_app, 60)
    told, failed, finished = set(), [], []
    with gunicorn(sqlite_app, tmp_path / "instance", workers=2) as (server, port):

        def submit(learner: Learner) -> None:
            try:
                status, location, _body = request(port, "POST", f"/attempts/{learner.attempt_id}", learner.cookie, learner.passing_form)
                if status == 302:
                    status, _location, body = request(port, "GET", location, learner.cookie)
                    if status == 200 and "You passed" in body:
                        told.add(learner.user_id)  # the learner saw their result page
                        return
                failed.append(learner)
            except (OSError, http.client.HTTPException):
                failed.append(learner)  # the connection died with the worker: the learner was told nothing
            finally:
                finished.append(learner)

        with ThreadPoolExecutor(6) as pool:
            pending = [pool.submit(submit, learner) for learner in learners]
            deadline = time.monotonic() + 30
            while len(finished) < 10 and time.monotonic() < deadline:
                time.sleep(0.01)
            victim = worker_pids(server)[0]
            os.kill(victim, signal.SIGKILL)  # mid-load: other submissions are queued or in flight
            for future in pending:
                future.result(timeout=60)
        # Learners who saw an error try again once the master has replaced the worker.
        deadline = time.monotonic() + 30
        while (victim in worker_pids(server) or len(worker_pids(server)) < 2) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert victim not in worker_pids(server) and len(worker_pids(server)) == 2
        retried = [request(port, "POST", f"/attempts/{learner.attempt_id}", learner.cookie, learner.passing_form)[0] for learner in failed]
        assert retried == [302] * len(failed)

    db.session.rollback()  # read afresh: the workers wrote
    kept = set(db.session.scalars(select(Completion.user_id)))
    assert told <= kept, f"completions shown to learners but lost: {sorted(told - kept)}"
    assert kept == {learner.user_id for learner in learners}  # after their retry, everyone who passed is counted
    per_learner = db.session.execute(select(func.count(Completion.id)).group_by(Completion.user_id)).scalars().all()
    assert set(per_learner) == {1}
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
