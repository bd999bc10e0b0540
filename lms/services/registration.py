"""Joining an organisation: with a join code its administrator issued, or by an email domain it claimed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import Department, EmailDomain, JoinCode, Organisation, User, utcnow
from lms.services.accounts import create_user, normalise_email
from lms.services.audit import record_event


class RegistrationError(ValueError):
    """A registration that cannot go ahead; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


ACCOUNT_EXISTS = "An account already exists for this email address. Sign in, or reset your password if you have forgotten it"


@dataclass
class Placement:
    """Where a new account goes, and how the organisation was found (for the audit log)."""

    organisation: Organisation
    department: Department | None
    via: str


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()


def find_placement(session: Session, email: str, join_code: str, now: dt.datetime) -> Placement:
    """The organisation a person joins: a usable join code wins; without one, their email's claimed domain."""
    if join_code.strip():
        found = session.scalar(select(JoinCode).where(func.upper(JoinCode.code) == normalise_code(join_code)))
        if found is None:
            raise RegistrationError("join_code", "Join code not recognised: check it and try again, or ask your organisation for a new one")
        if found.revoked_at is not None:
            raise RegistrationError("join_code", "This join code is no longer in use: ask your organisation for a new one")
        if not found.is_usable(now):
            raise RegistrationError("join_code", "This join code has expired: ask your organisation for a new one")
        return Placement(found.organisation, found.department, "join code")
    domain = normalise_email(email).rpartition("@")[2]
    claimed = session.scalar(select(EmailDomain).where(func.lower(EmailDomain.domain) == domain))
    if claimed is None:
        raise RegistrationError("join_code", "Enter the join code your organisation gave you: your email address is not one that an organisation here has registered")
    return Placement(claimed.organisation, None, "email domain")


def register(session: Session, full_name: str, email: str, password: str, join_code: str = "",
             now: dt.datetime | None = None) -> User:
    """Create a learner account in the organisation the code or email domain points to.

    The organisation is checked before the email, so only someone with a valid code or a claimed
    address can learn that an email already has an account.
    """
    now = now or utcnow()
    try:
        with write_transaction(session):
            placement = find_placement(session, email, join_code, now)
            if session.scalar(select(User.id).where(func.lower(User.email) == normalise_email(email))) is not None:
                raise RegistrationError("email", ACCOUNT_EXISTS)
            user = create_user(session, email, full_name, password, placement.organisation)
            user.department_id = placement.department.id if placement.department else None
            record_event(session, "user.registered", f"user:{user.public_id}", user.id,
                         organisation=placement.organisation.slug, via=placement.via)
    except IntegrityError:  # the same email registered at the same moment in another request
        raise RegistrationError("email", ACCOUNT_EXISTS) from None
    return user
