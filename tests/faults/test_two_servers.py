"""Two app servers behind nginx, as a partnership would run them: signing out on one server ends the
session on the other, for the session cookie and the "keep me signed in" cookie alike."""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from lms.signing_in import REMEMBER_COOKIE
from tests.builders import PASSWORD, make_organisation, make_partnership, make_user
from tests.faults.live import STARTUP_SECONDS, USER_AGENT, free_port, gunicorn

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
EMAIL = "officer@twoservers.example"
NGINX_CONF = """worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  upstream lms {{ server 127.0.0.1:{first}; server 127.0.0.1:{second}; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{ proxy_pass http://lms; proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; }}
  }}
}}
"""


def call(port: int, method: str, path: str, cookies: dict[str, str], form: dict | None = None) -> tuple[int, str, str]:
    """One request with the browser's cookies; cookies the response sets or deletes update `cookies`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"User-Agent": USER_AGENT, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=urlencode(form or {}).encode(), headers=headers)
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
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)


@contextmanager
def nginx_in_front(tmp: Path, first: int, second: int) -> Iterator[int]:
    """nginx on a free port, sharing requests round robin between the two servers."""
    port = free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, first=first, second=second, port=port))
    process = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(port):
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        return call(port, "GET", "/sign-in", {})[0] == 200
    except OSError:
        return False


@pytest.fixture
def servers(app, session, tmp_path) -> Iterator[tuple[int, int, int]]:
    """(nginx, first server, second server) ports, with one confirmed officer who can sign in."""
    if not Path(NGINX).exists():
        pytest.fail(f"nginx is missing at {NGINX}: apt-get install nginx-light (make test installs it)")
    make_user(session, make_organisation(session, make_partnership(session, "Safer Two"), "Two Council"), email=EMAIL)
    session.commit()
    with ExitStack() as stack:
        _first_server, first = stack.enter_context(gunicorn(app, tmp_path / "first", workers=1))
        _second_server, second = stack.enter_context(gunicorn(app, tmp_path / "second", workers=1))
        yield stack.enter_context(nginx_in_front(tmp_path / "nginx", first, second)), first, second
    session.rollback()


def sign_in_through(port: int) -> dict[str, str]:
    cookies: dict[str, str] = {}
    _status, _location, page = call(port, "GET", "/sign-in", cookies)
    status, location, _body = call(port, "POST", "/sign-in", cookies,
                                   {"csrf_token": csrf(page), "email": EMAIL, "password": PASSWORD, "remember": "y"})
    assert status == 302 and location.endswith("/my-training"), "sign-in through nginx failed"
    assert {"session", REMEMBER_COOKIE} <= cookies.keys()
    return cookies


def opens_my_training(port: int, cookies: dict[str, str]) -> bool:
    return call(port, "GET", "/my-training", dict(cookies))[0] == 200


def test_does_signing_out_on_one_server_end_the_session_on_the_other(servers):
    balancer, first, second = servers
    cookies = sign_in_through(balancer)
    assert all(opens_my_training(port, cookies) for port in (balancer, balancer, first, second))
    kept = dict(cookies)
    _status, _location, page = call(first, "GET", "/my-training", cookies)
    assert call(second, "POST", "/sign-out", cookies, {"csrf_token": csrf(page)})[0] == 302
    assert REMEMBER_COOKIE not in cookies
    for port in (first, second, balancer):
        assert not opens_my_training(port, {"session": kept["session"]}), f"the old session cookie still works on {port}"
        assert not opens_my_training(port, {REMEMBER_COOKIE: kept[REMEMBER_COOKIE]}), f"the old remember-me cookie works on {port}"


def test_does_keep_me_signed_in_work_on_every_server_behind_the_balancer(servers):
    balancer, first, second = servers
    remembered = {REMEMBER_COOKIE: sign_in_through(balancer)[REMEMBER_COOKIE]}  # the browser was closed: no session cookie
    assert opens_my_training(first, remembered) and opens_my_training(second, remembered)
