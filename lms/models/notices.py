"""Emails the service sends about training (reminders, digests, quarterly figures) and who wants which.

A notice is a row before it is a message: its key (person, kind, subject, stage) is unique, so however
many workers plan the same reminder, one row exists, and a row is marked sent once its message is.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.accounts import User
from lms.models.base import Base, utcnow


class Notice(Base):
    """One email to one person, written before it is sent.

    status: pending (to send at next_try_at), held (waiting for the person's weekly digest), claimed (a
    worker holds it until claimed_until), sending (its message is on the way to the mail server), sent, (retrying is pending with attempts > 0), failed (gave up
    after the last try; site admins see it), interrupted (a worker stopped mid-send, so whether it went is
    unknown: never re-sent by itself, site admins decide), in_digest (sent inside digest_id), cancelled
    (no longer true when its turn came, e.g. the module was completed meanwhile, or the person was deactivated or erased).
    """

    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("user_id", "kind", "subject", "stage"), Index("ix_notice_status_next_try_at", "status", "next_try_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # e.g. assigned, due-14, due-3, overdue, refresher-60, refresher-overdue
    subject: Mapped[str] = mapped_column(String(80))  # what it is about, e.g. module:12, organisation:3, partnership:2
    stage: Mapped[str] = mapped_column(String(80))  # which occurrence, e.g. the due date, a completion id, 2026-W49, 2026-27-Q2
    mandatory: Mapped[bool] = mapped_column(default=False)  # about mandatory training: cannot be switched off
    status: Mapped[str] = mapped_column(String(16), default="pending")
    email_subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    unsubscribe_url: Mapped[str] = mapped_column(String(1000), default="")  # for the List-Unsubscribe header; empty: none allowed
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[dt.datetime] = mapped_column(default=utcnow)  # once claimed: when it was last tried (the admin page's "Last tried")
    claimed_until: Mapped[dt.datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    sent_to: Mapped[str] = mapped_column(String(320), default="")
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"), index=True)
    user: Mapped[User] = relationship()


class NoticePreference(Base):
    """What one person chose; no row means the defaults (each reminder as it falls due, everything on)."""

    __tablename__ = "notice_preference"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    reminders: Mapped[str] = mapped_column(String(16), default="each")  # each | weekly (one digest on Mondays)
    optional_reminders: Mapped[bool] = mapped_column(default=True)  # reminders about optional modules
    admin_digest: Mapped[bool] = mapped_column(default=True)  # organisation admins' weekly compliance digest
    quarterly_figures: Mapped[bool] = mapped_column(default=True)  # partnership leads' "your figures are ready"
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
