"""Guards on the way in: sign-in throttling shared by every app server, and API tokens for BI tools."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base, utcnow


class SignInThrottle(Base):
    """Recent failed sign-ins for one key (an email address or a client address).

    Kept in the database, not in a server's memory, so every app server behind the load balancer
    sees the same count.
    """

    __tablename__ = "sign_in_throttle"
    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[dt.datetime | None]


class ApiToken(Base):
    """A read-only token for the reporting API; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]


class RememberToken(Base):
    """A "keep me signed in" token for one sign-in on one device: random, stored hashed, ended on the server.

    The cookie holds `selector.validator`; only the validator's SHA-256 is kept, so a copy of the
    database cannot sign anyone in.
    """

    __tablename__ = "remember_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    selector: Mapped[str] = mapped_column(String(32), unique=True)
    validator_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
