"""Statements about one person: finding them for a subject access request, and forgetting the person in them."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from lms.models import Attempt, Completion, User, XapiOutbox
from lms.services.xapi.statements import Site


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

    def _pattern(self, value: str) -> re.Pattern[str]:
        """The value as a whole token: jo@x.example is not found inside anjo@x.example, nor one pseudonym inside a longer one."""
        return re.compile(r"(?<![\w.%+-])" + re.escape(value) + r"(?![\w%+-]|\.\w)")

    def replace_in(self, text: str, new_public_id: str) -> str:
        """Text with the person's email and pseudonym, as whole tokens, replaced."""
        text = self._pattern(self.email).sub("erased", text) if self.email else text
        return self._pattern(self.public_id).sub(new_public_id, text) if self.public_id else text

    def in_text(self, text: str) -> bool:
        return any(self._pattern(value).search(text) for value in (self.email, self.public_id) if value)

    def named_in(self, value: object) -> bool:
        """Whether a statement (or part of one) names the person: an Agent that is them, or text holding their
        email or pseudonym as a whole token. Never a substring of someone else's address."""
        if isinstance(value, dict):
            return self.is_agent(value) or any(self.named_in(item) for item in value.values())
        if isinstance(value, list):
            return any(self.named_in(item) for item in value)
        return isinstance(value, str) and self.in_text(value)


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
        return who.replace_in(value, new_public_id)
    return value


def outbox_about(session: Session, user: User, who: Identity) -> list[XapiOutbox]:
    """Waiting, dead-lettered and sent statements about a person: those of their own attempts and completions,
    and any other that names them (the SQL text match only narrows the rows; the decision is `Identity.named_in`)."""
    own = or_(and_(XapiOutbox.record_kind == "attempt", XapiOutbox.record_id.in_(select(Attempt.id).where(Attempt.user_id == user.id))),
              and_(XapiOutbox.record_kind == "completion", XapiOutbox.record_id.in_(select(Completion.id).where(Completion.user_id == user.id))))
    traces = {t for value in (who.email, who.public_id) if value for t in (value, json.dumps(value)[1:-1])}
    rows = session.scalars(select(XapiOutbox).where(or_(own, *(XapiOutbox.body.contains(t, autoescape=True) for t in traces))).order_by(XapiOutbox.id))
    mine = set(session.scalars(select(XapiOutbox.id).where(own)))
    return [row for row in rows if row.id in mine or who.named_in(row.statement)]


def sent_elsewhere(rows: list[XapiOutbox]) -> list[str]:
    """For each LRS that holds, or may hold, some of these statements: how many, and that they must be erased there.
    A statement posted and not yet answered (`sending_at`) may be held: it counts, said as such."""
    held = Counter(row.sent_to or "" for row in rows if row.sent_at is not None)
    maybe = Counter(row.sending_to or "" for row in rows if row.sent_at is None and row.sending_at is not None)
    notes = [f"{count} {'statement' if count == 1 else 'statements'} about this person "
             f"{'was' if count == 1 else 'were'} already sent to the LRS at {endpoint or 'an address not recorded (sent before 0007)'}; "
             "erase them there." for endpoint, count in sorted(held.items())]
    return notes + [f"{count} {'statement' if count == 1 else 'statements'} about this person {'was' if count == 1 else 'were'} "
                    f"being sent to the LRS at {endpoint} at the time, so it may hold them as they were before: check there and erase them."
                    for endpoint, count in sorted(maybe.items())]
