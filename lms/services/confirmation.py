"""Confirming an email address: a signed link, mailed at registration, that proves the person reads that mailbox.

Until the address is confirmed the account can read lessons but not start an assessment, so every
e-learning completion belongs to someone who controls the address it is recorded under.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from lms.db import write_transaction
from lms.models import User, utcnow
from lms.services.accounts import awaiting_confirmation, normalise_email
from lms.services.audit import record_event
from lms.services.password_reset import LinkKind, mail_allowed, make_token, user_for_token
from lms.services.throttling import count_failures, locked_rows

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


class WrongPassword(ValueError):
    """The password given on the confirmation page is not the one chosen at registration."""


class TooManyTries(ValueError):
    """Too many wrong passwords on this account's links lately: wait before trying again."""


PASSWORD_TRIES = 5  # wrong passwords per account per window: enough for typos, too few to guess


def confirm_email(session: Session, token: str, secret_key: str, password: str, now: dt.datetime | None = None) -> User:
    """Mark the address confirmed through a valid link and the password chosen at registration; the link then
    stops working. Both are needed: the mailbox proves the address, the password proves that the person who
    reads it is the person who registered (else whoever registered someone else's address could wait for its
    owner to click, and own a confirmed account at their employer's domain)."""
    now = now or utcnow()
    with write_transaction(session):
        user = user_to_confirm(session, token, secret_key)
        session.execute(select(User.id).where(User.id == user.id).with_for_update())  # a re-registration waits, or went first:
        session.refresh(user)
        user = user_to_confirm(session, token, secret_key)  # ...then the link no longer matches the account
        key = f"confirm:{user.public_id}"
        locked = bool(locked_rows(session, [key], now))
        right = not locked and check_password_hash(user.password_hash, password)
        if right:
            user.email_confirmed_at = now
            record_event(session, "user.email_confirmed", f"user:{user.public_id}", user.id)
        elif not locked:
            count_failures(session, {key: PASSWORD_TRIES}, now)  # kept: the transaction commits
    if locked:
        raise TooManyTries(user.email)
    if not right:
        raise WrongPassword(user.email)
    return user


def resend_for_address(session: Session, email: str, secret_key: str, now: dt.datetime | None = None) -> tuple[User, str] | None:
    """A fresh confirmation link for an account registered with this address and not yet confirmed, or None
    (no such account, or too many links lately); the caller says the same either way."""
    now = now or utcnow()
    with write_transaction(session):
        allowed = mail_allowed(session, email, now)
        user = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
        found = user is not None and user.active and awaiting_confirmation(user) and allowed
        if found:
            user.confirmation_sent_at = now
    return (user, confirmation_token(user, secret_key)) if found else None


