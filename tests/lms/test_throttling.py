"""Are repeated failed sign-ins slowed down, for every server, without revealing who has an account?"""

from __future__ import annotations

import datetime as dt

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


def test_is_an_email_locked_after_five_failures_even_with_the_right_password(client, session):
    make_user(session, email="amal@example.org")
    session.commit()
    assert GENERIC in fail(client, "amal@example.org", throttling.EMAIL_LIMIT)
    html = sign_in(client, "amal@example.org", PASSWORD).get_data(as_text=True)
    assert LOCKED in html and 'href="#password"' in html
    assert client.get("/my-training").status_code == 302


def test_does_an_unknown_email_lock_the_same_way_so_a_lock_reveals_nothing(client, session):
    make_user(session, email="amal@example.org")
    session.commit()
    fail(client, "amal@example.org", throttling.EMAIL_LIMIT)
    fail(client, "nobody@example.org", throttling.EMAIL_LIMIT)
    known = sign_in(client, "amal@example.org", "anything at all").get_data(as_text=True)
    unknown = sign_in(client, "nobody@example.org", "anything at all").get_data(as_text=True)
    assert LOCKED in known and LOCKED in unknown


def test_does_a_lock_end_after_fifteen_minutes(session):
    make_user(session, email="amal@example.org")
    session.commit()
    start = utcnow()
    for _ in range(throttling.EMAIL_LIMIT):
        throttling.sign_in(session, "amal@example.org", "wrong", "10.0.0.1", now=start)
    assert throttling.sign_in(session, "amal@example.org", PASSWORD, "10.0.0.1", now=start + throttling.LOCKOUT - dt.timedelta(seconds=1)).locked
    after = throttling.sign_in(session, "amal@example.org", PASSWORD, "10.0.0.1", now=start + throttling.LOCKOUT)
    assert after.user is not None and not after.locked


def test_are_failures_spread_beyond_the_window_not_added_together(session):
    make_user(session, email="amal@example.org")
    session.commit()
    start = utcnow()
    for minute in range(0, 4 * 16, 16):  # four failures, each in a fresh window
        throttling.sign_in(session, "amal@example.org", "wrong", None, now=start + dt.timedelta(minutes=minute))
    assert throttling.sign_in(session, "amal@example.org", PASSWORD, None, now=start + dt.timedelta(minutes=70)).user is not None


def test_does_one_client_address_trying_many_emails_get_locked(session, monkeypatch):
    monkeypatch.setattr(throttling, "ADDRESS_LIMIT", 8)  # the rule, not the production number, is under test
    make_user(session, email="amal@example.org")
    session.commit()
    now = utcnow()
    for number in range(throttling.ADDRESS_LIMIT):
        throttling.sign_in(session, f"guess{number}@example.org", "wrong", "203.0.113.9", now=now)
    assert throttling.sign_in(session, "amal@example.org", PASSWORD, "203.0.113.9", now=now).locked
    assert throttling.sign_in(session, "amal@example.org", PASSWORD, "198.51.100.7", now=now).user is not None


def test_does_a_successful_sign_in_clear_failures_and_record_the_time(client, session):
    make_user(session, email="amal@example.org")
    session.commit()
    fail(client, "amal@example.org", throttling.EMAIL_LIMIT - 1)
    assert sign_in(client, "amal@example.org").status_code == 302
    session.rollback()
    assert session.get(SignInThrottle, throttling.email_key("amal@example.org")) is None
    user = session.scalar(select(User).where(User.email == "amal@example.org"))
    assert user.last_sign_in_at is not None and utcnow() - user.last_sign_in_at < dt.timedelta(minutes=5)


def test_does_remember_me_set_a_lasting_cookie(client, session):
    make_user(session, email="amal@example.org")
    session.commit()
    page = client.get("/sign-in").get_data(as_text=True)
    response = client.post("/sign-in", data={"email": "amal@example.org", "password": PASSWORD, "remember": "y",
                                             "csrf_token": csrf_token(page)})
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "Expires=" in c and "HttpOnly" in c for c in cookies)


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
