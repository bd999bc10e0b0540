"""Are repeated failed sign-ins slowed down, for every server, without revealing who has an account?"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from lms.models import SignInThrottle, User, utcnow
from lms.services import throttling
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token, sign_in

LOCKED = "Too many failed attempts to sign in"
GENERIC = "Enter a correct email address and password"


def fail(client, email: str, times: int) -> str:
    html = ""
    for _ in range(times):
        html = sign_in(client, email, "wrong password here").get_data(as_text=True)
    return html


def test_must_an_email_wait_after_five_failures_even_with_the_right_password(client, session):
    make_user(session, email="amal@example.org")
    session.commit()
    assert GENERIC in fail(client, "amal@example.org", throttling.EMAIL_LIMIT)
    html = sign_in(client, "amal@example.org", PASSWORD).get_data(as_text=True)
    assert LOCKED in html and re.search(r"Wait (29|30) seconds", html) and 'href="#password"' in html
    assert client.get("/my-training").status_code == 302


def test_does_an_unknown_email_wait_the_same_way_so_a_wait_reveals_nothing(client, session):
    make_user(session, email="amal@example.org")
    session.commit()
    fail(client, "amal@example.org", throttling.EMAIL_LIMIT)
    fail(client, "nobody@example.org", throttling.EMAIL_LIMIT)
    known = sign_in(client, "amal@example.org", "anything at all").get_data(as_text=True)
    unknown = sign_in(client, "nobody@example.org", "anything at all").get_data(as_text=True)
    assert LOCKED in known and LOCKED in unknown


def test_does_the_wait_back_off_and_never_reach_a_fifteen_minute_lock(session):
    make_user(session, email="amal@example.org")
    session.commit()
    moment, waits = utcnow(), []
    for _ in range(throttling.EMAIL_LIMIT - 1):
        throttling.sign_in(session, "amal@example.org", "wrong", "10.0.0.1", now=moment)
    for _ in range(8):  # each failure after the wait is over
        throttling.sign_in(session, "amal@example.org", "wrong", "10.0.0.1", now=moment)
        attempt = throttling.sign_in(session, "amal@example.org", PASSWORD, "10.0.0.1", now=moment)
        assert attempt.locked and attempt.user is None
        waits.append(attempt.wait)
        moment += attempt.wait
    assert [w.total_seconds() for w in waits] == [30, 60, 120, 240, 300, 300, 300, 300]
    after = throttling.sign_in(session, "amal@example.org", PASSWORD, "10.0.0.1", now=moment)
    assert after.user is not None and not after.locked


def test_are_failures_spread_beyond_the_window_not_added_together(session):
    make_user(session, email="amal@example.org")
    session.commit()
    start = utcnow()
    for minute in range(0, 4 * 16, 16):  # four failures, each in a fresh window
        throttling.sign_in(session, "amal@example.org", "wrong", None, now=start + dt.timedelta(minutes=minute))
    assert throttling.sign_in(session, "amal@example.org", PASSWORD, None, now=start + dt.timedelta(minutes=70)).user is not None


def test_is_one_office_address_trying_many_emails_slowed_for_seconds_not_locked_out(session, monkeypatch):
    monkeypatch.setattr(throttling, "ADDRESS_LIMIT", 8)  # the rule, not the production number, is under test
    make_user(session, email="amal@example.org")
    session.commit()
    now = utcnow()
    for number in range(throttling.ADDRESS_LIMIT + 40):
        throttling.sign_in(session, f"guess{number}@example.org", "wrong", "203.0.113.9", now=now)
        now += dt.timedelta(seconds=31)  # an office where someone mistypes every half minute, for ever
    waiting = throttling.sign_in(session, "amal@example.org", PASSWORD, "203.0.113.9", now=now - dt.timedelta(seconds=30))
    assert waiting.locked and waiting.wait <= throttling.ADDRESS_MAX_WAIT
    assert throttling.sign_in(session, "amal@example.org", PASSWORD, "203.0.113.9", now=now).user is not None
    assert throttling.sign_in(session, "amal@example.org", PASSWORD, "198.51.100.7", now=now).user is not None


def test_does_a_fixed_lock_still_guard_certificate_name_checks(session):
    start = utcnow()
    throttling.count_failures(session, {"certificate:ABC": 2}, start)
    throttling.count_failures(session, {"certificate:ABC": 2}, start)
    session.commit()
    assert throttling.locked_rows(session, ["certificate:ABC"], start + throttling.LOCKOUT - dt.timedelta(seconds=1))
    assert not throttling.locked_rows(session, ["certificate:ABC"], start + throttling.LOCKOUT)


def test_does_a_successful_sign_in_clear_failures_and_record_the_time(client, session):
    make_user(session, email="amal@example.org")
    session.commit()
    fail(client, "amal@example.org", throttling.EMAIL_LIMIT - 1)
    assert sign_in(client, "amal@example.org").status_code == 302
    session.rollback()
    assert session.get(SignInThrottle, throttling.email_key("amal@example.org")) is None
    user = session.scalar(select(User).where(User.email == "amal@example.org"))
    assert user.last_sign_in_at is not None and utcnow() - user.last_sign_in_at < dt.timedelta(minutes=5)


def test_behind_a_trusted_proxy_is_the_browsers_address_counted_not_the_proxys(app, client, session):
    app.config["PROXY_HOPS"] = 1
    page = client.get("/sign-in").get_data(as_text=True)
    client.post("/sign-in", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"},
                data={"email": "amal@example.org", "password": "wrong password", "csrf_token": csrf_token(page)})
    session.rollback()
    assert session.get(SignInThrottle, throttling.address_key("203.0.113.9")).failures == 1
    assert session.get(SignInThrottle, throttling.address_key("127.0.0.1")) is None


def test_without_a_trusted_proxy_is_a_forwarded_header_ignored(client, session):
    page = client.get("/sign-in").get_data(as_text=True)
    client.post("/sign-in", headers={"X-Forwarded-For": "203.0.113.9"},
                data={"email": "amal@example.org", "password": "wrong password", "csrf_token": csrf_token(page)})
    session.rollback()
    assert session.get(SignInThrottle, throttling.address_key("203.0.113.9")) is None
    assert session.get(SignInThrottle, throttling.address_key("127.0.0.1")).failures == 1
