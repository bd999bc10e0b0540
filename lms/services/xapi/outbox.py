"""The statements kept for an LRS: stored once when a result is recorded, exported and retried from there.

Every statement is built once, in the transaction that records the attempt, completion or attendance,
and kept as its exact text (`XapiOutbox.body`). Export and the sender use that text and nothing else,
so the actor, organisation names and site address are never read again. Records from before statements
were stored (or passes recorded while the statement could not be built) get theirs built the first time
an export needs them, then kept like any other.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import Attempt, Completion, XapiOutbox, canonical_json, utcnow
from lms.services.audit import record_event
from lms.services.periods import Period
from lms.services.xapi.statements import VERB_BASE, Site, for_attempt, for_completion, namespace

log = logging.getLogger(__name__)
WAITING = (XapiOutbox.sent_at.is_(None), XapiOutbox.dead_at.is_(None))
LOOKUP_CHUNK = 500  # record ids per IN (...) query
OLDER_PER_RUN = 1000  # older records given their statement per `lms xapi send`, so one run stays short
Record = Attempt | Completion


def _kind(record: Record) -> str:
    return "attempt" if isinstance(record, Attempt) else "completion"


def _queue(session: Session, records: list[Record]) -> None:
    """Store the statements of records made in this transaction, in a savepoint: a statement that cannot be
    built must never stop the pass or attendance itself being recorded. The record is then left for export
    to build later, like older ones. The records are new, so no statement can be kept for them yet (and
    the unique record key would refuse a second one): there is nothing to look up first."""
    session.flush()
    try:
        with session.begin_nested():
            space, site = namespace(session), Site.from_config(current_app.config)
            for record in records:
                built = for_attempt(session, space, record, site) if isinstance(record, Attempt) else for_completion(session, space, record, site)
                session.add(XapiOutbox(statement_id=built["id"], record_kind=_kind(record), record_id=record.id, body=canonical_json(built)))
            session.flush()
    except Exception:  # noqa: BLE001 - whatever went wrong, the learner's result is recorded; the log says why
        log.exception("xAPI: no statement kept for %s", ", ".join(f"{_kind(r)} {r.id}" for r in records))


def queue_attempt(session: Session, attempt: Attempt, completion: Completion | None) -> None:
    """In the caller's transaction, store a just-marked attempt's statements: passed or failed, and completed
    for the completion it earned (None: it earned none). Only rows are written; `lms xapi send` does the network work."""
    _queue(session, [attempt] + ([completion] if completion is not None else []))


def queue_completion(session: Session, completion: Completion) -> None:
    """In the caller's transaction, store the 'completed' statement of a named face-to-face attendance."""
    if completion.user_id is not None:
        _queue(session, [completion])


def store(session: Session, kind: str, record_id: int, statement: dict) -> str:
    """Keep a record's statement text once; a record's statement already kept stays exactly as it was,
    whatever id it has. Returns the kept text."""
    kept = session.scalar(select(XapiOutbox.body).where(XapiOutbox.record_kind == kind, XapiOutbox.record_id == record_id))
    if kept is not None:
        return kept
    row = XapiOutbox(statement_id=statement["id"], record_kind=kind, record_id=record_id, body=canonical_json(statement))
    session.add(row)
    session.flush()
    return row.body


def kept_for(session: Session, kind: str, record_ids: list[int]) -> dict[int, XapiOutbox]:
    """The kept statements of these records of one kind, by record id."""
    found: dict[int, XapiOutbox] = {}
    for start in range(0, len(record_ids), LOOKUP_CHUNK):
        chunk = record_ids[start:start + LOOKUP_CHUNK]
        found.update((row.record_id, row) for row in session.scalars(
            select(XapiOutbox).where(XapiOutbox.record_kind == kind, XapiOutbox.record_id.in_(chunk))))
    return found


def _unkept(kind: str, id_column):
    """A condition: no statement is kept yet for this record."""
    return ~select(XapiOutbox.id).where(XapiOutbox.record_kind == kind, XapiOutbox.record_id == id_column).exists()


UNKEPT_ATTEMPTS = (Attempt.submitted_at.is_not(None), _unkept("attempt", Attempt.id))
UNKEPT_COMPLETIONS = (Completion.user_id.is_not(None), Completion.withdrawn_at.is_(None), _unkept("completion", Completion.id))


def unkept_count(session: Session) -> int:
    """How many marked attempts and named completions have no statement kept yet (older records)."""
    attempts = session.scalar(select(func.count(Attempt.id)).where(*UNKEPT_ATTEMPTS)) or 0
    return attempts + (session.scalar(select(func.count(Completion.id)).where(*UNKEPT_COMPLETIONS)) or 0)


def keep_unkept(session: Session, site: Site, limit: int = OLDER_PER_RUN) -> int:
    """Build and keep, oldest first, the statements of up to `limit` records that have none yet (recorded
    before statements were kept, or while one could not be built), so the sender sends them too. Returns how many."""
    with write_transaction(session):
        attempts = session.scalars(select(Attempt).where(*UNKEPT_ATTEMPTS).order_by(Attempt.submitted_at, Attempt.id).limit(limit)).all()
        completions = session.scalars(select(Completion).where(*UNKEPT_COMPLETIONS)
                                      .order_by(Completion.completed_at, Completion.id).limit(limit)).all()
        records = sorted([*attempts, *completions], key=lambda r: r.submitted_at if isinstance(r, Attempt) else r.completed_at)[:limit]
        if records:
            space = namespace(session)
            for record in records:
                built = for_attempt(session, space, record, site) if isinstance(record, Attempt) else for_completion(session, space, record, site)
                store(session, _kind(record), record.id, built)
    return len(records)


def _period_records(session: Session, period: Period) -> tuple[list[Attempt], list[Completion]]:
    start, end = period.moments
    attempts = session.scalars(select(Attempt).where(Attempt.submitted_at >= start, Attempt.submitted_at < end)
                               .order_by(Attempt.submitted_at, Attempt.id)).all()
    completions = session.scalars(select(Completion).where(
        Completion.fy_quarter >= period.first_quarter, Completion.fy_quarter <= period.last_quarter,
        Completion.completed_at >= start, Completion.completed_at < end, Completion.user_id.is_not(None),
        Completion.withdrawn_at.is_(None))  # a withdrawn session's completions are not exported (completions.COUNTS)
        .order_by(Completion.completed_at, Completion.id)).all()
    return list(attempts), list(completions)


def period_bodies(session: Session, period: Period, site: Site) -> list[str]:
    """The kept text of every pass, fail and completion in a reporting period, in time order; a record
    with no statement kept yet (from before they were stored) has it built and kept now, once."""
    bodies: list[str] = []
    with write_transaction(session):
        space: uuid.UUID | None = None
        attempts, completions = _period_records(session, period)
        for records in (attempts, completions):
            kept = {record_id: row.body for record_id, row in kept_for(session, _kind(records[0]), [r.id for r in records]).items()} if records else {}
            for record in records:
                if record.id not in kept:
                    space = space or namespace(session)
                    built = for_attempt(session, space, record, site) if isinstance(record, Attempt) else for_completion(session, space, record, site)
                    kept[record.id] = store(session, _kind(record), record.id, built)
                bodies.append(kept[record.id])
    return sorted(bodies, key=_time_order)


def _time_order(body: str) -> tuple[str, bool, str]:
    statement = json.loads(body)
    return statement["timestamp"], statement["verb"]["id"] != VERB_BASE + "completed", statement["id"]


def period_statements(session: Session, period: Period, site: Site) -> Iterator[dict]:
    """The period's kept statements, read back as data."""
    yield from (json.loads(body) for body in period_bodies(session, period, site))


def to_json_lines(bodies: list[str]) -> Iterator[str]:
    """JSON lines of the kept text, byte for byte."""
    for body in bodies:
        yield body + "\n"


@dataclass(frozen=True)
class OutboxStatus:
    """What `lms xapi status` and the admin page show: how many statements are in each state."""

    queued: int
    due: int
    backing_off: int
    dead: int
    sent: int
    oldest_waiting: dt.datetime | None
    last_error: str
    last_error_at: dt.datetime | None
    next_try: dt.datetime | None = None  # the soonest a statement backing off is tried again
    unkept: int = 0  # older records with no statement kept yet; the next sends build them


def outbox_status(session: Session, now: dt.datetime | None = None) -> OutboxStatus:
    """Counts of waiting (due now or backing off), dead-lettered and sent statements, the oldest waiting, the last error."""
    now = now or utcnow()
    count = func.count(XapiOutbox.id)
    queued, due, backing_off, oldest = session.execute(select(
        count, func.count(XapiOutbox.id).filter(XapiOutbox.next_try_at <= now),
        func.count(XapiOutbox.id).filter(XapiOutbox.next_try_at > now, XapiOutbox.tries > 0), func.min(XapiOutbox.created_at)).where(*WAITING)).one()
    dead = session.scalar(select(count).where(XapiOutbox.dead_at.is_not(None)))
    sent = session.scalar(select(count).where(XapiOutbox.sent_at.is_not(None)))
    last = session.execute(select(XapiOutbox.last_error, XapiOutbox.last_tried_at).where(XapiOutbox.last_error != "", XapiOutbox.sent_at.is_(None))
                           .order_by(XapiOutbox.last_tried_at.desc(), XapiOutbox.id.desc()).limit(1)).first()
    next_try = session.scalar(select(func.min(XapiOutbox.next_try_at)).where(*WAITING, XapiOutbox.next_try_at > now))
    return OutboxStatus(queued, due, backing_off, dead or 0, sent or 0, oldest, last[0] if last else "", last[1] if last else None,
                        next_try, unkept_count(session))


def bring_forward(session: Session, actor_id: int | None, via: str = "cli") -> int:
    """Make every statement waiting after a failed try due now, e.g. once the LRS settings are fixed. Returns how many."""
    with write_transaction(session):
        rows = list(session.scalars(select(XapiOutbox).where(*WAITING, XapiOutbox.next_try_at > utcnow())))
        for row in rows:
            row.next_try_at = utcnow()
        if rows:
            record_event(session, "xapi.brought_forward", "xapi:waiting", actor_id, count=len(rows), via=via)
    return len(rows)


def outbox_waiting(session: Session) -> int:
    """How many statements are waiting to be accepted by the LRS (dead-lettered ones are not waiting)."""
    return session.scalar(select(func.count(XapiOutbox.id)).where(*WAITING)) or 0


def dead_letters(session: Session, limit: int = 200) -> list[XapiOutbox]:
    """Statements the LRS refused for good, the latest first, with its answer in `last_error`."""
    return list(session.scalars(select(XapiOutbox).where(XapiOutbox.dead_at.is_not(None)).order_by(XapiOutbox.dead_at.desc(), XapiOutbox.id.desc())
                                .limit(limit)))


def retry_dead(session: Session, actor_id: int | None, one: str | None = None, via: str = "cli") -> int:
    """Put dead-lettered statements (all, or the one with this statement id) back in the queue, due now,
    their backoff started afresh; the LRS's last answer stays until the next try. Returns how many."""
    with write_transaction(session):
        query = select(XapiOutbox).where(XapiOutbox.dead_at.is_not(None))
        rows = list(session.scalars(query.where(XapiOutbox.statement_id == one) if one else query))
        now = utcnow()
        for row in rows:
            row.dead_at, row.tries, row.next_try_at = None, 0, now
        if rows:
            record_event(session, "xapi.retried", f"xapi:{one or 'all'}", actor_id, count=len(rows), via=via)
    return len(rows)


def describe(body: str) -> str:
    """A statement in a few words for people: its verb and what it is about (no personal data)."""
    statement = json.loads(body)
    verb = statement.get("verb", {}).get("id", "").rsplit("/", 1)[-1] or "statement"
    names = statement.get("object", {}).get("definition", {}).get("name", {})
    return f"{verb}: {next(iter(names.values()), statement.get('object', {}).get('id', ''))}"


def is_statement_id(value: str) -> bool:
    """Whether a value is written like a statement id (a UUID), before looking for it."""
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False
