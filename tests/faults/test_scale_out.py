"""Scale-out, proven: two app servers (gunicorn, one sync worker each) behind nginx, round robin and no
sticky sessions, on the suite's database.

Sixty learners register, confirm their address from the emailed link, read the tiny module and pass its
assessment through the balancer, eight at a time; after twenty passes one server's whole process group
is killed. Every pass a learner was shown is recorded once, with its xAPI statement, and the other server
carries on. Failed sign-ins are counted together whichever server they reach, and a republished module
shows at once on every server, whatever each had cached.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.db import db
from lms.models import Attempt, Completion, User, XapiOutbox
from lms.services.throttling import EMAIL_LIMIT
from tests.builders import PASSWORD, answer_form, make_join_code, make_user, publish_module
from tests.faults.balancer import answers, error_log, nginx_in_front, require_nginx
from tests.faults.conftest import TINY
from tests.faults.live import call, csrf, gunicorn, kill_server, server_log

JOIN_CODE = "SCALE-OUT-1"
LEARNERS, KILL_AFTER, THREADS = 60, 20, 8
TRIES, PAUSE = 10, 0.2  # a person reloads a failed page a few times, a moment apart
RUN_SECONDS = 120  # the whole load, however slow the machine: then the test fails rather than hangs
GATEWAY_ERRORS = {502, 503, 504}
MODULE = "/modules/tiny-module"
OLD_TITLE = "Spotting harm"
LOCKED = "Too many failed attempts to sign in"
WRONG = "Enter a correct email address and password"


@dataclass
class Cluster:
    """The balancer's port, the two servers (process and port), and the folders the test reads."""

    balancer: int
    servers: list[tuple[subprocess.Popen, int]]
    instances: list[Path]
    nginx: Path
    mailbox: Path


@pytest.fixture
def cluster(app: Flask, session, organisation, tmp_path: Path) -> Iterator[Cluster]:
    """Two servers sharing the database and one mailbox (the file mail backend), nginx in front."""
    require_nginx()
    make_join_code(session, organisation, JOIN_CODE)
    session.commit()
    mailbox = tmp_path / "mailbox"
    settings = {"LMS_MAIL_BACKEND": "file", "LMS_MAIL_DIR": str(mailbox), "LMS_PROXY_HOPS": "1"}
    instances = [tmp_path / "first", tmp_path / "second"]
    with ExitStack() as stack:
        servers = [stack.enter_context(gunicorn(app, instance, workers=1, env=settings)) for instance in instances]
        balancer = stack.enter_context(nginx_in_front(tmp_path / "nginx", *(port for _server, port in servers)))
        yield Cluster(balancer, servers, instances, tmp_path / "nginx", mailbox)
    session.rollback()


def patient(port: int, method: str, path: str, cookies: dict, form: dict | list | None = None) -> tuple[int, str, str]:
    """One request as a person makes it: a gateway error or a dropped connection, and they try again."""
    for _try in range(TRIES):
        try:
            status, location, body = call(port, method, path, cookies, form)
        except (OSError, http.client.HTTPException) as error:
            status, location, body = 0, "", repr(error)
        if status not in GATEWAY_ERRORS and status != 0:
            return status, urlsplit(location).path, body
        time.sleep(PAUSE)
    raise AssertionError(f"{method} {path} failed {TRIES} times: {status or body}")


def confirmation_link(mailbox: Path, email: str) -> str:
    """The link, from its path on, in the newest email to `email` (a second registration sends a fresh one)."""
    letters = sorted(letter for letter in mailbox.glob("*.txt") if f"\nTo: {email}\n" in letter.read_text())
    assert letters, f"no email to {email} in {mailbox}"
    return re.search(r"/confirm-email/\S+", letters[-1].read_text()).group(0)


def sign_in(port: int, email: str, password: str = PASSWORD) -> tuple[int, str, dict]:
    """Sign in from a fresh browser: (status, page, cookies); a 302 goes to My training."""
    cookies: dict[str, str] = {}
    _status, _location, page = patient(port, "GET", "/sign-in", cookies)
    status, _location, body = patient(port, "POST", "/sign-in", cookies, {"csrf_token": csrf(page), "email": email, "password": password})
    return status, body, cookies


def register_and_confirm(cluster: Cluster, email: str) -> dict[str, str]:
    """Register with the join code, open the emailed link, confirm with the password: signed in."""
    cookies: dict[str, str] = {}
    _status, _location, page = patient(cluster.balancer, "GET", "/register", cookies)
    form = {"csrf_token": csrf(page), "full_name": "Scale Learner", "email": email, "join_code": JOIN_CODE,
            "password": PASSWORD, "confirm": PASSWORD}
    status, _location, body = patient(cluster.balancer, "POST", "/register", cookies, form)
    assert status == 200 and "Check your email" in body, f"registering {email}: {status}"
    link, cookies = confirmation_link(cluster.mailbox, email), {}
    status, _location, page = patient(cluster.balancer, "GET", link, cookies)
    assert status == 200 and "Confirm your email address" in page, f"the link for {email}: {status}"
    status, location, body = patient(cluster.balancer, "POST", link, cookies, {"csrf_token": csrf(page), "password": PASSWORD})
    if status == 400 and "If you have confirmed your address already" in body:  # by a try whose answer died with its server
        status, _body, cookies = sign_in(cluster.balancer, email)
        location = "/my-training"
    assert status == 302 and location == "/my-training", f"confirming {email}: {status} {location}"
    return cookies


def pass_module(cluster: Cluster, app: Flask, cookies: dict[str, str]) -> str:
    """Read the lesson, start the assessment, answer every question right, submit, read the result:
    the verification code the result page shows."""
    for path in (MODULE, f"{MODULE}/pages/1"):
        assert patient(cluster.balancer, "GET", path, cookies)[0] == 200
    _status, _location, page = patient(cluster.balancer, "GET", f"{MODULE}/assessment", cookies)
    status, attempt_path, _body = patient(cluster.balancer, "POST", f"{MODULE}/assessment", cookies, {"csrf_token": csrf(page)})
    assert status == 302 and attempt_path.startswith("/attempts/"), f"starting the assessment: {status}"
    _status, _location, page = patient(cluster.balancer, "GET", attempt_path, cookies)
    form = [("csrf_token", csrf(page)), *right_answers(app, int(attempt_path.rsplit("/", 1)[1]))]
    status, result_path, _body = patient(cluster.balancer, "POST", attempt_path, cookies, form)
    assert status == 302 and result_path == f"{attempt_path}/result", f"submitting {attempt_path}: {status} {result_path}"
    status, _location, result = patient(cluster.balancer, "GET", result_path, cookies)
    assert status == 200 and "You passed" in result, f"the result of {attempt_path}: {status}"
    return re.search(r"verification code is <strong>([A-Z0-9]+)</strong>", result).group(1)


def right_answers(app: Flask, attempt_id: int) -> list[tuple[str, str]]:
    """The right answers in this attempt's own option identifiers (the learner has read the lesson)."""
    with app.app_context():  # each thread its own app context, so its own database session
        attempt = db.session.get(Attempt, attempt_id)
        return [(name, value) for name, values in answer_form(db.session, attempt).items() for value in values]


def page_title(port: int, cookies: dict[str, str]) -> str:
    """The heading of the tiny module's first lesson page, as the server on `port` shows it."""
    status, _location, body = call(port, "GET", f"{MODULE}/pages/1", dict(cookies))
    assert status == 200, f"lesson page on {port}: {status}"
    return re.search(r'<h1 class="govuk-heading-l">\s*(.*?)\s*</h1>', body, re.S).group(1)


def republish(session, tmp_path: Path, title: str) -> None:
    """A trainer's release: the tiny module with a new first-page title, built and published (as `lms courses publish`)."""
    source = tmp_path / re.sub(r"\W+", "-", title.lower())
    shutil.copytree(TINY, source)
    notebook_path = source / "tiny-module.ipynb"
    notebook = nbformat.read(notebook_path, as_version=4)
    first_page = next(cell for cell in notebook.cells if cell.source.startswith(f"# {OLD_TITLE}"))
    first_page.source = first_page.source.replace(f"# {OLD_TITLE}", f"# {title}", 1)
    nbformat.write(notebook, notebook_path)
    publish_module(session, source, source.with_name(source.name + "-build"))


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.05)


def refuses_connections(port: int) -> bool:
    try:
        call(port, "GET", "/healthz", {})
    except ConnectionRefusedError:
        return True
    except (OSError, http.client.HTTPException):
        return False
    return False


class HealthWatch:
    """Asks one server's /healthz every 0.2 s from a thread of its own, keeping every answer."""

    def __init__(self, port: int) -> None:
        self.port, self.statuses, self._stop = port, [], threading.Event()
        self._thread = threading.Thread(target=self._watch, name="healthz-watch", daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            try:
                self.statuses.append(call(self.port, "GET", "/healthz", {})[0])
            except (OSError, http.client.HTTPException) as error:
                self.statuses.append(repr(error))

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=35)


def run_learners(cluster: Cluster, app: Flask) -> tuple[dict[str, str], int]:
    """Sixty learners through the balancer, eight at a time; the first server is killed after twenty passes.
    Returns each learner's email with the verification code their result page showed, and how many lines
    the balancer's access log had once the killed server's port was closed."""
    shown: dict[str, str] = {}
    (victim, dead), _survivor = cluster.servers

    def journey(number: int) -> None:
        email = f"learner{number}@scaleout.example"
        shown[email] = pass_module(cluster, app, register_and_confirm(cluster, email))

    pool = ThreadPoolExecutor(THREADS, thread_name_prefix="learner")
    try:
        journeys = [pool.submit(journey, number) for number in range(LEARNERS)]
        wait_for(lambda: len(shown) >= KILL_AFTER or any(j.done() and j.exception() for j in journeys), RUN_SECONDS, "twenty passes")
        kill_server(victim)  # master and worker at once, mid-load: requests are in flight on it
        wait_for(lambda: refuses_connections(dead), 10, "the killed server's port closing")
        after_kill = len(answers(cluster.nginx))
        deadline = time.monotonic() + RUN_SECONDS
        for finished in journeys:
            finished.result(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return shown, after_kill


def test_do_sixty_learners_pass_through_the_balancer_with_every_pass_kept_once_when_a_server_dies(cluster, app, session, tmp_path):
    (_victim, dead), (_survivor, alive) = cluster.servers
    with HealthWatch(alive) as health:
        shown, after_kill = run_learners(cluster, app)
        survivor_cookies = register_and_confirm(cluster, "late@scaleout.example")  # a learner who comes along later
        assert page_title(alive, survivor_cookies) == OLD_TITLE
    assert len(shown) == LEARNERS
    assert health.statuses and set(health.statuses) == {200}, f"the surviving server's /healthz answered {health.statuses}"
    later = [answer for answer in answers(cluster.nginx)[after_kill:] if answer.status < 500]
    assert len(later) > LEARNERS and {answer.server for answer in later} == {alive}, "the survivor did not serve the rest"
    assert f"127.0.0.1:{dead}" in error_log(cluster.nginx), "nginx logged no failure of the killed server"
    assert "Traceback" not in server_log(cluster.instances[1]), server_log(cluster.instances[1])[-3000:]
    assert_each_pass_kept_once(session, shown)

    republish(session, tmp_path, "Spotting harm at work")  # the survivor has the old page in its cache
    assert page_title(alive, survivor_cookies) == "Spotting harm at work"
    assert page_title(cluster.balancer, survivor_cookies) == "Spotting harm at work"


def assert_each_pass_kept_once(session, shown: dict[str, str]) -> None:
    """One completion per learner, the one whose code their result page showed; one attempt each; one xAPI
    statement per completion and per attempt, none missing and none twice."""
    session.rollback()  # read afresh: the servers wrote
    learner = User.email.like("learner%@scaleout.example")
    kept = dict(session.execute(select(User.email, Completion.verification_code)
                                .join(Completion, Completion.user_id == User.id).where(learner)).all())
    assert kept == shown, f"passes shown but not kept as shown: {sorted(set(shown.items()) - set(kept.items()))}"
    assert session.scalar(select(func.count(Completion.id)).join(User, User.id == Completion.user_id).where(learner)) == LEARNERS
    attempts = session.execute(select(Attempt.id, Attempt.passed).join(User, User.id == Attempt.user_id).where(learner)).all()
    assert len(attempts) == LEARNERS and all(passed for _id, passed in attempts), "a learner was made to start again"
    completion_ids = sorted(session.scalars(select(Completion.id)))
    statements = session.execute(select(XapiOutbox.record_kind, XapiOutbox.record_id)).all()
    assert sorted(record_id for kind, record_id in statements if kind == "completion") == completion_ids
    assert sorted(record_id for kind, record_id in statements if kind == "attempt") == sorted(session.scalars(select(Attempt.id)))
    assert session.scalar(select(func.count(func.distinct(XapiOutbox.statement_id)))) == len(statements)


def test_are_failed_sign_ins_counted_together_and_a_republish_seen_at_once_on_both_servers(cluster, session, organisation, tmp_path):
    (_first, first), (_second, second) = cluster.servers
    steady, guessed = (make_user(session, organisation, email=f"{name}@scaleout.example").email for name in ("steady", "guessed"))
    session.commit()
    one_short = failed_sign_ins(cluster, steady, EMAIL_LIMIT - 1)
    status, _body, cookies = sign_in(cluster.balancer, steady)
    assert status == 302, "one failure short of the limit, the right password should still work"
    at_limit = failed_sign_ins(cluster, guessed, EMAIL_LIMIT)
    assert {a.server for a in one_short} == {a.server for a in at_limit} == {first, second}, "the failures missed a server"
    for port in (first, second, cluster.balancer):
        status, body, _cookies = sign_in(port, guessed)
        assert status == 200 and LOCKED in body, f"after {EMAIL_LIMIT} failures spread over both servers, {port} let {guessed} in"

    assert [page_title(port, cookies) for port in (first, second)] == [OLD_TITLE, OLD_TITLE]  # each has it cached now
    republish(session, tmp_path, "Spotting harm at work")
    assert [page_title(port, cookies) for port in (first, second, cluster.balancer, cluster.balancer)] == ["Spotting harm at work"] * 4


def failed_sign_ins(cluster: Cluster, email: str, count: int) -> list:
    """`count` wrong passwords through the balancer, resubmitting the sign-in form as a person would:
    the balancer's log lines for those submissions (so which server each reached)."""
    cookies: dict[str, str] = {}
    _status, _location, page = call(cluster.balancer, "GET", "/sign-in", cookies)
    before = len(answers(cluster.nginx))
    for _try in range(count):
        form = {"csrf_token": csrf(page), "email": email, "password": "not my password"}
        status, _location, page = call(cluster.balancer, "POST", "/sign-in", cookies, form)
        assert status == 200 and WRONG in page, f"a wrong password for {email}: {status}"
    return [answer for answer in answers(cluster.nginx)[before:] if answer.method == "POST"]
