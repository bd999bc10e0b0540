"""Writing to the audit log, inside the caller's transaction so the event and the action agree."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from lms.models import AuditEvent


def record_event(session: Session, action: str, subject: str, actor_id: int | None, **detail: Any) -> None:
    """Add an audit event; it is saved when the caller's transaction commits."""
    session.add(AuditEvent(action=action, subject=subject, actor_id=actor_id, detail=detail))
