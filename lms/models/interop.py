"""Records waiting to travel to other systems: xAPI statements queued for a learning record store."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base, utcnow


class XapiOutbox(Base):
    """One xAPI statement to send; its id makes a resend harmless (at-least-once delivery)."""

    __tablename__ = "xapi_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    statement: Mapped[dict]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")
