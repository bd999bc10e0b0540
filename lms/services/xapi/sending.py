"""Sending kept statements to a learning record store: batches, backoff, and dead letters.

- Accepted (2xx): the statements are sent.
- Temporary (no answer, 5xx, 408, 429) or about the LRS's address or our credentials (401, 403, 404,
  405): nothing is wrong with the statements, so the batch waits 1, 2, 4... minutes (at most six hours)
  and the run stops there.
- Any other 4xx refuses something in the batch for good. An LRS refuses a whole batch for one bad
  statement, so the batch is halved until each refused statement is alone: that one is dead-lettered
  with the LRS's answer, and the rest are delivered.
- 409 Conflict for one statement means the LRS already holds that id. If what it holds is the statement
  we sent (an LRS may answer 409 where Ralph answers 204), it counts as sent; otherwise the LRS holds a
  different statement under our id, which a person must look at: dead-lettered.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import XapiOutbox, utcnow
from lms.services.xapi.outbox import WAITING
from lms.services.xapi.statements import XAPI_VERSION

log = logging.getLogger(__name__)
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_WAIT = dt.timedelta(hours=6)
TEMPORARY = {408, 429}
NOT_THE_STATEMENTS = {401, 403, 404, 405}  # the address or the credentials are wrong, not the statements
ANSWER_EXCERPT = 300


@dataclass(frozen=True)
class Lrs:
    """A learning record store to forward statements to, with its basic-auth credentials."""

    endpoint: str
    username: str = ""
    password: str = ""
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config) -> Lrs | None:
        """The configured LRS (LMS_XAPI_ENDPOINT, LMS_XAPI_USERNAME, LMS_XAPI_PASSWORD), or None."""
        endpoint = str(config.get("XAPI_ENDPOINT") or "").strip()
        if not endpoint:
            return None
        if urlsplit(endpoint).scheme not in ("http", "https"):
            raise ValueError(f"XAPI_ENDPOINT '{endpoint}' must start with https:// (or http:// for a local test LRS)")
        return cls(endpoint.rstrip("/"), str(config.get("XAPI_USERNAME") or ""), str(config.get("XAPI_PASSWORD") or ""))

    def headers(self) -> dict[str, str]:
        credentials = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return {"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION, "Authorization": f"Basic {credentials}"}


@dataclass(frozen=True)
class Answer:
    """What the LRS said: its HTTP status (None when it could not be reached) and the start of its answer."""

    status: int | None
    text: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def permanent(self) -> bool:
        """A refusal of the statements themselves: sending them again unchanged cannot help."""
        return self.status is not None and 400 <= self.status < 500 and self.status not in TEMPORARY | NOT_THE_STATEMENTS

    def describe(self) -> str:
        if self.status is None:
            return f"the LRS could not be reached ({self.text})"
        return f"the LRS answered HTTP {self.status}" + (f": {self.text}" if self.text else "")


def _ask(lrs: Lrs, request: urllib.request.Request) -> tuple[Answer, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=lrs.timeout) as response:  # noqa: S310 - http(s) only (Lrs.from_config)
            return Answer(response.status), response.read()
    except urllib.error.HTTPError as error:
        text = error.read()[:ANSWER_EXCERPT * 4].decode("utf-8", "replace")
        return Answer(error.code, " ".join(text.split())[:ANSWER_EXCERPT] or str(error.reason)), b""
    except (urllib.error.URLError, OSError) as error:
        return Answer(None, str(getattr(error, "reason", error))[:ANSWER_EXCERPT]), b""


def post_statements(lrs: Lrs, bodies: list[str]) -> Answer:
    """POST kept statements to the LRS as one JSON array of their exact text."""
    data = ("[" + ",".join(bodies) + "]").encode("utf-8")
    request = urllib.request.Request(f"{lrs.endpoint}/statements", data=data, method="POST", headers=lrs.headers())  # noqa: S310
    return _ask(lrs, request)[0]


def held_identically(lrs: Lrs, body: str) -> bool:
    """Whether the LRS holds this statement as we sent it (it may add `stored`, `authority` and `version`)."""
    ours = json.loads(body)
    query = urllib.parse.urlencode({"statementId": ours["id"]})
    answer, data = _ask(lrs, urllib.request.Request(f"{lrs.endpoint}/statements?{query}", headers=lrs.headers()))  # noqa: S310
    try:
        theirs = json.loads(data) if answer.ok else {}
    except ValueError:
        return False
    return isinstance(theirs, dict) and all(theirs.get(key) == value for key, value in ours.items())


@dataclass
class Delivery:
    """What became of one batch: sent, dead-lettered (with the answer), or waiting after a temporary failure."""

    sent: list[int] = field(default_factory=list)
    dead: dict[int, str] = field(default_factory=dict)
    failed: list[int] = field(default_factory=list)
    error: str = ""


Post = Callable[[Lrs, list[str]], Answer]


def deliver(lrs: Lrs, batch: list[tuple[int, str]], post: Post, outcome: Delivery) -> bool:
    """Send (row id, text) pairs, halving a refused batch to find what the LRS refuses; False to stop after a temporary failure."""
    answer = post(lrs, [body for _row, body in batch])
    if answer.ok:
        outcome.sent += [row for row, _body in batch]
        return True
    if not answer.permanent:
        outcome.failed += [row for row, _body in batch]
        outcome.error = answer.describe()
        return False
    if len(batch) > 1:
        half = len(batch) // 2
        return deliver(lrs, batch[:half], post, outcome) and deliver(lrs, batch[half:], post, outcome)
    row, body = batch[0]
    if answer.status == 409 and held_identically(lrs, body):
        outcome.sent.append(row)
    else:
        outcome.dead[row] = answer.describe() + (" (it holds a different statement with this id)" if answer.status == 409 else "")
    return True


def retry_delay(tries: int) -> dt.timedelta:
    """Exponential backoff: 1, 2, 4, 8... minutes after each failed try, at most six hours."""
    return min(FIRST_RETRY * 2 ** max(tries - 1, 0), LONGEST_WAIT)


@dataclass
class SendReport:
    """What one `send_due` run did: statements accepted, dead-lettered, tried and failed, and the last error."""

    sent: int = 0
    dead: int = 0
    failed: int = 0
    error: str = ""


def _record(session: Session, outcome: Delivery, now: dt.datetime, endpoint: str) -> None:
    rows = outcome.sent + list(outcome.dead) + outcome.failed
    with write_transaction(session):
        for row in session.scalars(select(XapiOutbox).where(XapiOutbox.id.in_(rows))):
            row.tries, row.last_tried_at = row.tries + 1, now
            if row.id in outcome.dead:
                row.dead_at, row.last_error = utcnow(), outcome.dead[row.id][:1000]
            elif row.id in outcome.failed:
                row.next_try_at, row.last_error = now + retry_delay(row.tries), outcome.error[:1000]
            else:
                row.sent_at, row.sent_to, row.last_error = utcnow(), endpoint[:500], ""


def send_due(session: Session, lrs: Lrs, now: dt.datetime | None = None, batch_size: int = 50, max_batches: int = 100,
             post: Post = post_statements) -> SendReport:
    """Send waiting statements whose time has come, oldest first, in batches; stop at the first temporary failure.

    No transaction is held open while the LRS is asked, so learners' writes never wait on the network.
    """
    now = now or utcnow()
    report = SendReport()
    for _ in range(max_batches):
        due = session.execute(select(XapiOutbox.id, XapiOutbox.body).where(*WAITING, XapiOutbox.next_try_at <= now)
                              .order_by(XapiOutbox.id).limit(batch_size)).all()
        session.rollback()  # end the read before the network call
        if not due:
            break
        outcome = Delivery()
        deliver(lrs, [tuple(row) for row in due], post, outcome)
        _record(session, outcome, now, lrs.endpoint)
        report.sent, report.dead, report.failed = report.sent + len(outcome.sent), report.dead + len(outcome.dead), report.failed + len(outcome.failed)
        for row, why in outcome.dead.items():
            log.warning("xAPI: statement row %d dead-lettered: %s", row, why)
        if outcome.error:
            log.warning("xAPI: %d statement(s) not sent, will retry: %s", len(outcome.failed), outcome.error)
            report.error = outcome.error
            break
    return report
