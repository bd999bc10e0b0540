"""The xAPI forwarder as the worker's periodic job: statements reach a real LRS (Ralph) once, also with two
workers on one Redis queue (the sender's lease lets one send at a time)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lms.models import ModuleVersion
from tests.builders import take_assessment
from tests.lms.jobs.worker_process import eventually, running_worker
from tests.lms.xapi.xapi_builders import outbox, tiny_version, two_learners
from tests.lms.xapi.xapi_ralph import PASSWORD, USERNAME, Ralph, running


@pytest.fixture
def ralph(tmp_path: Path) -> Iterator[Ralph]:
    with running(tmp_path / "ralph") as lrs:
        yield lrs


@pytest.fixture
def version(session, tmp_path: Path) -> ModuleVersion:
    return tiny_version(session, tmp_path)


def _passes(session, version) -> list:
    """Two learners pass, one after failing once: five statements waiting for the LRS."""
    learner, sharer = two_learners(session)
    take_assessment(session, learner, version, False)
    take_assessment(session, learner, version, True)
    take_assessment(session, sharer, version, True)
    session.commit()
    rows = outbox(session)
    assert len(rows) == 5 and not any(row.sent_at for row in rows)
    return rows


def _lrs_settings(ralph: Ralph) -> dict[str, str]:
    return {"LMS_XAPI_ENDPOINT": ralph.endpoint, "LMS_XAPI_USERNAME": USERNAME, "LMS_XAPI_PASSWORD": PASSWORD}


def test_does_the_worker_forward_statements_without_cron(app, session, version, queue, ralph):
    rows = _passes(session, version)
    with running_worker(app, env=_lrs_settings(ralph)) as worker:  # the scheduler's first minute comes at start
        eventually(lambda: all(row.sent_at for row in outbox(session)), "the statements to reach the LRS", worker)
    assert sorted(ralph.held_once()) == sorted(row.statement_id for row in rows)


def test_do_two_workers_forward_each_statement_once(app, session, version, redis_queue, ralph):
    rows = _passes(session, version)
    settings = _lrs_settings(ralph)
    with running_worker(app, "first", env=settings) as first, running_worker(app, "second", env=settings):
        eventually(lambda: all(row.sent_at for row in outbox(session)), "the statements to reach the LRS", first)
    assert sorted(ralph.held_once()) == sorted(row.statement_id for row in rows)
    assert all(row.tries == 1 for row in outbox(session))


def test_does_the_forwarder_do_nothing_without_an_lrs(app, session, version, queue):
    _passes(session, version)
    with running_worker(app) as worker:
        eventually(lambda: re.search(r"lms\.jobs\.tasks\.send_xapi: \S+ executed in", worker.text()), "the forwarder's first run", worker)
        assert worker.stop() == 0
    assert not any(row.sent_at for row in outbox(session))
    assert "Unhandled exception" not in worker.text()
