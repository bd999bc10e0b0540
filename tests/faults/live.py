"""Real processes for the fault tests: the app under gunicorn on 127.0.0.1, and learners to drive it.

Learners are signed in by minting their session cookie with the app's own secret key (what a sign-in
would have set), so a test needs no password hashing per learner; everything after that goes through
HTTP to the real server.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
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
SERVER_LOG = "gunicorn.log"


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
def gunicorn(app: Flask, instance: Path, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen, int]]:
    """The app as the README deploys it (gunicorn, sync workers) on a free local port, stopped afterwards.

    The server runs in a process group of its own, so `kill_server` can take the master and its workers
    down together, as a crashed machine would; its log goes to `server_log(instance)`. `env` adds settings.
    """
    port = free_port()
    instance.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "LMS_DATABASE_URL": app.config["DATABASE_URL"], "LMS_SECRET_KEY": app.config["SECRET_KEY"],
                   "LMS_SESSION_COOKIE_SECURE": "false", "LMS_INSTANCE_PATH": str(instance), **(env or {})}
    with open(instance / SERVER_LOG, "wb") as log:  # a file, not a pipe: a chatty server can never block on it
        server = subprocess.Popen([GUNICORN, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5",
                                   "lms:create_app()"], cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=log,
                                  start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while len(worker_pids(server)) < workers or not _healthy(port):
            assert server.poll() is None, server_log(instance)
            assert time.monotonic() < deadline, f"gunicorn did not start within {STARTUP_SECONDS} s"
            time.sleep(0.1)
        yield server, port
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL to the whole group if it lingers."""
    if server.poll() is not None:
        return  # already stopped, or killed by the test
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        kill_server(server)


def kill_server(server: subprocess.Popen) -> None:
    """SIGKILL the server's whole process group, master and workers: nothing of it is left to answer."""
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.wait(timeout=10)


def server_log(instance: Path) -> str:
    """What the server started by `gunicorn(app, instance)` has written to its log (stderr) so far."""
    return (instance / SERVER_LOG).read_text(errors="replace")


def _healthy(port: int) -> bool:
    try:
        return request(port, "GET", "/healthz")[0] == 200
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


def call(port: int, method: str, path: str, cookies: dict[str, str], form: dict | list | None = None) -> tuple[int, str, str]:
    """One request as a browser makes it, with its cookies; cookies the response sets or deletes update `cookies`.
    Returns (status, Location header, body text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"User-Agent": USER_AGENT, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=urlencode(form or {}, doseq=True).encode(), headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["expires"] != "Thu, 01 Jan 1970 00:00:00 GMT":
                    cookies[name] = morsel.value
                else:
                    cookies.pop(name, None)
        return response.status, response.getheader("Location", ""), response.read().decode()
    finally:
        connection.close()


def csrf(body: str) -> str:
    """The CSRF token of the (first) form on a page."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


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
