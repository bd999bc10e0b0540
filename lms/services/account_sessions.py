"""Ending a person's sessions everywhere: the session generation and "keep me signed in" tokens.

Session cookies are signed but kept by the browser, so clearing one in a browser does not stop a copy
of it working. Instead every cookie carries the person's session generation (see User.get_id and
lms.extensions.load_user); raising it here, in the database every app server reads, makes every older
cookie load nobody. Remember-me tokens are rows, revoked in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import RememberToken, User, utcnow

REMEMBER_FOR = dt.timedelta(days=30)


def end_sessions(session: Session, user: User, now: dt.datetime | None = None) -> None:
    """End every session and remember-me token of `user`, in the caller's transaction.

    Called on sign-out, password reset, deactivation, erasure and a change of role.
    """
    user.session_generation = (user.session_generation or 0) + 1
    session.execute(update(RememberToken).where(RememberToken.user_id == user.id, RememberToken.revoked_at.is_(None))
                    .values(revoked_at=now or utcnow()))


@dataclass(frozen=True)
class IssuedToken:
    """A remember-me token as the cookie carries it ("selector.validator"), and when it stops working."""

    cookie_value: str
    expires_at: dt.datetime


def _digest(validator: str) -> str:
    return hashlib.sha256(validator.encode("ascii")).hexdigest()


def issue_remember_token(session: Session, user: User, now: dt.datetime | None = None) -> IssuedToken:
    """A new random token for one sign-in on one device; only the validator's digest is stored."""
    now = now or utcnow()
    selector, validator = secrets.token_urlsafe(12), secrets.token_urlsafe(32)
    with write_transaction(session):
        session.add(RememberToken(user_id=user.id, selector=selector, validator_hash=_digest(validator),
                                  created_at=now, expires_at=now + REMEMBER_FOR))
    return IssuedToken(f"{selector}.{validator}", now + REMEMBER_FOR)


def user_for_remember_token(session: Session, cookie_value: str, now: dt.datetime | None = None) -> User | None:
    """The active person a presented token belongs to, if it is unrevoked and unexpired on the server."""
    selector, _, validator = cookie_value.partition(".")
    if not selector or not validator or len(cookie_value) > 100 or not cookie_value.isascii():
        return None
    token = session.scalar(select(RememberToken).where(RememberToken.selector == selector))
    now = now or utcnow()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    if not hmac.compare_digest(token.validator_hash, _digest(validator)):
        return None
    user = session.get(User, token.user_id)
    return user if user is not None and user.active else None
