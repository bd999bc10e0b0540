"""Slowing down password guessing: counts of failed sign-ins kept in the database, shared by every server.

Five failures for one email address within 15 minutes lock that address for 15 minutes; a looser
limit applies to each client address, so one machine cannot try many accounts. The counts are kept
for unknown emails too, so a lock says nothing about whether an account exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import SignInThrottle, User, utcnow
from lms.services import certificates
from lms.services.accounts import authenticate, normalise_email

WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)
EMAIL_LIMIT = 5
ADDRESS_LIMIT = 100  # generous: a council's staff may all reach the site from one office address


@dataclass
class SignIn:
    """The outcome of one sign-in attempt: the user on success, or whether the attempt was refused unchecked."""

    user: User | None
    locked: bool = False


def email_key(email: str) -> str:
    return f"email:{normalise_email(email)}"


def address_key(address: str) -> str:
    return f"address:{address}"


def _limits(email: str, address: str | None) -> dict[str, int]:
    limits = {email_key(email): EMAIL_LIMIT}
    if address:
        limits[address_key(address)] = ADDRESS_LIMIT
    return limits


def locked_rows(session: Session, keys: list[str], now: dt.datetime) -> list[SignInThrottle]:
    return list(session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(keys), SignInThrottle.locked_until > now)))


def _ensure_rows(session: Session, keys: list[str], now: dt.datetime) -> None:
    """Insert any missing counter rows; two servers inserting the same key at once is harmless."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for key in keys:
        session.execute(insert(SignInThrottle).values(key=key, failures=0, window_started_at=now)
                        .on_conflict_do_nothing(index_elements=["key"]))


def record_failure(session: Session, email: str, address: str | None, now: dt.datetime) -> None:
    """Count one failure against the email and the client address, locking a key that reaches its limit."""
    count_failures(session, _limits(email, address), now)


def count_failures(session: Session, limits: dict[str, int], now: dt.datetime) -> None:
    """Count one failure against each key, locking a key that reaches its limit."""
    _ensure_rows(session, list(limits), now)
    rows = session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(list(limits))).with_for_update())
    for row in rows:
        if now - row.window_started_at >= WINDOW:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        if row.failures >= limits[row.key]:
            row.locked_until, row.failures, row.window_started_at = now + LOCKOUT, 0, now


def clear_email(session: Session, email: str) -> None:
    """Forget an email's failures, after a successful sign-in or password reset."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == email_key(email)))


def sign_in(session: Session, email: str, password: str, address: str | None, now: dt.datetime | None = None) -> SignIn:
    """Check a sign-in unless its email or client address is locked; count failures, note successes."""
    now = now or utcnow()
    with write_transaction(session):
        if locked_rows(session, list(_limits(email, address)), now):
            return SignIn(None, locked=True)
        user = authenticate(session, email, password)
        if user is None:
            record_failure(session, email, address, now)
            return SignIn(None)
        clear_email(session, email)
        user.last_sign_in_at = now
    return SignIn(user)


NAME_CHECK_LIMIT = 10  # wrong names per certificate per window: enough for typos, too few to guess a name


def check_certificate_name(session: Session, code: str, name: str, now: dt.datetime | None = None) -> bool | None:
    """Whether `name` is the holder's (see certificates.name_matches), or None while too many wrong names
    for this certificate have been tried, so a known code cannot be used to guess its holder's name."""
    now = now or utcnow()
    key = f"certificate:{certificates.normalise_code(code)}"
    with write_transaction(session):
        if locked_rows(session, [key], now):
            return None
        matches = certificates.name_matches(session, code, name)
        if matches is False:
            count_failures(session, {key: NAME_CHECK_LIMIT}, now)
    return matches
