"""Accounts: creating users with strongly hashed passwords, checking sign-in attempts, and handing an
unconfirmed account over to the person who really owns its address."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from lms.models import Attempt, LessonProgress, Organisation, Role, User, utcnow
from lms.services.account_sessions import end_sessions

# Compared against when the email is unknown or its password unusable, so every sign-in costs one
# scrypt check and the time it takes says nothing about the account.
_UNKNOWN_USER_HASH = generate_password_hash("not a real password")
UNUSABLE_PASSWORD_PREFIX = "!"  # noqa: S105 - never a Werkzeug hash, so no password can ever match it


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    """A salted scrypt hash (Werkzeug's default)."""
    return generate_password_hash(password)


def unusable_password() -> str:
    """A password hash no password matches: imported people choose theirs through an emailed link."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(16)


def has_usable_password(user: User) -> bool:
    """False for imported people who have not set a password yet, and for erased accounts."""
    return not user.password_hash.startswith(UNUSABLE_PASSWORD_PREFIX)


def awaiting_confirmation(user: User) -> bool:
    """Registered themselves and never proved they read the address's mail: not yet a known person.

    Such an account cannot sign in, be named at a face-to-face session, be given a role or appear in
    compliance figures; whoever really owns the address can register it again or import it.
    """
    return not user.email_confirmed and has_usable_password(user)


def account_state(user: User) -> str:
    """What an admin's list says of a person: deactivated, invited (imported, no password set yet), email not
    confirmed (registered, link not used), or active (a person who signs in with their organisation's account has
    no password here, but their provider confirmed their address)."""
    if not user.active:
        return "deactivated"
    if not has_usable_password(user) and not user.email_confirmed:
        return "invited"
    return "email not confirmed" if not user.email_confirmed else "active"


def identity_known():
    """The SQL form of `not awaiting_confirmation`: confirmed, or added by an administrator (imported)."""
    return or_(User.email_confirmed_at.is_not(None), User.password_hash.startswith(UNUSABLE_PASSWORD_PREFIX))


def create_user(session: Session, email: str, full_name: str, password: str, organisation: Organisation,
                role: Role = Role.LEARNER, confirmed: bool = False) -> User:
    """A new account; `confirmed` for people an administrator vouches for (admins, demos, the first admin)."""
    user = User(email=normalise_email(email), full_name=full_name.strip(), password_hash=hash_password(password),
                organisation_id=organisation.id, role=role, email_confirmed_at=utcnow() if confirmed else None)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None without saying which part was wrong."""
    user = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None or not has_usable_password(user):
        check_password_hash(_UNKNOWN_USER_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active or not user.email_confirmed:
        return None  # an unconfirmed account cannot sign in: else registering then signing in would tell who has one
    return user


def take_over(session: Session, user: User, full_name: str, password_hash: str, organisation_id: int,
              department_id: int | None, now: dt.datetime | None = None) -> None:
    """Give an unconfirmed account to whoever now proves a claim to its address, in the caller's transaction.

    Whoever registered it first loses it entirely: any role an admin gave it, their sessions, their
    progress; its public id (and so every link mailed for it) changes, and it starts again unconfirmed.
    """
    user.role, user.full_name, user.password_hash = Role.LEARNER, full_name.strip(), password_hash
    user.organisation_id, user.department_id = organisation_id, department_id
    user.public_id, user.email_confirmed_at = str(uuid.uuid4()), None
    end_sessions(session, user, now)
    session.execute(delete(LessonProgress).where(LessonProgress.user_id == user.id))
    session.execute(delete(Attempt).where(Attempt.user_id == user.id))
