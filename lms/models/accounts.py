"""Partnerships, their organisations and departments, and the people who use Safer Learning."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, str_enum, utcnow

if TYPE_CHECKING:
    from lms.models.areas import JointGroup


class OrganisationType(enum.StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    POLICE = "police"
    FIRE = "fire"
    PROBATION = "probation"
    HEALTH = "health"
    VOLUNTARY = "voluntary_sector"
    BUSINESS = "business"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Role(enum.StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    ORG_ADMIN = "organisation_admin"
    PARTNERSHIP_LEAD = "partnership_lead"
    SITE_ADMIN = "site_admin"


class Partnership(Base):
    """A Community Safety Partnership; its settings fill the modules' local placeholders."""

    __tablename__ = "partnership"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    organisations: Mapped[list[Organisation]] = relationship(back_populates="partnership")  # those it is home to


class Organisation(Base):
    """A council, police force, health body, charity or business whose staff train here."""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)  # its home partnership
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[OrganisationType] = mapped_column(str_enum(OrganisationType))
    xapi_shares_email: Mapped[bool] = mapped_column(default=False)  # opt-in: xAPI actors by email, not pseudonym
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    partnership: Mapped[Partnership] = relationship(back_populates="organisations")
    # partnerships it serves besides its home one; lms.services.localities says where its people count
    other_partnerships: Mapped[list[Partnership]] = relationship(secondary="organisation_partnership", order_by="Partnership.name")
    departments: Mapped[list[Department]] = relationship(back_populates="organisation")


class Department(Base):
    """An optional part of an organisation that modules can be assigned to."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # the partnership area its people work in, when the organisation serves several (None: the home partnership)
    locality_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"))
    organisation: Mapped[Organisation] = relationship(back_populates="departments")


class User(UserMixin, Base):
    """A person with one role in one organisation; deactivated users keep their completions."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.LEARNER)
    active: Mapped[bool] = mapped_column(default=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[dt.datetime | None]
    erased_at: Mapped[dt.datetime | None]
    # Set when the person proves they read mail at `email` (a confirmation or set-password link).
    email_confirmed_at: Mapped[dt.datetime | None]
    # When the latest confirmation link went out: an import from another organisation waits until it expires.
    confirmation_sent_at: Mapped[dt.datetime | None]
    # Carried in every session and remember-me cookie; raising it ends all of them on every server.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # the partnership area the person works in (None: their department's, else the organisation's home partnership)
    locality_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"))
    # a partnership lead of a joint group reports on the group's partnerships together
    joint_group_id: Mapped[int | None] = mapped_column(ForeignKey("joint_group.id"))
    organisation: Mapped[Organisation] = relationship()
    department: Mapped[Department | None] = relationship()
    joint_group: Mapped[JointGroup | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in to deactivated users
        return self.active

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def get_id(self) -> str:
        """What the session cookie carries: the id and the session generation it was signed in under."""
        return f"{self.id}:{self.session_generation}"
