"""Signed, time-limited, one-use links sent by email: password reset, and the set-password link of imported people.

A link is an itsdangerous token holding the person's public_id and a fingerprint of the account's
details; once those change (a new password, a confirmed address) the fingerprint no longer matches,
so a link works once. Each kind of link has its own salt, so one kind can never be used as another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import User, utcnow
from lms.services.account_sessions import end_sessions
from lms.services.accounts import awaiting_confirmation, hash_password, normalise_email
from lms.services.audit import record_event
from lms.services.throttling import clear_email, count_failures, locked_rows

MAX_AGE_SECONDS = 60 * 60
MAIL_LIMIT = 3  # emails with links to one address per throttling window (15 minutes), then a 15-minute pause


class ResetLinkError(ValueError):
    """A link that cannot be used; `expired` tells a late link from a broken or used one."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def password_fingerprint(user: User) -> str:
    """A digest of the current password hash: once the password changes, older links no longer match."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class LinkKind:
    """One kind of emailed link: where it opens, its own salt, how long it works, what ends it."""

    path: str
    salt: str
    max_age: int
    fingerprint: Callable[[User], str] = password_fingerprint

    def url(self, site_url: str, token: str) -> str:
        return site_url.rstrip("/") + self.path + token


RESET = LinkKind("/reset-password/", "password-reset", MAX_AGE_SECONDS)
SET_PASSWORD = LinkKind("/set-password/", "set-password", 7 * 24 * 60 * 60)


@dataclass
class ResetRequest:
    user: User
    token: str


def _serializer(secret_key: str, kind: LinkKind) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=kind.salt)


def make_token(user: User, secret_key: str, kind: LinkKind = RESET) -> str:
    return _serializer(secret_key, kind).dumps({"user": user.public_id, "fingerprint": kind.fingerprint(user)})


def mail_allowed(session: Session, email: str, now: dt.datetime) -> bool:
    """Count one emailed link to this address, in the caller's transaction; False once MAIL_LIMIT were sent
    lately, so nobody can flood a mailbox through our forms."""
    key = f"mail:{normalise_email(email)}"
    if locked_rows(session, [key], now):
        return False
    count_failures(session, {key: MAIL_LIMIT}, now)
    return True


def request_reset(session: Session, email: str, secret_key: str, now: dt.datetime | None = None) -> ResetRequest | None:
    """A reset link for an active account with this email, or None (unknown, or too many links lately);
    the caller says the same either way."""
    with write_transaction(session):
        allowed = mail_allowed(session, email, now or utcnow())
        user = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None or not user.active or not allowed or awaiting_confirmation(user):
        return None  # an unconfirmed registration is confirmed, or registered again, never reset into use
    return ResetRequest(user, make_token(user, secret_key))


def user_for_token(session: Session, token: str, secret_key: str, kind: LinkKind = RESET) -> User:
    """The account a link was made for, if it is fresh, untampered and not yet used."""
    try:
        payload = _serializer(secret_key, kind).loads(token, max_age=kind.max_age)
    except SignatureExpired:
        raise ResetLinkError(expired=True) from None
    except BadSignature:
        raise ResetLinkError(expired=False) from None
    if not isinstance(payload, dict):
        raise ResetLinkError(expired=False)
    user = session.scalar(select(User).where(User.public_id == str(payload.get("user"))))
    if user is None or not user.active or payload.get("fingerprint") != kind.fingerprint(user):
        raise ResetLinkError(expired=False)
    return user


def reset_password(session: Session, token: str, new_password: str, secret_key: str, kind: LinkKind = RESET,
                   now: dt.datetime | None = None) -> User:
    """Set a new password through a valid link; the link dies with the old password, every other session
    ends, and the address counts as confirmed (the link proved its owner reads that mailbox)."""
    now = now or utcnow()
    with write_transaction(session):
        user = user_for_token(session, token, secret_key, kind)
        user.password_hash = hash_password(new_password)
        user.email_confirmed_at = user.email_confirmed_at or now
        end_sessions(session, user, now)
        clear_email(session, user.email)
        record_event(session, "user.password_reset" if kind is RESET else "user.password_set", f"user:{user.public_id}", user.id)
    return user
