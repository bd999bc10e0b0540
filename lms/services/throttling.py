"""Slowing down guessing: counts of failures kept in the database, shared by every app server.

Sign-in uses two soft limits, so a guesser is slowed and a whole office is never locked out:

- per email address (known or not, so a wait says nothing about whether an account exists): after
  EMAIL_LIMIT failures in a row the address must wait, 30 seconds at first and twice as long after
  each further failure, never more than EMAIL_MAX_WAIT; a correct password clears the count;
- per client address (a council's staff may share one): past ADDRESS_LIMIT failures within WINDOW,
  each attempt waits a few seconds more, never more than ADDRESS_MAX_WAIT.

Other guards (certificate name checks, join codes, password-reset mail) count with `count_failures`
and wait a fixed LOCKOUT when they reach their limit.

A row's `window_started_at` is when its count began; a count older than WINDOW starts again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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
EMAIL_FIRST_WAIT = dt.timedelta(seconds=30)
EMAIL_MAX_WAIT = dt.timedelta(minutes=5)
ADDRESS_LIMIT = 100  # generous: a council's staff may all reach the site from one office address
ADDRESS_MAX_WAIT = dt.timedelta(seconds=30)

# How long a key waits after its n-th failure past its limit (n = 1, 2, ...).
Backoff = Callable[[int], dt.timedelta]


def fixed_lockout(_past_limit: int) -> dt.timedelta:
    return LOCKOUT


def email_backoff(past_limit: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, ... at most EMAIL_MAX_WAIT."""
    return min(EMAIL_FIRST_WAIT * 2 ** min(past_limit - 1, 16), EMAIL_MAX_WAIT)


def address_backoff(past_limit: int) -> dt.timedelta:
    """One second more for each failure past the limit, at most ADDRESS_MAX_WAIT."""
    return min(dt.timedelta(seconds=past_limit), ADDRESS_MAX_WAIT)


@dataclass
class SignIn:
    """The outcome of one sign-in attempt: the user on success, or whether the attempt was refused unchecked."""

    user: User | None
    locked: bool = False
    wait: dt.timedelta | None = None  # while locked: how long until the next attempt is checked


def email_key(email: str) -> str:
    return f"email:{normalise_email(email)}"


def address_key(address: str) -> str:
    return f"address:{address}"


def _limits(email: str, address: str | None) -> dict[str, tuple[int, Backoff]]:
    limits = {email_key(email): (EMAIL_LIMIT, email_backoff)}
    if address:
        limits[address_key(address)] = (ADDRESS_LIMIT, address_backoff)
    return limits


def locked_rows(session: Session, keys: list[str], now: dt.datetime) -> list[SignInThrottle]:
    """The keys among `keys` that must still wait at `now`."""
    return list(session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(keys), SignInThrottle.locked_until > now)))


def _ensure_rows(session: Session, keys: list[str], now: dt.datetime) -> None:
    """Insert any missing counter rows; two servers inserting the same key at once is harmless."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for key in keys:
        session.execute(insert(SignInThrottle).values(key=key, failures=0, window_started_at=now)
                        .on_conflict_do_nothing(index_elements=["key"]))


def record_failure(session: Session, email: str, address: str | None, now: dt.datetime) -> None:
    """Count one failed sign-in against the email and the client address."""
    _count(session, _limits(email, address), now)


def count_failures(session: Session, limits: dict[str, int], now: dt.datetime) -> None:
    """Count one failure against each key; a key that reaches its limit waits LOCKOUT, then starts again."""
    _count(session, {key: (limit, fixed_lockout) for key, limit in limits.items()}, now)


def _count(session: Session, limits: dict[str, tuple[int, Backoff]], now: dt.datetime) -> None:
    _ensure_rows(session, list(limits), now)
    rows = session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(list(limits))).with_for_update())
    for row in rows:
        limit, backoff = limits[row.key]
        if now - row.window_started_at >= WINDOW and (row.locked_until is None or row.locked_until <= now - WINDOW):
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + backoff(row.failures - limit + 1)
            if backoff is fixed_lockout:  # a fixed lock forgives the count once served
                row.failures, row.window_started_at = 0, now


def clear_email(session: Session, email: str) -> None:
    """Forget an email's failures, after a successful sign-in or password reset."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == email_key(email)))


def purge_expired(session: Session, now: dt.datetime) -> int:
    """Delete the rows that hold nothing any more, so the table does not grow with every address ever seen.

    A row holds nothing once `_count` would start it again: its window began WINDOW ago or more and any lock
    ended WINDOW ago or more (a lock just served still counts, so the next failure waits twice as long).
    Deleting such a row changes nothing a later attempt sees. Returns how many rows went.
    """
    over = now - WINDOW
    with write_transaction(session):
        result = session.execute(delete(SignInThrottle).where(
            SignInThrottle.window_started_at <= over,
            (SignInThrottle.locked_until.is_(None)) | (SignInThrottle.locked_until <= over)))
    return result.rowcount


def sign_in(session: Session, email: str, password: str, address: str | None, now: dt.datetime | None = None,
            may_sign_in: Callable[[User], bool] = lambda _user: True) -> SignIn:
    """Check a sign-in unless its email or client address is locked; count failures, note successes. A correct
    password for someone `may_sign_in` refuses (single sign-on is required for them) counts as a failure."""
    now = now or utcnow()
    with write_transaction(session):
        waiting = locked_rows(session, list(_limits(email, address)), now)
        if waiting:
            return SignIn(None, locked=True, wait=max(row.locked_until for row in waiting) - now)
        user = authenticate(session, email, password)
        if user is None or not may_sign_in(user):
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
