"""Drafts and people for the outbox tests."""

from __future__ import annotations

import datetime as dt

from lms.db import write_transaction
from lms.mail import Message
from lms.models import Notice, User, utcnow
from lms.services.notices.outbox import Draft, add_notices
from tests.builders import make_organisation

HTML = "<p>Your module <strong>Safeguarding adults</strong> is due on 18 December 2026.</p>"


def draft(user: User, stage: str = "2026-12-18", kind: str = "due-14", **changes) -> Draft:
    """A 'due in 14 days' reminder for the Safeguarding adults module."""
    message = Message(user.email, "Safeguarding adults is due in 14 days",
                      "Your module Safeguarding adults is due on 18 December 2026.", HTML)
    values = {"user_id": user.id, "kind": kind, "subject": "module:1", "stage": stage, "message": message, "mandatory": True}
    return Draft(**{**values, **changes})


def learners(session, count: int) -> list[User]:
    """People in one organisation, committed so other sessions and threads see them."""
    with write_transaction(session):
        organisation = make_organisation(session)
        people = [User(email=f"learner{n}@example.org", full_name=f"Learner {n}", password_hash="not-a-hash", organisation_id=organisation.id,
                       email_confirmed_at=utcnow()) for n in range(count)]
        session.add_all(people)
    return people


def written(session, drafts: list[Draft], now: dt.datetime | None = None) -> list[Notice]:
    """The drafts' new rows, written (at `now`) and committed as a planner does."""
    with write_transaction(session):
        return add_notices(session, drafts, now or utcnow())
