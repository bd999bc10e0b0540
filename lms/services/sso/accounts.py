"""The person a verified ID token names, found by issuer and subject, linked by email, or created.

Authlib has already checked the token's signature, issuer, audience, expiry and nonce; this module decides
whether the person may come in. Issuer and subject identify them for good: a changed email address moves
with them and never makes a second account. The email address is trusted only when the provider says it
verified it (`email_verified`, or Microsoft Entra ID's `xms_edov`, "domain owner verified").
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import SingleSignOn, SsoIdentity, User, utcnow
from lms.permissions import may_use_single_sign_on
from lms.services.accounts import normalise_email, unusable_password
from lms.services.audit import record_event
from lms.services.sso.settings import provider_for_email

NAME_MAX = 200
EMAIL_MAX = 320


class Refusal(enum.StrEnum):
    """Why a single sign-on did not end in a session; lms/auth/sso_views.py says each in plain words."""

    NOT_SET_UP = "not_set_up"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    CONSENT_REFUSED = "consent_refused"
    STARTED_ELSEWHERE = "started_elsewhere"  # no matching state: tampered, replayed, expired or another browser
    TOKEN_REJECTED = "token_rejected"  # noqa: S105 - a reason, not a secret: signature, issuer, audience, expiry or nonce wrong, or the code refused
    EMAIL_UNVERIFIED = "email_unverified"
    DOMAIN_NOT_ALLOWED = "domain_not_allowed"
    WRONG_TENANT = "wrong_tenant"
    ACCOUNT_DISABLED = "account_disabled"
    PASSWORD_ONLY = "password_only"  # noqa: S105 - a reason, not a secret: a site admin or partnership lead: never through an organisation's provider
    OTHER_ORGANISATION = "other_organisation"


class SsoRefused(Exception):
    def __init__(self, reason: Refusal, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason, self.detail = reason, detail


def _email(claims: dict) -> str:
    email = claims.get("email")
    return normalise_email(email) if isinstance(email, str) and "@" in email and len(email) <= EMAIL_MAX else ""


def _verified(claims: dict) -> bool:
    return claims.get("email_verified") is True or claims.get("xms_edov") is True


def _name(claims: dict, email: str) -> str:
    parts = [claims.get("given_name"), claims.get("family_name")]
    name = claims.get("name") or " ".join(p for p in parts if isinstance(p, str) and p)
    name = " ".join(str(name).split()) if isinstance(name, str) else ""
    return (name or email.partition("@")[0])[:NAME_MAX]


def _usable(user: User, provider: SingleSignOn) -> User:
    if not user.active or user.erased_at is not None:
        raise SsoRefused(Refusal.ACCOUNT_DISABLED, f"user {user.public_id}")
    if user.organisation_id != provider.organisation_id:
        raise SsoRefused(Refusal.OTHER_ORGANISATION, f"user {user.public_id}")
    if not may_use_single_sign_on(user):
        raise SsoRefused(Refusal.PASSWORD_ONLY, f"user {user.public_id} is a {user.role}")
    return user


def _routes_here(session: Session, provider: SingleSignOn, email: str) -> bool:
    routed = provider_for_email(session, email)
    return routed is not None and routed.id == provider.id


def _checked_claims(session: Session, provider: SingleSignOn, claims: dict) -> str:
    """The token's verified email at one of the provider's domains, or why not."""
    email = _email(claims)
    if not email or not _verified(claims):
        raise SsoRefused(Refusal.EMAIL_UNVERIFIED, email.rpartition("@")[2] or "no email claim")
    if not _routes_here(session, provider, email):
        raise SsoRefused(Refusal.DOMAIN_NOT_ALLOWED, email.rpartition("@")[2])
    return email


def _known(session: Session, issuer: str, subject: str) -> SsoIdentity | None:
    return session.scalar(select(SsoIdentity).where(SsoIdentity.issuer == issuer, SsoIdentity.subject == subject))


def _follow_email(session: Session, user: User, email: str, issuer: str) -> None:
    """Take on the provider's new address for a known person, unless someone else here already has it."""
    if email == user.email.lower():
        return
    taken = session.scalar(select(User.id).where(func.lower(User.email) == email, User.id != user.id))
    if taken is None:
        record_event(session, "user.email_changed_by_sso", f"user:{user.public_id}", user.id, issuer=issuer)
        user.email = email


def _new_person(session: Session, provider: SingleSignOn, claims: dict, email: str, now: dt.datetime) -> User:
    user = User(email=email, full_name=_name(claims, email), password_hash=unusable_password(),
                organisation_id=provider.organisation_id, email_confirmed_at=now)
    session.add(user)
    session.flush()
    record_event(session, "user.created_by_sso", f"user:{user.public_id}", user.id,
                 organisation_id=provider.organisation_id, issuer=provider.issuer)
    return user


def _sign_in(session: Session, provider: SingleSignOn, claims: dict, now: dt.datetime) -> User:
    issuer, subject = provider.issuer, str(claims.get("sub", ""))
    if provider.tenant_id and claims.get("tid") != provider.tenant_id:
        raise SsoRefused(Refusal.WRONG_TENANT, f"tenant {claims.get('tid')!r}")
    identity = _known(session, issuer, subject)
    if identity is not None:
        user = _usable(identity.user, provider)
        email = _email(claims)
        if email and _verified(claims) and _routes_here(session, provider, email):
            _follow_email(session, user, email, issuer)
    else:
        email = _checked_claims(session, provider, claims)
        found = session.scalar(select(User).where(func.lower(User.email) == email))
        user = _usable(found, provider) if found is not None else _new_person(session, provider, claims, email, now)
        user.email_confirmed_at = user.email_confirmed_at or now  # the provider verified the address
        identity = SsoIdentity(user_id=user.id, issuer=issuer, subject=subject, created_at=now)
        session.add(identity)
        record_event(session, "user.sso_linked", f"user:{user.public_id}", user.id, issuer=issuer)
    identity.last_sign_in_at = user.last_sign_in_at = now
    return user


def person_for(session: Session, provider: SingleSignOn, claims: dict, now: dt.datetime | None = None) -> User:
    """The person to sign in for these verified claims, or SsoRefused saying why not."""
    now = now or utcnow()
    if claims.get("iss") != provider.issuer or not claims.get("sub"):
        raise SsoRefused(Refusal.TOKEN_REJECTED, "issuer or subject missing or not the configured issuer")
    try:
        with write_transaction(session):
            return _sign_in(session, provider, claims, now)
    except IntegrityError:  # the same first sign-in finished a moment ago in another request
        with write_transaction(session):
            return _sign_in(session, provider, claims, now)
