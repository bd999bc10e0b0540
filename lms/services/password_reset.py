"""Password reset by a signed, time-limited link that stops working once the password changes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import User
from lms.services.accounts import hash_password, normalise_email
from lms.services.audit import record_event
from lms.services.throttling import clear_email

MAX_AGE_SECONDS = 60 * 60
SALT = "password-reset"


class ResetLinkError(ValueError):
    """A reset link that cannot be used; `expired` tells a late link from a broken or used one."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass
class ResetRequest:
    user: User
    token: str


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def _fingerprint(user: User) -> str:
    """A digest of the current password hash: once the password changes, older links no longer match."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def make_token(user: User, secret_key: str) -> str:
    return _serializer(secret_key).dumps({"user": user.public_id, "fingerprint": _fingerprint(user)})


def request_reset(session: Session, email: str, secret_key: str) -> ResetRequest | None:
    """A reset link for an active account with this email, or None; the caller says the same either way."""
    user = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None or not user.active:
        return None
    return ResetRequest(user, make_token(user, secret_key))


def user_for_token(session: Session, token: str, secret_key: str, max_age: int = MAX_AGE_SECONDS) -> User:
    """The account a link was made for, if it is fresh, untampered and not yet used."""
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ResetLinkError(expired=True) from None
    except BadSignature:
        raise ResetLinkError(expired=False) from None
    if not isinstance(payload, dict):
        raise ResetLinkError(expired=False)
    user = session.scalar(select(User).where(User.public_id == str(payload.get("user"))))
    if user is None or not user.active or payload.get("fingerprint") != _fingerprint(user):
        raise ResetLinkError(expired=False)
    return user


def reset_password(session: Session, token: str, new_password: str, secret_key: str) -> User:
    """Set a new password through a valid link; the link dies with the old password."""
    with write_transaction(session):
        user = user_for_token(session, token, secret_key)
        user.password_hash = hash_password(new_password)
        clear_email(session, user.email)
        record_event(session, "user.password_reset", f"user:{user.public_id}", user.id)
    return user
