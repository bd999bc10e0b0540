"""Joining an organisation: with a join code its administrator issued, or by an email domain it claimed.

Registering never says whether an address already has an account: every valid registration ends the
same way ("check your email"), costs the same (one password hash) and sends one email to the address.
What that email says is the only difference, and only the owner of the mailbox reads it.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import Department, JoinCode, Organisation, User, utcnow
from lms.services.accounts import awaiting_confirmation, hash_password, normalise_email, take_over
from lms.services.audit import record_event
from lms.services.email_domains import placing_claim
from lms.services.password_reset import mail_allowed
from lms.services.sso import settings as sso_settings
from lms.services.throttling import count_failures, locked_rows


class RegistrationError(ValueError):
    """A registration that cannot go ahead; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


CODE_REFUSED = "This join code cannot be used: check it and try again, or ask your organisation for a new one"
CODE_GUESSES = "Too many join codes tried from your network. Wait 15 minutes, then try again"
NO_PLACEMENT = "Enter the join code your organisation gave you: your email address is not one that an organisation here has registered"
JOIN_CODE_LIMIT = 10  # wrong codes per client address per window: enough for typos, too few to guess a code


class Mail(enum.StrEnum):
    """Which email a registration sends to the address it was made with."""

    CONFIRM = "confirm"  # a new or replaced unconfirmed account: here is your confirmation link
    ALREADY_REGISTERED = "already registered"  # the address has an account: sign in or reset your password


@dataclass
class Registration:
    """The account a registration is about, the email to send it, and whether the address may get one now."""

    user: User
    mail: Mail
    send: bool


@dataclass
class Placement:
    """Where a new account goes, and how the organisation was found (for the audit log)."""

    organisation: Organisation
    department: Department | None
    via: str


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()


def join_code_key(address: str | None) -> str:
    return f"join-code:{address or 'unknown'}"


def checked_join_code(session: Session, code: str, address: str | None, now: dt.datetime) -> JoinCode:
    """A usable join code; unknown, expired and revoked codes all get one answer, and each client address
    may get it only JOIN_CODE_LIMIT times a window, so codes cannot be guessed."""
    key = join_code_key(address)
    with write_transaction(session):
        if locked_rows(session, [key], now):
            raise RegistrationError("join_code", CODE_GUESSES)
        found = session.scalar(select(JoinCode).where(func.upper(JoinCode.code) == normalise_code(code)))
        usable = found is not None and found.is_usable(now)
        if not usable:
            count_failures(session, {key: JOIN_CODE_LIMIT}, now)
    if not usable:
        raise RegistrationError("join_code", CODE_REFUSED)
    return found


def find_placement(session: Session, email: str, join_code: str, now: dt.datetime, address: str | None = None) -> Placement:
    """The organisation a person joins: a usable join code wins; without one, their email's approved domain."""
    if join_code.strip():
        found = checked_join_code(session, join_code, address, now)
        return Placement(found.organisation, found.department, "join code")
    domain = normalise_email(email).rpartition("@")[2]
    claimed = placing_claim(session, domain)  # approved, and on a domain that may be claimed at all
    if claimed is None:
        raise RegistrationError("join_code", NO_PLACEMENT)
    return Placement(claimed.organisation, None, "email domain")


def register(session: Session, full_name: str, email: str, password: str, join_code: str = "",
             now: dt.datetime | None = None, address: str | None = None) -> Registration:
    """Register an unconfirmed learner, or replace an unconfirmed self-registration of the same address, or
    (for an address with a confirmed or imported account) change nothing and say so to the owner by email."""
    now = now or utcnow()
    required = sso_settings.required_for(session, email)
    if required is not None:  # its organisation's staff join by signing in with their work account
        raise RegistrationError("email", sso_settings.where_to_sign_in(required))
    placement = find_placement(session, email, join_code, now, address)
    password_hash = hash_password(password)  # on every path, so the time taken gives nothing away
    try:
        with write_transaction(session):
            return _record(session, full_name, normalise_email(email), password_hash, placement, now)
    except IntegrityError:  # the same email registered at the same moment in another request
        with write_transaction(session):
            return _record(session, full_name, normalise_email(email), password_hash, placement, now)


def _record(session: Session, full_name: str, email: str, password_hash: str, placement: Placement,
            now: dt.datetime) -> Registration:
    send = mail_allowed(session, email, now)
    existing = session.scalar(select(User).where(func.lower(User.email) == email).with_for_update())
    department_id = placement.department.id if placement.department else None
    if existing is None:
        user = User(email=email, full_name=full_name.strip(), password_hash=password_hash,
                    organisation_id=placement.organisation.id, department_id=department_id, confirmation_sent_at=now)
        session.add(user)
        session.flush()
        _audit(session, "user.registered", user, placement)
        return Registration(user, Mail.CONFIRM, send)
    if not awaiting_confirmation(existing) or existing.erased_at is not None:
        _audit(session, "user.registration_refused", existing, placement, by_owner=False)
        return Registration(existing, Mail.ALREADY_REGISTERED, send)
    # Unconfirmed, even if an admin deactivated it (a stranger's registration, say): the owner registers afresh.
    take_over(session, existing, full_name, password_hash, placement.organisation.id, department_id, now)
    existing.active, existing.confirmation_sent_at = True, now
    _audit(session, "user.registration_replaced", existing, placement)
    return Registration(existing, Mail.CONFIRM, send)


def _audit(session: Session, action: str, user: User, placement: Placement, by_owner: bool = True) -> None:
    """Who acted: the registering person, except on an account that is not theirs (a stranger, unnamed)."""
    record_event(session, action, f"user:{user.public_id}", user.id if by_owner else None,
                 organisation=placement.organisation.slug, via=placement.via)
