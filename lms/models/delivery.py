"""Face-to-face sessions that trainers deliver, counted beside e-learning."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, utcnow


class TrainingSession(Base):
    """A delivered face-to-face session (a WRAP workshop, say) with its audience."""

    __tablename__ = "training_session"
    __table_args__ = (Index("ix_training_session_period", "fy_quarter", "module_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    delivered_on: Mapped[dt.date]
    fy_quarter: Mapped[int]
    venue: Mapped[str] = mapped_column(String(200))
    delivering_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    # the partnership area it was run for (None: written by an older release; see SessionAudience.partnership_id)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"))
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    attendee_count: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    corrected_at: Mapped[dt.datetime | None]
    # A withdrawn session stays on record (with who withdrew it and why) but leaves every count.
    withdrawn_at: Mapped[dt.datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawal_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    audience: Mapped[list[SessionAudience]] = relationship(cascade="all, delete-orphan")


class SessionAudience(Base):
    """How many people from one organisation attended a session."""

    __tablename__ = "session_audience"
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    attendee_count: Mapped[int]
    # the partnership these attendees count for (lms.services.localities); None: the organisation's home partnership
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"))
