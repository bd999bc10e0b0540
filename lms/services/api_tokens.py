"""Read-only API tokens for BI tools: shown once, stored only as a SHA-256, scoped to a partnership or organisation.

A token works until it expires (LIFETIME after it was made, unless asked otherwise) or is revoked, and
only while the person who created it is active and may still issue such a token (lms.permissions).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import ApiToken, Organisation, Partnership, Role, User, utcnow
from lms.permissions import token_visible
from lms.services.audit import record_event
from lms.services.reports import ReportScope

TOKEN_PREFIX = "slr_"  # noqa: S105 - a prefix that makes tokens recognisable in logs and secret scanners
LIFETIME = dt.timedelta(days=365)
MAX_LIFETIME = dt.timedelta(days=2 * 365)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, name: str, *, partnership: Partnership | None = None,
                 organisation: Organisation | None = None, created_by_id: int | None = None,
                 lifetime: dt.timedelta = LIFETIME) -> tuple[str, ApiToken]:
    """A new token for exactly one partnership or organisation; the plain token is returned once and never stored."""
    if (partnership is None) == (organisation is None):
        raise ValueError("a token is scoped to one partnership or one organisation")
    if not name.strip():
        raise ValueError("give the token a name that says who uses it")
    if not dt.timedelta(days=1) <= lifetime <= MAX_LIFETIME:
        raise ValueError(f"a token lasts between 1 and {MAX_LIFETIME.days} days")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    with write_transaction(session):
        token = ApiToken(name=name.strip()[:200], token_hash=token_hash(plain), created_by_id=created_by_id,
                         created_at=now, expires_at=now + lifetime,
                         partnership_id=partnership.id if partnership else None,
                         organisation_id=organisation.id if organisation else None)
        session.add(token)
        session.flush()
        record_event(session, "api_token.created", f"api_token:{token.id}", created_by_id, name=token.name,
                     partnership_id=token.partnership_id, organisation_id=token.organisation_id)
    return plain, token


def revoke_token(session: Session, token: ApiToken, actor_id: int | None) -> None:
    with write_transaction(session):
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            record_event(session, "api_token.revoked", f"api_token:{token.id}", actor_id, name=token.name)


def find_active_token(session: Session, presented: str, now: dt.datetime | None = None) -> ApiToken | None:
    """The token matching what a client presented, if it still works (see the module's docstring), or None."""
    if not presented.startswith(TOKEN_PREFIX) or len(presented) > 200 or not presented.isascii():
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(presented), ApiToken.revoked_at.is_(None)))
    if token is None or (token.expires_at is not None and token.expires_at <= (now or utcnow())):
        return None
    return token if creator_may_still_issue(session, token) else None


def creator_may_still_issue(session: Session, token: ApiToken) -> bool:
    """Whether the person who made the token is active and may still issue one with its scope (a command-line
    token has no creator: only its expiry and revocation apply)."""
    if token.created_by_id is None:
        return True
    creator = session.get(User, token.created_by_id)
    if creator is None or not creator.active:
        return False
    organisation = session.get(Organisation, token.organisation_id) if token.organisation_id else None
    return token_visible(creator, token.partnership_id, organisation)


def token_state(token: ApiToken, now: dt.datetime) -> str:
    """'revoked', 'expired' or 'active', for the tokens page."""
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at is not None and token.expires_at <= now else "active"


def token_scope(session: Session, token: ApiToken) -> ReportScope:
    """What a token reads: its partnership, or its organisation; a partnership lead's organisation token reads
    only that organisation's training counted for the lead's partnership, as the lead's own report pages do."""
    if token.organisation_id is not None:
        organisation = session.get(Organisation, token.organisation_id)
        creator = session.get(User, token.created_by_id) if token.created_by_id else None
        if creator is not None and creator.role == Role.PARTNERSHIP_LEAD:
            area = creator.organisation.partnership
            return ReportScope(f"{organisation.name} in {area.name}", organisation_id=organisation.id, area_ids=(area.id,))
        return ReportScope(organisation.name, organisation_id=organisation.id)
    partnership = session.get(Partnership, token.partnership_id)
    return ReportScope(partnership.name, partnership_id=partnership.id)


def mark_used(session: Session, token: ApiToken) -> None:
    with write_transaction(session):
        token.last_used_at = utcnow()
