"""Accounts: creating users with strongly hashed passwords, and checking sign-in attempts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from lms.models import Organisation, Role, User

# Compared against when the email is unknown, so a wrong email costs as much time as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("not a real password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    """A salted scrypt hash (Werkzeug's default)."""
    return generate_password_hash(password)


def create_user(session: Session, email: str, full_name: str, password: str, organisation: Organisation,
                role: Role = Role.LEARNER) -> User:
    user = User(email=normalise_email(email), full_name=full_name.strip(), password_hash=hash_password(password),
                organisation_id=organisation.id, role=role)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None without saying which part was wrong."""
    user = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None:
        check_password_hash(_UNKNOWN_USER_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user
