"""Statements about one person: finding them for a subject access request, and forgetting the person in them."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lms.models import Attempt, Completion, User, XapiOutbox
from lms.services.xapi.statements import Site, namespace, statement_id


@dataclass(frozen=True)
class Identity:
    """What can name a person in a statement: their email (as mbox or its SHA-1), pseudonym and name."""

    email: str
    public_id: str
    full_name: str

    @property
    def mbox(self) -> str:
        return f"mailto:{self.email}"

    def is_agent(self, value: dict) -> bool:
        """Whether an xAPI Agent (actor, instructor, team member...) is this person."""
        account = value.get("account") if isinstance(value.get("account"), dict) else {}
        return (value.get("mbox") == self.mbox or value.get("mbox_sha1sum") == hashlib.sha1(self.mbox.encode()).hexdigest()  # noqa: S324 - xAPI's own field
                or account.get("name") == self.public_id)


def forget_person(value: object, who: Identity, new_public_id: str, site: Site) -> object:
    """A copy of a statement (or part of one) that no longer names the person anywhere.

    Agents that are the person become the new pseudonym; any other text holding their email or old
    pseudonym has it replaced, and text that is just their name is emptied. Statements name people
    only in their actor today (see `statements.actor`), but a sent statement is kept for good, so look everywhere.
    """
    if isinstance(value, dict):
        if who.is_agent(value):
            account = value.get("account") if isinstance(value.get("account"), dict) else {}
            return {"objectType": "Agent", "account": {"homePage": account.get("homePage", site.url), "name": new_public_id}}
        return {key: forget_person(item, who, new_public_id, site) for key, item in value.items()}
    if isinstance(value, list):
        return [forget_person(item, who, new_public_id, site) for item in value]
    if isinstance(value, str):
        if who.full_name and value.strip().casefold() == who.full_name.strip().casefold():
            return ""
        value = value.replace(who.email, "erased") if who.email else value
        return value.replace(who.public_id, new_public_id) if who.public_id else value
    return value


def outbox_about(session: Session, user: User, who: Identity) -> list[XapiOutbox]:
    """Waiting, dead-lettered and sent statements about a person: from their attempts and completions, or naming them."""
    space = namespace(session)
    ids = [statement_id(space, "attempt", i) for i in session.scalars(select(Attempt.id).where(Attempt.user_id == user.id))]
    ids += [statement_id(space, "completion", i) for i in session.scalars(select(Completion.id).where(Completion.user_id == user.id))]
    traces = {t for value in (who.email, who.public_id) if value for t in (value, json.dumps(value)[1:-1])}
    found = or_(XapiOutbox.statement_id.in_(ids), *(XapiOutbox.body.contains(t, autoescape=True) for t in traces))
    return list(session.scalars(select(XapiOutbox).where(found).order_by(XapiOutbox.id)))


def sent_elsewhere(rows: list[XapiOutbox]) -> list[str]:
    """For each LRS that already holds some of these statements: how many, and that they must be erased there."""
    held = Counter(row.sent_to or "" for row in rows if row.sent_at is not None)
    return [f"{count} {'statement' if count == 1 else 'statements'} about this person "
            f"{'was' if count == 1 else 'were'} already sent to the LRS at {endpoint or 'an address not recorded (sent before 0007)'}; "
            "erase them there." for endpoint, count in sorted(held.items())]
