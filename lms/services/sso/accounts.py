"""The person a verified ID token names, found by issuer and subject, linked by email, or created.

Authlib has already checked the token's signature, issuer, audience, expiry and nonce; this module decides
whether the person may come in. Issuer and subject identify them for good: a changed email address moves
with them and never makes a second account. The email address is trusted only when the provider says it
verified it (`email_verified`, or Microsoft Entra ID's `xms_edov`, "domain owner verified"), and only at a
domain the organisation holds as an approved claim. A self-registered account still waiting for its
confirmation is taken over, exactly as registering again would (whoever registered it first loses it).
"""

from __future__ import annotations

import datetime as dt
import enum

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import SingleSignOn, SsoIdentity, User, utcnow
from lms.permissions import may_use_single_sign_on
from lms.services.accounts import awaiting_confirmation, normalise_email, take_over, unusable_password
from lms.services.audit import record_event
from lms.services.sso.settings import provider_for_email

NAME_MAX, EMAIL_MAX, SUBJECT_MAX = 200, 320, 255
GOOGLE_ISSUER = "https://accounts.google.com"


class Refusal(enum.StrEnum):
    """Why a single sign-on did not end in a session; lms/auth/templates/auth/sso_refused.html says each in plain words."""

    NOT_SET_UP = "not_set_up"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    CONSENT_REFUSED = "consent_refused"
    STARTED_ELSEWHERE = "started_elsewhere"  # no matching state: tampered, replayed, expired or another browser
    SET_UP_PROBLEM = "set_up_problem"  # the provider refused our client: a wrong or expired secret, say
    TOKEN_REJECTED = "token_rejected"  # noqa: S105 - a reason, not a secret: signature, issuer, audience, expiry, nonce, code
    EMAIL_UNVERIFIED = "email_unverified"
    DOMAIN_NOT_ALLOWED = "domain_not_allowed"
    WRONG_TENANT = "wrong_tenant"
    ACCOUNT_DISABLED = "account_disabled"
    PASSWORD_ONLY = "password_only"  # noqa: S105 - a reason, not a secret: a site admin or lead, never through a provider
    OTHER_ORGANISATION = "other_organisation"


class SsoRefused(Exception):
    """A refusal; `detail` is for the log only, `email` (the address the token gave) may be shown to its owner."""

    def __init__(self, reason: Refusal, detail: str = "", email: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason, self.detail, self.email = reason, detail, email


def _email(claims: dict) -> str:
    """The token's address, lower case, if it is a plain ASCII address (anything odd is treated as none)."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.isascii() or len(email) > EMAIL_MAX:
        return ""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return ""
    return normalise_email(email)


def _verified(claims: dict) -> bool:
    return claims.get("email_verified") is True or claims.get("xms_edov") is True


def _name(claims: dict, email: str) -> str:
    parts = [claims.get("given_name"), claims.get("family_name")]
    name = claims.get("name") or " ".join(p for p in parts if isinstance(p, str) and p)
    name = " ".join("".join(c for c in name if c.isprintable()).split()) if isinstance(name, str) else ""
    return (name or email.partition("@")[0])[:NAME_MAX]


def _subject(claims: dict) -> str:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > SUBJECT_MAX or not subject.isprintable():
        raise SsoRefused(Refusal.TOKEN_REJECTED, "the subject (sub) is missing, too long or not printable")
    return subject


def _usable(user: User, provider: SingleSignOn, email: str = "") -> User:
    if not user.active or user.erased_at is not None:
        raise SsoRefused(Refusal.ACCOUNT_DISABLED, f"user {user.public_id}")
    if user.organisation_id != provider.organisation_id:
        raise SsoRefused(Refusal.OTHER_ORGANISATION, f"user {user.public_id}", email)
    if not may_use_single_sign_on(user):
        raise SsoRefused(Refusal.PASSWORD_ONLY, f"user {user.public_id} is a {user.role}", email)
    return user


def _routes_here(session: Session, provider: SingleSignOn, email: str) -> bool:
    routed = provider_for_email(session, email)
    return routed is not None and routed.id == provider.id


def _same_directory(provider: SingleSignOn, claims: dict) -> None:
    """Entra ID's tenant (`tid`) when one is set; Google's Workspace domain (`hd`), as every Google account shares one issuer."""
    if provider.tenant_id and claims.get("tid") != provider.tenant_id:
        raise SsoRefused(Refusal.WRONG_TENANT, f"tenant {printable_claim(claims.get('tid'))}", _email(claims))
    if provider.issuer.rstrip("/") == GOOGLE_ISSUER and claims.get("hd") not in provider.domains:
        raise SsoRefused(Refusal.WRONG_TENANT, f"Google hosted domain {printable_claim(claims.get('hd'))}", _email(claims))


def printable_claim(value: object) -> str:
    return repr(value)[:80]


def _checked_email(session: Session, provider: SingleSignOn, claims: dict) -> str:
    """The token's verified email at one of the provider's domains, or why not."""
    email = _email(claims)
    if not email or not _verified(claims):
        raise SsoRefused(Refusal.EMAIL_UNVERIFIED, email.rpartition("@")[2] or "no usable email claim", email)
    if not _routes_here(session, provider, email):
        raise SsoRefused(Refusal.DOMAIN_NOT_ALLOWED, email.rpartition("@")[2], email)
    return email


def _follow_email(session: Session, user: User, claims: dict, provider: SingleSignOn) -> None:
    """Take on the provider's new verified address for a known person, unless someone else here already has it."""
    email = _email(claims)
    if not email or not _verified(claims) or email == user.email.lower() or not _routes_here(session, provider, email):
        return
    if session.scalar(select(User.id).where(func.lower(User.email) == email, User.id != user.id)) is None:
        record_event(session, "user.email_changed_by_sso", f"user:{user.public_id}", user.id, issuer=provider.issuer)
        user.email = email


def _known_person(session: Session, provider: SingleSignOn, identity: SsoIdentity, claims: dict) -> User:
    """Someone met before: still allowed, and still at one of the provider's domains (a released claim stops them)."""
    user = _usable(identity.user, provider)
    _follow_email(session, user, claims, provider)
    if not _routes_here(session, provider, user.email):
        raise SsoRefused(Refusal.DOMAIN_NOT_ALLOWED, user.email.rpartition("@")[2], user.email)
    return user


def _first_time(session: Session, provider: SingleSignOn, claims: dict, now: dt.datetime) -> User:
    """Someone the provider has not brought before: their account at the verified address, taken over if it is an
    unconfirmed self-registration, or a new one."""
    email = _checked_email(session, provider, claims)
    found = session.scalar(select(User).where(func.lower(User.email) == email).with_for_update())
    if found is not None and awaiting_confirmation(found) and found.erased_at is None:
        take_over(session, found, _name(claims, email), unusable_password(), provider.organisation_id, None, now)
        found.active = True
        record_event(session, "user.registration_replaced", f"user:{found.public_id}", found.id, via="single sign-on")
    elif found is not None:
        _usable(found, provider, email)
    else:
        found = User(email=email, full_name=_name(claims, email), password_hash=unusable_password(),
                     organisation_id=provider.organisation_id)
        session.add(found)
        session.flush()
        record_event(session, "user.created_by_sso", f"user:{found.public_id}", found.id,
                     organisation_id=provider.organisation_id, issuer=provider.issuer)
    found.email_confirmed_at = found.email_confirmed_at or now  # the provider verified the address
    return found


def _sign_in(session: Session, provider: SingleSignOn, claims: dict, now: dt.datetime) -> User:
    subject = _subject(claims)
    _same_directory(provider, claims)
    identity = session.scalar(select(SsoIdentity).where(SsoIdentity.issuer == provider.issuer, SsoIdentity.subject == subject))
    if identity is not None:
        user = _known_person(session, provider, identity, claims)
    else:
        user = _first_time(session, provider, claims, now)
        identity = SsoIdentity(user_id=user.id, issuer=provider.issuer, subject=subject, created_at=now)
        session.add(identity)
        record_event(session, "user.sso_linked", f"user:{user.public_id}", user.id, issuer=provider.issuer)
    identity.last_sign_in_at = user.last_sign_in_at = now
    return user


def person_for(session: Session, provider: SingleSignOn, claims: dict, now: dt.datetime | None = None) -> User:
    """The person to sign in for these verified claims, or SsoRefused saying why not."""
    now = now or utcnow()
    if claims.get("iss") != provider.issuer:
        raise SsoRefused(Refusal.TOKEN_REJECTED, "the token's issuer is not the configured one")
    try:
        with write_transaction(session):
            return _sign_in(session, provider, claims, now)
    except IntegrityError:  # the same first sign-in finished a moment ago in another request
        with write_transaction(session):
            return _sign_in(session, provider, claims, now)
