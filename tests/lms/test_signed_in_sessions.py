"""Do sessions end when people sign out, everywhere, and is "keep me signed in" a token the server controls?"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lms.db import db
from lms.models import RememberToken, User, utcnow
from lms.services import account_sessions
from lms.signing_in import REMEMBER_COOKIE
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token

EMAIL = "amal@example.org"


@pytest.fixture
def person(app) -> int:
    """A learner, made in an app context of its own: with several browsers in one test, an outer context
    would share Flask's `g` (where Flask-Login keeps the signed-in person) between their requests."""
    with app.app_context():
        user = make_user(db.session, email=EMAIL)
        db.session.commit()
        user_id = user.id
        db.session.remove()
    return user_id


def sign_in(client, remember: bool = False):
    page = client.get("/sign-in").get_data(as_text=True)
    data = {"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_token(page)}
    if remember:
        data["remember"] = "y"
    return client.post("/sign-in", data=data)


def sign_out(client) -> None:
    token = csrf_token(client.get("/my-training").get_data(as_text=True))
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302


def signed_in(client) -> bool:
    return client.get("/my-training").status_code == 200


def test_does_signing_out_on_one_device_end_the_session_on_every_other(app, client, person):
    laptop, phone = client, app.test_client()
    sign_in(laptop), sign_in(phone)
    assert signed_in(laptop) and signed_in(phone)
    sign_out(laptop)
    assert not signed_in(laptop) and not signed_in(phone)


def test_does_a_copy_of_the_session_cookie_stop_working_after_sign_out(app, client, person):
    sign_in(client)
    stolen = client.get_cookie("session").value
    sign_out(client)
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/my-training").headers["Location"].startswith("/sign-in")


def test_is_keep_me_signed_in_a_random_token_stored_only_as_a_hash(app, client, person):
    response = sign_in(client, remember=True)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{REMEMBER_COOKIE}="))
    assert "Expires=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    value = client.get_cookie(REMEMBER_COOKIE).value
    selector, validator = value.split(".")
    with app.app_context():
        stored = db.session.scalar(select(RememberToken).where(RememberToken.selector == selector))
        assert stored.user_id == person and validator not in stored.validator_hash
        assert dt.timedelta(days=29) < stored.expires_at - utcnow() <= account_sessions.REMEMBER_FOR
    second = app.test_client()
    sign_in(second, remember=True)
    assert second.get_cookie(REMEMBER_COOKIE).value != value  # one token per sign-in


def test_does_the_remember_me_cookie_alone_sign_the_person_in_again(app, client, person):
    sign_in(client, remember=True)
    browser_restarted = app.test_client()  # the session cookie is gone, the lasting one is kept
    browser_restarted.set_cookie(REMEMBER_COOKIE, client.get_cookie(REMEMBER_COOKIE).value)
    assert signed_in(browser_restarted)


def test_does_signing_out_revoke_the_remember_me_token_on_the_server(app, client, person):
    sign_in(client, remember=True)
    kept = client.get_cookie(REMEMBER_COOKIE).value
    sign_out(client)
    assert client.get_cookie(REMEMBER_COOKIE) is None
    copy = app.test_client()
    copy.set_cookie(REMEMBER_COOKIE, kept)
    assert not signed_in(copy)
    with app.app_context():
        assert db.session.scalar(select(RememberToken.revoked_at)) is not None


def test_does_an_expired_remember_me_token_sign_nobody_in(app, client, session):
    user = make_user(session, email=EMAIL)
    issued = account_sessions.issue_remember_token(session, user, now=utcnow() - account_sessions.REMEMBER_FOR - dt.timedelta(minutes=1))
    client.set_cookie(REMEMBER_COOKIE, issued.cookie_value)
    assert not signed_in(client)


def test_is_a_forged_or_malformed_remember_me_cookie_refused_without_an_error(app, client, session):
    user = make_user(session, email=EMAIL)
    issued = account_sessions.issue_remember_token(session, user)
    selector = issued.cookie_value.split(".")[0]
    for forged in (f"{selector}.wrong-validator", selector, ".", "x" * 3000, "١٢.٣", f"{selector}.{'a' * 43}\x00"):
        probe = app.test_client()
        probe.set_cookie(REMEMBER_COOKIE, forged)
        response = probe.get("/my-training")
        assert response.status_code == 302, forged


def test_is_a_deactivated_persons_remember_me_cookie_refused(app, client, session):
    user = make_user(session, email=EMAIL)
    issued = account_sessions.issue_remember_token(session, user)
    session.get(User, user.id).active = False
    session.commit()
    client.set_cookie(REMEMBER_COOKIE, issued.cookie_value)
    assert not signed_in(client)


def test_is_the_csrf_secret_renewed_at_sign_in(app, client, person):
    """A token planted before sign-in (say, through a shared computer) must not work in the signed-in session."""
    before = csrf_token(client.get("/sign-in").get_data(as_text=True))
    sign_in(client)
    assert client.post("/sign-out", data={"csrf_token": before}).status_code == 400
    assert signed_in(client)
    after = csrf_token(client.get("/my-training").get_data(as_text=True))
    assert after != before
