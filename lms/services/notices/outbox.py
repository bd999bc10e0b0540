"""The notice outbox: a row per email, unique per (person, kind, subject, stage), written before it is sent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lms.mail import Message
from lms.models import Notice


@dataclass(frozen=True)
class Draft:
    """A notice someone is owed, before it is a row. `held`: wait for the person's weekly digest."""

    user_id: int
    kind: str
    subject: str
    stage: str
    message: Message
    mandatory: bool = False
    held: bool = False
    unsubscribe_url: str = ""


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    interrupted: int = 0


def add_notices(session: Session, drafts: list[Draft], now: dt.datetime) -> list[Notice]:
    """Write the drafts whose key is new, in the caller's transaction; a key another worker wrote first is skipped."""
    raise NotImplementedError  # owner: outbox helper


def deliver_due(session: Session, now: dt.datetime | None = None, limit: int = 200, settings: dict | None = None) -> DeliveryReport:
    """Claim due pending rows, send each through lms.mail, mark it sent or schedule a retry with backoff."""
    raise NotImplementedError  # owner: outbox helper
