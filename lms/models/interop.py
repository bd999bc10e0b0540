"""Records for other systems: the installation's own xAPI namespace, and statements kept for a learning record store."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base, utcnow


class Installation(Base):
    """Facts about this installation made once and kept with its data (and so by its backups): the random
    namespace its xAPI statement ids are derived from, so two installations never share an id."""

    __tablename__ = "installation"
    id: Mapped[int] = mapped_column(primary_key=True)
    statement_namespace: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # one `lms xapi send` at a time: the run holding the lease (a random token) and until when it holds it
    sender_lease_token: Mapped[str] = mapped_column(String(36), default="")
    sender_lease_until: Mapped[dt.datetime | None]


class XapiOutbox(Base):
    """One xAPI statement, built once and kept as the exact text that is exported and sent.

    It is kept for its record (`record_kind` "attempt" or "completion", and `record_id`), never found by
    recomputing its id, so a record's statement is built once whatever happens to the namespace. It is
    waiting while neither `sent_at` nor `dead_at` is set; `dead_at` marks a statement the LRS refused for
    good (its answer in `last_error`) until someone retries it; `sending_at`/`sending_to` mark one posted
    and not yet answered, which that LRS may hold."""

    __tablename__ = "xapi_outbox"
    __table_args__ = (UniqueConstraint("record_kind", "record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    record_kind: Mapped[str | None] = mapped_column(String(20))
    record_id: Mapped[int | None]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_tried_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    sent_to: Mapped[str] = mapped_column(String(500), default="")
    dead_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    sending_at: Mapped[dt.datetime | None]
    sending_to: Mapped[str] = mapped_column(String(500), default="")
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
