"""Starting and ending a signed-in session in the browser: the web side of lms.services.account_sessions.

Flask-Login keeps the person in Flask's signed session cookie, as `User.get_id()` ("id:generation").
Its own remember-me cookie would carry the same value for a year and could not be revoked, so it is
not used: "keep me signed in" sets REMEMBER_COOKIE, a random token checked against the database.
"""

from __future__ import annotations

from flask import Flask, Response, after_this_request, current_app, g, request, session
from flask_login import login_user, logout_user

from lms.db import db, write_transaction
from lms.extensions import login_manager
from lms.models import User
from lms.services import account_sessions

REMEMBER_COOKIE = "sl_remember"
SIGNED_IN_WITH = "sso_provider"  # the provider a session began at, so sign-out can offer its sign-out too
CSRF_SESSION_KEY = "csrf_token"  # Flask-WTF's default WTF_CSRF_FIELD_NAME, where it keeps the secret


def start_session(user: User, remember: bool) -> None:
    """Sign `user` in on this browser: a fresh CSRF secret, and a remember-me token if asked for."""
    _forget_csrf_secret()
    session.pop(SIGNED_IN_WITH, None)  # set again by the single sign-on callback when it began there
    login_user(user)
    if remember:
        issued = account_sessions.issue_remember_token(db.session, user)

        @after_this_request
        def set_cookie(response: Response) -> Response:
            response.set_cookie(REMEMBER_COOKIE, issued.cookie_value, expires=issued.expires_at, path="/",
                                secure=current_app.config["REMEMBER_COOKIE_SECURE"], httponly=True, samesite="Lax")
            return response


def end_session(user: User) -> None:
    """Sign `user` out here and everywhere else: every session and remember-me token of theirs ends."""
    with write_transaction(db.session):
        account_sessions.end_sessions(db.session, user)
    logout_user()
    session.clear()
    _forget_csrf_secret()
    _forget_cookie()


def _forget_csrf_secret() -> None:
    """A new CSRF secret for the next form: a token from before sign-in (or sign-out) must not work after it."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", CSRF_SESSION_KEY)
    session.pop(field, None)
    g.pop(field, None)  # Flask-WTF caches this request's token there


def _forget_cookie() -> None:
    @after_this_request
    def delete_cookie(response: Response) -> Response:
        response.delete_cookie(REMEMBER_COOKIE, path="/", secure=current_app.config["REMEMBER_COOKIE_SECURE"],
                               httponly=True, samesite="Lax")
        return response


def _from_remember_cookie(_request) -> User | None:
    """The person a valid remember-me cookie names, signed in again (not fresh) for this session."""
    value = request.cookies.get(REMEMBER_COOKIE)
    if not value:
        return None
    user = account_sessions.user_for_remember_token(db.session, value)
    if user is None:
        _forget_cookie()
        return None
    session["_user_id"], session["_fresh"] = user.get_id(), False
    return user


def init_app(app: Flask) -> None:
    login_manager.request_loader(_from_remember_cookie)
