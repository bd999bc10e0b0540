"""What the job tests share: the queue a test's app and its workers use (SQLite file or Redis), and a real SMTP server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from huey import Huey

from lms.jobs import jobs_for
from tests.lms.notices.smtp_server import SmtpServer


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server of the tests' own on a free port of 127.0.0.1 (Debian's redis-server), keeping nothing on disk."""
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    port, folder = _free_port(), tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(folder), "--logfile", str(folder / "redis.log")])
    try:
        _wait_for_redis(port, process, folder / "redis.log")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def _wait_for_redis(port: int, process: subprocess.Popen, log: Path) -> None:
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                if connection.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"redis-server did not start: {log.read_text() if log.exists() else 'no log'}")


@pytest.fixture(params=["sqlite", "redis"])
def queue(request: pytest.FixtureRequest, app: Flask) -> Iterator[Huey]:
    """The app's queue, on SqliteHuey in its instance folder or on Redis; a Redis queue is emptied afterwards."""
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    app.config.update(JOBS_QUEUE=f"lms_jobs_test_{uuid.uuid4().hex}", REDIS_URL=redis_url)
    huey = jobs_for(app).huey
    yield huey
    if request.param == "redis":
        huey.flush()


@pytest.fixture
def redis_queue(app: Flask, redis_url: str) -> Iterator[Huey]:
    """The app's queue on Redis (what several app servers share), emptied afterwards."""
    app.config.update(JOBS_QUEUE=f"lms_jobs_test_{uuid.uuid4().hex}", REDIS_URL=redis_url)
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
