"""Sending kept statements to a learning record store: one sender at a time, batches, backoff, dead letters.

- Accepted (an xAPI answer to a 2xx, see `transport`): the statements are sent.
- Temporary (no answer, no answer in time, a redirect, a 2xx that is not an xAPI answer, 5xx, 408, 429)
  or about the LRS's address or our credentials (401, 403, 404, 405): nothing is wrong with the
  statements, so the batch waits 1, 2, 4... minutes (at most six hours) and the run stops there.
- Any other 4xx refuses something in the batch for good. An LRS refuses a whole batch for one bad
  statement, so the batch is halved until each refused statement is alone: that one is dead-lettered
  with the LRS's answer, and the rest are delivered. If every statement of a batch of several is refused
  alone, the endpoint may be something that refuses everything (a proxy, a web page): they are dead-lettered
  only if it then answers a statements query as an LRS does; otherwise it is a temporary failure.
- 409 Conflict for one statement means the LRS already holds that id. If what it holds is the statement
  we sent (an LRS may answer 409 where Ralph answers 204), it counts as sent; otherwise the LRS holds a
  different statement under our id, which a person must look at: dead-lettered.

Rows are marked as being sent (`sending_at`, `sending_to`) before they are posted, so an erasure meanwhile
knows that LRS may hold them; if a row was rewritten while its old text was in flight, an audit event
says the LRS holds the text from before.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import XapiOutbox, utcnow
from lms.services.audit import record_event
from lms.services.xapi.lease import Lease
from lms.services.xapi.outbox import WAITING
from lms.services.xapi.transport import Answer, Lrs, held_identically, post_statements, speaks_xapi

log = logging.getLogger(__name__)
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_WAIT = dt.timedelta(hours=6)
RUN_LIMIT = 600.0  # seconds one `lms xapi send` starts requests for; the rest waits for the next run
ENDPOINT_SUSPECT = ("the LRS refused each of {count} statements on its own ({answer}), and its address does not answer "
                    "as an LRS: check LMS_XAPI_ENDPOINT; none was dead-lettered (if it is an LRS that does not let these "
                    "credentials read statements, `lms xapi send --batch-size 1` sets the refused ones aside)")


@dataclass
class Delivery:
    """What became of one batch: sent, dead-lettered (with the answer), waiting after a temporary failure,
    or not tried (the run's time was up)."""

    sent: list[int] = field(default_factory=list)
    dead: dict[int, str] = field(default_factory=dict)
    failed: list[int] = field(default_factory=list)
    error: str = ""
    stop_at: float = float("inf")  # time.monotonic() after which no request is started


Post = Callable[[Lrs, list[str]], Answer]


def deliver(lrs: Lrs, batch: list[tuple[int, str]], post: Post, outcome: Delivery) -> bool:
    """Send (row id, text) pairs, halving a refused batch to find what the LRS refuses; False to stop after a temporary failure."""
    if time.monotonic() > outcome.stop_at:
        outcome.error = outcome.error or "this run's time was up; the rest waits for the next run"
        return False
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


def deliver_batch(lrs: Lrs, batch: list[tuple[int, str]], post: Post, outcome: Delivery) -> None:
    """`deliver`, then: a batch of several refused one by one is the endpoint's fault unless the endpoint speaks xAPI."""
    deliver(lrs, batch, post, outcome)
    if len(batch) > 1 and len(outcome.dead) == len(batch) and not speaks_xapi(lrs):
        outcome.error = ENDPOINT_SUSPECT.format(count=len(batch), answer=next(iter(outcome.dead.values())))
        outcome.failed, outcome.dead = [row for row, _body in batch], {}


def retry_delay(tries: int) -> dt.timedelta:
    """Exponential backoff: 1, 2, 4, 8... minutes after each failed try, at most six hours."""
    return min(FIRST_RETRY * 2 ** max(tries - 1, 0), LONGEST_WAIT)


@dataclass
class SendReport:
    """What one `send_due` run did: statements accepted, dead-lettered, tried and failed, the last error,
    and whether another run held the lease (so this one sent nothing)."""

    sent: int = 0
    dead: int = 0
    failed: int = 0
    error: str = ""
    busy_until: dt.datetime | None = None


def _mark_sending(session: Session, rows: list[int], endpoint: str) -> None:
    with write_transaction(session):
        session.execute(update(XapiOutbox).where(XapiOutbox.id.in_(rows), *WAITING).values(sending_at=utcnow(), sending_to=endpoint[:500]))


def _note_rewritten(session: Session, row: XapiOutbox, sent_body: str, endpoint: str) -> None:
    """The row changed (an erasure) while its old text was in flight: the LRS holds the old text."""
    if row.body != sent_body:
        record_event(session, "xapi.sent_before_erasure", f"xapi:{row.statement_id}", None, sent_to=endpoint,
                     note="the LRS holds this statement as it was before the person's data was erased: erase it there")


def _record(session: Session, outcome: Delivery, bodies: dict[int, str], now: dt.datetime, endpoint: str) -> None:
    """The batch's outcome, changing only rows still waiting (a sent row is never dead-lettered or re-queued)."""
    with write_transaction(session):
        for row in session.scalars(select(XapiOutbox).where(XapiOutbox.id.in_(bodies), XapiOutbox.sent_at.is_(None))):
            tried = row.id in outcome.sent or row.id in outcome.dead or row.id in outcome.failed
            row.sending_at, row.sending_to = None, ""
            if not tried or (row.dead_at is not None and row.id not in outcome.sent):
                continue
            row.tries, row.last_tried_at = row.tries + 1, now
            if row.id in outcome.sent:
                row.sent_at, row.sent_to, row.dead_at, row.last_error = utcnow(), endpoint[:500], None, ""
                _note_rewritten(session, row, bodies[row.id], endpoint)
            elif row.id in outcome.dead:
                row.dead_at, row.last_error = utcnow(), outcome.dead[row.id][:1000]
            else:
                row.next_try_at, row.last_error = now + retry_delay(row.tries), outcome.error[:1000]


def _send_batch(session: Session, lrs: Lrs, due: list[tuple[int, str]], post: Post, now: dt.datetime, report: SendReport,
                stop_at: float) -> bool:
    """Post one batch and record it; False when the run should stop."""
    _mark_sending(session, [row for row, _body in due], lrs.endpoint)
    outcome = Delivery(stop_at=stop_at)
    deliver_batch(lrs, due, post, outcome)
    _record(session, outcome, dict(due), now, lrs.endpoint)
    report.sent, report.dead, report.failed = report.sent + len(outcome.sent), report.dead + len(outcome.dead), report.failed + len(outcome.failed)
    for row, why in outcome.dead.items():
        log.warning("xAPI: statement row %d dead-lettered: %s", row, why)
    if outcome.error:
        log.warning("xAPI: %d statement(s) not sent, will retry: %s", len(outcome.failed), outcome.error)
        report.error = outcome.error
    return not outcome.error


def send_due(session: Session, lrs: Lrs, now: dt.datetime | None = None, batch_size: int = 50, max_batches: int = 100,
             post: Post = post_statements, run_limit: float = RUN_LIMIT) -> SendReport:
    """Send waiting statements whose time has come, oldest first, in batches; stop at the first temporary failure.

    Only one run sends at a time (`Lease`); no transaction is held open while the LRS is asked, so learners'
    writes never wait on the network.
    """
    now, report, stop_at = now or utcnow(), SendReport(), time.monotonic() + run_limit
    lease = Lease(session, dt.timedelta(seconds=run_limit + 2 * lrs.deadline + 60))
    if not lease.take():
        report.busy_until = lease.held_until()
        return report
    try:
        for _ in range(max_batches):
            due = session.execute(select(XapiOutbox.id, XapiOutbox.body).where(*WAITING, XapiOutbox.next_try_at <= now)
                                  .order_by(XapiOutbox.id).limit(batch_size)).all()
            session.rollback()  # end the read before the network call
            if not due or not lease.renew() or not _send_batch(session, lrs, [tuple(row) for row in due], post, now, report, stop_at):
                break
    finally:
        lease.give_back()
    return report
