"""An organisation's single sign-on settings, and the one rule for which provider speaks for an email address.

A provider is trusted only for email domains its organisation already holds as approved claims
(lms/services/email_domains.py): the claim is the proof that the organisation owns the domain, so an
organisation admin cannot point someone else's staff at a provider of their choosing. If a claim is
released or refused later, its domain stops routing to the provider at once.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import EmailDomain, Organisation, SingleSignOn, SsoIdentity, User, utcnow
from lms.permissions import may_use_single_sign_on
from lms.services.accounts import normalise_email
from lms.services.audit import record_event
from lms.services.email_domains import APPROVED, is_claimable
from lms.services.organisations import AdminError
from lms.services.sso.secret_box import seal

ISSUER_MAX, CLIENT_ID_MAX, SECRET_MAX, TENANT_MAX = 500, 255, 1000, 64


@dataclass
class Changes:
    """What an admin entered; an empty client secret keeps the stored one."""

    issuer: str
    client_id: str
    client_secret: str
    tenant_id: str
    domains: list[str]
    enabled: bool
    required: bool


def for_organisation(session: Session, organisation_id: int) -> SingleSignOn | None:
    return session.scalar(select(SingleSignOn).where(SingleSignOn.organisation_id == organisation_id))


def approved_domains(session: Session, organisation_id: int) -> list[str]:
    """The organisation's approved email domains that may be claimed at all: the only ones a provider can serve."""
    found = session.scalars(select(EmailDomain.domain).where(EmailDomain.organisation_id == organisation_id,
                                                             EmailDomain.status == APPROVED))
    return sorted(domain.lower() for domain in found if is_claimable(domain.lower()))


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def checked_issuer(text: str) -> str:
    """An issuer URL as providers publish it: https, a host, no query or fragment (http only on loopback, if allowed)."""
    issuer = text.strip()
    try:
        parts = urlsplit(issuer)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    insecure_ok = current_app.config.get("SSO_ALLOW_HTTP_LOOPBACK", False) and _loopback(host)
    if parts is None or not host or parts.query or parts.fragment or parts.username or len(issuer) > ISSUER_MAX:
        raise AdminError("Enter the issuer URL your identity provider gives, like "
                         "https://login.microsoftonline.com/<tenant id>/v2.0", "issuer")
    if parts.scheme != "https" and not (parts.scheme == "http" and insecure_ok):
        raise AdminError("The issuer URL must start with https://", "issuer")
    return issuer


def _checked(session: Session, organisation: Organisation, changes: Changes, existing: SingleSignOn | None) -> Changes:
    """The changes, tidied, or AdminError naming the field at fault."""
    client_id, secret, tenant = changes.client_id.strip(), changes.client_secret.strip(), changes.tenant_id.strip()
    issuer = checked_issuer(changes.issuer)
    if not client_id or len(client_id) > CLIENT_ID_MAX:
        raise AdminError(f"Enter the client ID (application ID) the provider gave, {CLIENT_ID_MAX} characters or fewer", "client_id")
    if len(secret) > SECRET_MAX or (existing is None and not secret):
        raise AdminError("Enter the client secret the provider gave (it is stored encrypted and never shown again)",
                         "client_secret")
    if len(tenant) > TENANT_MAX or any(c.isspace() for c in tenant):
        raise AdminError("Enter the tenant ID as the provider shows it, with no spaces, or leave it empty", "tenant_id")
    allowed = set(approved_domains(session, organisation.id))
    domains = sorted({d.strip().lower() for d in changes.domains if d.strip()})
    if any(d not in allowed for d in domains):
        raise AdminError("Choose only email domains your organisation holds as approved claims", "domains")
    if (changes.enabled or changes.required) and not domains:
        raise AdminError("Choose at least one email domain whose staff sign in with this provider", "domains")
    return Changes(issuer, client_id, secret, tenant, domains, changes.enabled or changes.required, changes.required)


def _under(domain: str, domains: list[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains)


def _may_require(session: Session, actor: User, issuer: str, domains: list[str]) -> None:
    """Requiring it shuts passwords out, the admin's own too when their address is at those domains: so only once
    they have come in through it themselves (a site admin keeps a password, and can always switch it off again)."""
    if not may_use_single_sign_on(actor) or not _under(email_domain(actor.email), domains):
        return
    came_in = session.scalar(select(SsoIdentity.id).where(SsoIdentity.user_id == actor.id, SsoIdentity.issuer == issuer))
    if came_in is None:
        raise AdminError("Before requiring single sign-on, sign in once with your own work account through it (switch it "
                         "on, sign out, and continue with your organisation’s account): requiring it turns off your "
                         "password too, so first make sure it works", "required")


def save(session: Session, organisation: Organisation, changes: Changes, actor: User) -> SingleSignOn:
    """Create or change the organisation's provider settings, audited (never with the secret)."""
    existing = for_organisation(session, organisation.id)
    tidy = _checked(session, organisation, changes, existing)
    if tidy.required and not (existing is not None and existing.required and existing.issuer == tidy.issuer):
        _may_require(session, actor, tidy.issuer, tidy.domains)
    with write_transaction(session):
        provider = existing or SingleSignOn(organisation_id=organisation.id)
        if tidy.client_secret:
            provider.client_secret_encrypted = seal(tidy.client_secret)
        provider.issuer, provider.client_id, provider.tenant_id = tidy.issuer, tidy.client_id, tidy.tenant_id
        provider.domains, provider.enabled, provider.required = tidy.domains, tidy.enabled, tidy.required
        provider.updated_at, provider.updated_by_id = utcnow(), actor.id
        session.add(provider)
        session.flush()
        record_event(session, "sso.settings_saved", f"organisation:{organisation.slug}", actor.id, issuer=tidy.issuer,
                     client_id=tidy.client_id, domains=tidy.domains, enabled=tidy.enabled, required=tidy.required,
                     secret_changed=bool(tidy.client_secret))
    return provider


def remove(session: Session, provider: SingleSignOn, actor: User) -> None:
    """Stop single sign-on for the organisation; people it created keep their accounts and can reset a password."""
    with write_transaction(session):
        record_event(session, "sso.settings_removed", f"organisation:{provider.organisation.slug}", actor.id,
                     issuer=provider.issuer)
        session.delete(provider)


def email_domain(email: str) -> str:
    return normalise_email(email).rpartition("@")[2]


def provider_for_email(session: Session, email: str) -> SingleSignOn | None:
    """The switched-on provider that speaks for this address: its domain (or a parent domain) is one the provider
    serves and its organisation still holds as an approved claim."""
    labels = email_domain(email).split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    if not candidates:
        return None
    claims = session.execute(select(EmailDomain.domain, EmailDomain.organisation_id).where(
        func.lower(EmailDomain.domain).in_(candidates), EmailDomain.status == APPROVED)).all()
    if not claims:
        return None
    domain, organisation_id = max(claims, key=lambda row: len(row[0]))  # the most specific claim decides alone
    provider = for_organisation(session, organisation_id)
    if provider is not None and provider.enabled and is_claimable(domain.lower()) and domain.lower() in provider.domains:
        return provider
    return None


def required_for(session: Session, email: str) -> SingleSignOn | None:
    """The provider an address must sign in with (password sign-in and registration refused), if any."""
    provider = provider_for_email(session, email)
    return provider if provider is not None and provider.required else None


def where_to_sign_in(provider: SingleSignOn) -> str:
    """What a person refused a password sign-in, registration or password reset is told."""
    return (f"Staff of {provider.organisation.name} sign in with their work account, not a password: on the sign-in "
            "page, enter your work email address and select \u201cContinue with my organisation\u2019s account\u201d")


def password_allowed(person: User, required: SingleSignOn | None) -> bool:
    """Whether a correct password signs this person in where single sign-on may be required: always, unless it is
    required for their address and they are one of the provider's own staff it may sign in."""
    return (required is None or person.organisation_id != required.organisation_id
            or not may_use_single_sign_on(person))
