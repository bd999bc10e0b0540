"""Real processes for the fault tests: the app under gunicorn on 127.0.0.1, and learners to drive it.

Learners are signed in by minting their session cookie with the app's own secret key (what a sign-in
would have set), so a test needs no password hashing per learner; everything after that goes through
HTTP to the real server.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, g
from flask import session as flask_session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from lms.models import Attempt, Module, ModuleVersion, Organisation, User, utcnow
from lms.services.accounts import hash_password
from lms.services.assessment_draw import draw, new_seed
from tests.builders import answer_form

GUNICORN = str(Path(sys.executable).parent / "gunicorn")
ROOT = Path(__file__).resolve().parents[2]
USER_AGENT = "lms-fault-test/1"
STARTUP_SECONDS = 30


@dataclass
class Learner:
    """A signed-in learner with one open attempt and the form that passes it."""

    user_id: int
    cookie: str
    attempt_id: int
    passing_form: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app: Flask, instance: Path, workers: int = 2) -> Iterator[tuple[subprocess.Popen, int]]:
    """The app as the README deploys it (gunicorn, sync workers) on a free local port, stopped afterwards."""
    port = free_port()
    env = {**os.environ, "LMS_DATABASE_URL": app.config["DATABASE_URL"], "LMS_SECRET_KEY": app.config["SECRET_KEY"],
           "LMS_SESSION_COOKIE_SECURE": "false", "LMS_INSTANCE_PATH": str(instance)}
    server = subprocess.Popen([GUNICORN, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5",
                               "lms:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while len(worker_pids(server)) < workers or not _answers(port):
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, f"gunicorn did not start within {STARTUP_SECONDS} s"
            time.sleep(0.1)
        yield server, port
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def _answers(port: int) -> bool:
    try:
        return request(port, "GET", "/sign-in")[0] == 200
    except OSError:
        return False


def worker_pids(server: subprocess.Popen) -> list[int]:
    """The gunicorn master's worker processes, from /proc."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def request(port: int, method: str, path: str, cookie: str = "", body: str = "") -> tuple[int, str, str]:
    """One HTTP request on its own connection: (status, Location header, body text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"User-Agent": USER_AGENT, "Cookie": cookie}
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Location", ""), response.read().decode()
    finally:
        connection.close()


def session_cookie(app: Flask, user: User) -> tuple[str, str]:
    """The session cookie a sign-in from this client would set, and its CSRF form token."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}):
        login_user(user)
        g.pop("csrf_token", None)  # g belongs to the app context, which every request context here shares
        token = generate_csrf()
        return "session=" + app.session_interface.get_signing_serializer(app).dumps(dict(flask_session)), token


def add_learners(app: Flask, session: Session, organisation: Organisation, count: int, prefix: str = "learner") -> list[Learner]:
    """`count` learners of the organisation, each signed in with an open attempt at the tiny module."""
    password_hash = hash_password("not used: these learners are signed in by cookie")
    session.execute(insert(User), [{"email": f"{prefix}{n}@faults.example", "full_name": f"Learner {n}", "password_hash": password_hash,
                                    "organisation_id": organisation.id, "email_confirmed_at": utcnow()} for n in range(count)])
    version = session.get(ModuleVersion, session.scalar(select(Module.current_version_id).where(Module.slug == "tiny-module")))
    users = session.scalars(select(User).where(User.email.like(f"{prefix}%@faults.example")).order_by(User.id)).all()
    seeds = {u.id: new_seed() for u in users}
    session.execute(insert(Attempt), [{"user_id": u.id, "version_id": version.id, "seed": seeds[u.id], "drawn": draw(version, seeds[u.id])}
                                      for u in users])
    session.commit()
    attempts = {a.user_id: a for a in session.scalars(select(Attempt).where(Attempt.user_id.in_([u.id for u in users])))}
    learners = []
    for user in users:
        cookie, token = session_cookie(app, user)
        right = [(field, value) for field, values in answer_form(session, attempts[user.id]).items() for value in values]
        learners.append(Learner(user.id, cookie, attempts[user.id].id, urlencode([("csrf_token", token), *right])))
    return learners
