"""What the job tests share: the queue a test's app and its workers use (SQLite file or Redis), and a real SMTP server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from huey import Huey

from lms.jobs import jobs_for
from tests.lms.notices.smtp_server import SmtpServer

REDIS_URL = "redis://127.0.0.1:6379/7"  # a database number of the job tests' own; each test also names its own queue


@pytest.fixture(params=["sqlite", "redis"])
def queue(request: pytest.FixtureRequest, app: Flask) -> Iterator[Huey]:
    """The app's queue, on SqliteHuey in its instance folder or on Redis; a Redis queue is emptied afterwards."""
    app.config.update(JOBS_QUEUE=f"lms_jobs_test_{uuid.uuid4().hex}", REDIS_URL=REDIS_URL if request.param == "redis" else "")
    huey = jobs_for(app).huey
    yield huey
    if request.param == "redis":
        huey.flush()


@pytest.fixture
def redis_queue(app: Flask) -> Iterator[Huey]:
    """The app's queue on Redis (what several app servers share), emptied afterwards."""
    app.config.update(JOBS_QUEUE=f"lms_jobs_test_{uuid.uuid4().hex}", REDIS_URL=REDIS_URL)
    huey = jobs_for(app).huey
    yield huey
    huey.flush()


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1; the app (and workers started from it) send there."""
    server = SmtpServer().start()
    app.config.update(server.mail_config)
    yield server
    server.stop()
