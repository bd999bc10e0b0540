"""Refused single sign-ons, recorded for the organisation's admins: the log has every one, the audit trail a
limited number per client address (so nobody can fill it by opening the callback again and again), and
the single sign-on settings page lists the latest in plain words.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import AuditEvent, Organisation, SingleSignOn, utcnow
from lms.services.audit import record_event
from lms.services.sso.accounts import Refusal, SsoRefused
from lms.services.throttling import count_failures, locked_rows

ACTION = "sso.refused"
AUDIT_LIMIT = 30  # refusals audited per client address per throttling window; the log keeps the rest
DETAIL_MAX = 300
# Refusals where the person most likely signed in at the provider with the wrong account: offer its sign-out.
WRONG_ACCOUNT = frozenset({Refusal.DOMAIN_NOT_ALLOWED, Refusal.EMAIL_UNVERIFIED, Refusal.WRONG_TENANT,
                           Refusal.OTHER_ORGANISATION, Refusal.PASSWORD_ONLY})

# What each refusal means for the organisation's admin (the person refused sees lms/auth/templates/auth/sso_refused.html).
FOR_ADMINS = {
    Refusal.NOT_SET_UP: "Single sign-on was switched off while the person was signing in",
    Refusal.PROVIDER_UNAVAILABLE: "The provider could not be reached or its published documents failed the checks",
    Refusal.CONSENT_REFUSED: "The person cancelled, or the provider refused them (not assigned to the app, or consent refused)",
    Refusal.STARTED_ELSEWHERE: "The sign-in was not started in that browser, took over an hour, or was used twice",
    Refusal.SET_UP_PROBLEM: "The provider refused our client: check the client ID and secret (an expired secret looks like this)",
    Refusal.TOKEN_REJECTED: "The provider's answer failed the checks (signature, issuer, audience, expiry or a used code)",
    Refusal.EMAIL_UNVERIFIED: "The token had no verified email address (for Entra ID, add the email and xms_edov claims)",
    Refusal.DOMAIN_NOT_ALLOWED: "The address is not at one of the domains chosen on this page",
    Refusal.WRONG_TENANT: "The account is from another directory (tenant) or Google Workspace domain",
    Refusal.ACCOUNT_DISABLED: "The person's account here is deactivated",
    Refusal.OTHER_ORGANISATION: "The address belongs to an account in another organisation here",
    Refusal.PASSWORD_ONLY: "A site admin or partnership lead: they sign in with their password",
}


def printable(text: str, limit: int = DETAIL_MAX) -> str:
    """Text safe for one log line: control characters (a forged new line) replaced, and cut short."""
    return "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text)[:limit]


def record(session: Session, refusal: SsoRefused, provider: SingleSignOn | None, address: str | None,
           now: dt.datetime | None = None) -> None:
    """Log the refusal, and audit it against the provider's organisation unless this address has had its share."""
    detail = printable(refusal.detail)
    current_app.logger.warning("single sign-on refused (%s) for organisation %s: %s", refusal.reason,
                               provider.organisation_id if provider else "unknown", detail)
    if provider is None:
        return
    now, key = now or utcnow(), f"sso-refused:{address or 'unknown'}"
    with write_transaction(session):
        if locked_rows(session, [key], now):
            return
        count_failures(session, {key: AUDIT_LIMIT}, now)
        record_event(session, ACTION, f"organisation:{provider.organisation.slug}", None, reason=str(refusal.reason),
                     detail=detail)


def recent(session: Session, organisation: Organisation, limit: int = 10) -> list[tuple[dt.datetime, str]]:
    """The organisation's latest refusals: when, and what it means for its admin."""
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == ACTION,
                                                      AuditEvent.subject == f"organisation:{organisation.slug}")
                             .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit))
    return [(event.occurred_at, FOR_ADMINS.get(_reason(event), "Refused")) for event in events]


def _reason(event: AuditEvent) -> Refusal | None:
    try:
        return Refusal((event.detail or {}).get("reason", ""))
    except ValueError:
        return None
