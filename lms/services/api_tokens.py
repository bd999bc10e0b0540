"""Read-only API tokens for BI tools: shown once, stored only as a SHA-256, scoped to a partnership or organisation."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import ApiToken, Organisation, Partnership, utcnow
from lms.services.audit import record_event
from lms.services.reports import ReportScope

TOKEN_PREFIX = "slr_"  # noqa: S105 - a prefix that makes tokens recognisable in logs and secret scanners


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, name: str, *, partnership: Partnership | None = None,
                 organisation: Organisation | None = None, created_by_id: int | None = None) -> tuple[str, ApiToken]:
    """A new token for exactly one partnership or organisation; the plain token is returned once and never stored."""
    if (partnership is None) == (organisation is None):
        raise ValueError("a token is scoped to one partnership or one organisation")
    if not name.strip():
        raise ValueError("give the token a name that says who uses it")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction(session):
        token = ApiToken(name=name.strip()[:200], token_hash=token_hash(plain), created_by_id=created_by_id,
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


def find_active_token(session: Session, presented: str) -> ApiToken | None:
    """The unrevoked token matching what a client presented, or None."""
    if not presented.startswith(TOKEN_PREFIX) or len(presented) > 200:
        return None
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(presented), ApiToken.revoked_at.is_(None)))


def token_scope(session: Session, token: ApiToken) -> ReportScope:
    if token.organisation_id is not None:
        organisation = session.get(Organisation, token.organisation_id)
        return ReportScope(organisation.name, organisation_id=organisation.id)
    partnership = session.get(Partnership, token.partnership_id)
    return ReportScope(partnership.name, partnership_id=partnership.id)


def mark_used(session: Session, token: ApiToken) -> None:
    with write_transaction(session):
        token.last_used_at = utcnow()
