"""Single sign-on: an organisation's own OpenID Connect provider, and the accounts it vouches for."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.accounts import Organisation, User
from lms.models.base import Base, utcnow


class SingleSignOn(Base):
    """One organisation's provider: where it is, our client's credentials there, and whose addresses it speaks for.

    The client secret is stored encrypted (lms/services/sso/secret_box.py) and never shown again. `domains`
    are email domains the organisation already holds as approved claims: the provider is trusted for those only.
    """

    __tablename__ = "single_sign_on"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret_encrypted: Mapped[str] = mapped_column(Text)
    tenant_id: Mapped[str] = mapped_column(String(64), default="")
    domains: Mapped[list] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(default=False)
    required: Mapped[bool] = mapped_column(default=False)  # password sign-in and registration refused for its domains
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    checked_at: Mapped[dt.datetime | None]
    check_passed: Mapped[bool | None]
    check_report: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[Organisation] = relationship()


class SsoIdentity(Base):
    """A person as their organisation's provider knows them: issuer and subject never change, an email may."""

    __tablename__ = "sso_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[dt.datetime | None]
    user: Mapped[User] = relationship()
