"""Confirming an email address: a signed link, mailed at registration, that proves the person reads that mailbox.

Until the address is confirmed the account can read lessons but not start an assessment, so every
e-learning completion belongs to someone who controls the address it is recorded under.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import User, utcnow
from lms.services.audit import record_event
from lms.services.password_reset import LinkKind, mail_allowed, make_token, user_for_token

MAX_AGE_SECONDS = 48 * 60 * 60


def confirmation_fingerprint(user: User) -> str:
    """A digest of what the link vouches for: the address, the password and whether it is confirmed yet.

    Confirming, or a new registration replacing the account's details, changes it, so the link works once.
    """
    state = f"{user.email}\n{user.password_hash}\n{user.email_confirmed_at is not None}"
    return hashlib.sha256(state.encode()).hexdigest()[:32]


CONFIRM = LinkKind("/confirm-email/", "email-confirmation", MAX_AGE_SECONDS, confirmation_fingerprint)


def confirmation_token(user: User, secret_key: str) -> str:
    return make_token(user, secret_key, CONFIRM)


def user_to_confirm(session: Session, token: str, secret_key: str) -> User:
    """The account a confirmation link is for, or ResetLinkError (expired, tampered, used or superseded)."""
    return user_for_token(session, token, secret_key, CONFIRM)


def confirm_email(session: Session, token: str, secret_key: str, now: dt.datetime | None = None) -> User:
    """Mark the address confirmed through a valid link; the link then stops working."""
    with write_transaction(session):
        user = user_to_confirm(session, token, secret_key)
        user.email_confirmed_at = now or utcnow()
        record_event(session, "user.email_confirmed", f"user:{user.public_id}", user.id)
    return user


def resend_token(session: Session, user: User, secret_key: str, now: dt.datetime | None = None) -> str | None:
    """A fresh confirmation link for a signed-in, unconfirmed person, or None while their address has had
    too many links lately (or is confirmed already)."""
    if user.email_confirmed:
        return None
    with write_transaction(session):
        allowed = mail_allowed(session, user.email, now or utcnow())
    return confirmation_token(user, secret_key) if allowed else None
