"""Where training counts: the partnerships an organisation serves, joint groups of partnerships, and the
yearly targets partnership leads set. The rule placing a person in a partnership lives in
lms.services.localities."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.accounts import Partnership
from lms.models.base import Base, utcnow

# An organisation also serving partnerships besides its home one (North Yorkshire Police serves York too).
organisation_partnership = Table(
    "organisation_partnership", Base.metadata,
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
    Column("partnership_id", ForeignKey("partnership.id"), primary_key=True),
)
joint_group_partnership = Table(
    "joint_group_partnership", Base.metadata,
    Column("joint_group_id", ForeignKey("joint_group.id"), primary_key=True),
    Column("partnership_id", ForeignKey("partnership.id"), primary_key=True),
)


class JointGroup(Base):
    """A named set of partnerships that report together (a joint coordination group); its lead sees the sum."""

    __tablename__ = "joint_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    partnerships: Mapped[list[Partnership]] = relationship(secondary=joint_group_partnership, order_by="Partnership.name")


class ReportTarget(Base):
    """Sessions a partnership aims to deliver of one module in one financial year (both channels together)."""

    __tablename__ = "report_target"
    __table_args__ = (UniqueConstraint("partnership_id", "module_id", "financial_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    financial_year: Mapped[int]  # the year it starts: 2024 is 2024/25
    sessions: Mapped[int]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
