"""Two app servers behind nginx, as a partnership would run them: signing out on one server ends the
session on the other, for the session cookie and the "keep me signed in" cookie alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from lms.signing_in import REMEMBER_COOKIE
from tests.builders import PASSWORD, make_organisation, make_partnership, make_user
from tests.faults.balancer import nginx_in_front, require_nginx
from tests.faults.live import call, csrf, gunicorn

EMAIL = "officer@twoservers.example"


@pytest.fixture
def servers(app, session, tmp_path) -> Iterator[tuple[int, int, int]]:
    """(nginx, first server, second server) ports, with one confirmed officer who can sign in."""
    require_nginx()
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
