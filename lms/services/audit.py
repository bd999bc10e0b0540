"""Writing to the audit log, inside the caller's transaction so the event and the action agree."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import AuditEvent


def record_event(session: Session, action: str, subject: str, actor_id: int | None, **detail: Any) -> None:
    """Add an audit event; it is saved when the caller's transaction commits."""
    session.add(AuditEvent(action=action, subject=subject, actor_id=actor_id, detail=detail))


def record_export(session: Session, actor_id: int | None, table: str, fmt: str, period_key: str, scope: str, via: str) -> None:
    """Log one export (who, what, when) in its own transaction: exports write nothing else."""
    with write_transaction(session):
        record_event(session, "report.exported", f"report:{table}", actor_id, format=fmt, period=period_key, scope=scope, via=via)
