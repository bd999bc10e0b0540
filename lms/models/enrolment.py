"""How people come to an organisation and what it asks them to do: join codes, claimed email
domains, and module assignments with due dates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.accounts import Department, Organisation
from lms.models.base import Base, utcnow
from lms.models.content import Module


class JoinCode(Base):
    """A code an organisation admin hands out so staff can register under that organisation."""

    __tablename__ = "join_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    organisation: Mapped[Organisation] = relationship()
    department: Mapped[Department | None] = relationship()

    def is_usable(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class EmailDomain(Base):
    """An email domain an organisation has claimed: once approved, people with such an address may join it.

    `status` is pending (asked for, with the claiming admin's confirmed address at the domain as
    evidence), approved (by a site admin) or refused. Only approved claims place anyone.
    """

    __tablename__ = "email_domain"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    evidence_email: Mapped[str] = mapped_column(String(320), default="", server_default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[dt.datetime | None]
    organisation: Mapped[Organisation] = relationship()


class Assignment(Base):
    """A module an organisation (or one of its departments) asks its staff to complete."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("module_id", "organisation_id", "department_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    due_on: Mapped[dt.date | None]
    mandatory: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    module: Mapped[Module] = relationship()
    organisation: Mapped[Organisation] = relationship()
    department: Mapped[Department | None] = relationship()
