"""What learners did: pages reached, assessment attempts and the completions that reports count."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, str_enum, utcnow
from lms.models.content import Module, ModuleVersion


class Channel(enum.StrEnum):
    ELEARNING = "e-learning"
    FACE_TO_FACE = "face-to-face"


class LessonProgress(Base):
    """The furthest page a learner reached in a module version, so they can resume there."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "version_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"))
    last_page: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Attempt(Base):
    """One sitting of a module's assessment: the questions and option order drawn, the answers given, the mark.

    `drawn` lists the questions asked, in the order shown, each with its options in the order shown:
    [{"question": id, "options": [option ids]}]. It is made from `seed`, which also makes the option
    identifiers the page shows, so those differ per attempt. The seed never leaves the server.
    """

    __tablename__ = "attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"))
    seed: Mapped[str] = mapped_column(String(64))
    drawn: Mapped[list]
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    answers: Mapped[dict | None]
    correct_count: Mapped[int | None]
    question_count: Mapped[int | None]
    score: Mapped[int | None]
    passed: Mapped[bool | None]
    version: Mapped[ModuleVersion] = relationship()


class PageReview(Base):
    """A lesson page a learner opened again after failing `attempt`: the review that earns a retry."""

    __tablename__ = "page_review"
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), primary_key=True)
    page_number: Mapped[int] = mapped_column(primary_key=True)
    reviewed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AttemptReset(Base):
    """A trainer or admin letting a learner try a module's assessment again: failures before it no longer count."""

    __tablename__ = "attempt_reset"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    reset_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reset_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Completion(Base):
    """A person trained: one row per pass or face-to-face attendance, never edited afterwards.

    `organisation_id` and `partnership_id` are the organisation and partnership area at the time, so counts
    for past periods never move.
    `sequence` numbers a person's completions of a module; its uniqueness makes a pass count once.
    """

    __tablename__ = "completion"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id", "sequence"),
        Index("ix_completion_period", "fy_quarter", "organisation_id", "module_id"),
        # covers the counts report's e-learning aggregate, so a quarter (or a month of it: completed_at) is read from the index alone
        Index("ix_completion_counts", "fy_quarter", "channel", "partnership_id", "organisation_id", "module_id", "user_id", "completed_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    # the partnership it counts for, fixed when it is recorded (lms.services.localities); None only for rows an
    # older release wrote during an upgrade, which count for the organisation's home partnership
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("module_version.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    sequence: Mapped[int] = mapped_column(default=1)
    score: Mapped[int | None]
    completed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    fy_quarter: Mapped[int]
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempt.id"), unique=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("training_session.id"))
    verification_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Set only when the face-to-face session it came from is withdrawn: it then stops counting anywhere.
    withdrawn_at: Mapped[dt.datetime | None]
    module: Mapped[Module] = relationship()
    version: Mapped[ModuleVersion | None] = relationship()
