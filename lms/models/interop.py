"""Records for other systems: the installation's own xAPI namespace, and statements kept for a learning record store."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base, utcnow


class Installation(Base):
    """Facts about this installation made once and kept with its data (and so by its backups): the random
    namespace its xAPI statement ids are derived from, so two installations never share an id."""

    __tablename__ = "installation"
    id: Mapped[int] = mapped_column(primary_key=True)
    statement_namespace: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class XapiOutbox(Base):
    """One xAPI statement, built once and kept as the exact text that is exported and sent.

    It is waiting while neither `sent_at` nor `dead_at` is set; `dead_at` marks a statement the LRS
    refused for good (its answer in `last_error`) until someone retries it."""

    __tablename__ = "xapi_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_tried_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    sent_to: Mapped[str] = mapped_column(String(500), default="")
    dead_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    last_error: Mapped[str] = mapped_column(String(1000), default="")

    @property
    def statement(self) -> dict:
        """The stored statement, read from its text (never the other way round, except on erasure)."""
        return json.loads(self.body)

    @statement.setter
    def statement(self, value: dict) -> None:
        self.body = canonical_json(value)


def canonical_json(statement: dict) -> str:
    """The one way a statement becomes text: sorted keys, UTF-8 kept, no trailing newline."""
    return json.dumps(statement, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
