"""The notice outbox: a row per email, unique per (person, kind, subject, stage), written before it is sent.

Exactly once, however many workers run: planners write rows (a key that exists already is skipped, also
when another worker wrote it a moment ago); a sender claims due rows with one conditional UPDATE and
commits the claim before it talks to the mail server, so two senders never hold one row; just before a
row's message goes to the server the row is marked "sending" (committed), and it is marked sent after the
server accepted it. When a claim runs out (its worker stopped), rows still only "claimed" never reached the
server and go back to pending; a row left "sending" may or may not have gone, so it is "interrupted" and
waits for a site admin (lms.services.notices.attention), never re-sent by itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import String, cast, insert, literal, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms import mail
from lms.db import write_transaction
from lms.mail import MailError, MailOutcomeUnknown, Message
from lms.models import Completion, Notice, User, utcnow
from lms.services.notices.messages import LEARNER_KINDS
from lms.services.standing import COUNTS

log = logging.getLogger(__name__)
MAX_TRIES = 6  # then "failed": 5 min, 20 min, 80 min, 5 h 20, 21 h 20 between tries, about 28 hours in all
FIRST_WAIT = dt.timedelta(minutes=5)
CLAIM_FOR = dt.timedelta(minutes=15)  # longer than a batch can take (CLAIM_BATCH × two MAIL_TIMEOUTs)
CLAIM_BATCH = 25
KEY_CHUNK = 400  # keys per bulk look-up
INTERRUPTED = "A worker stopped while sending this email, so whether it was sent is not known. It is not sent again unless a site admin asks."
ABSENT = "Not sent: the person's account is deactivated or erased."
# A notice never tried for this long (the mail settings sent nothing: MAIL_BACKEND=log) is too late to help:
# "due in 14 days" a fortnight on would mislead. Retries are not affected (the last comes about 28 hours in).
STALE_AFTER = dt.timedelta(days=7)
STALE = "Not sent: it waited more than 7 days without a try, because the mail settings sent no email."
DONE = "Not sent: the person completed the module after this reminder was written."
SENDING_BACKENDS = ("smtp", "file")  # the log backend writes emails to the log: for a notice, that is not sending
Key = tuple[int, str, str, str]


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

    @property
    def key(self) -> Key:
        return (self.user_id, self.kind, self.subject, self.stage)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    interrupted: int = 0
    cancelled: int = 0
    skipped: int = 0  # claimed, but the claim ran out and was released before this worker began to send


# --- writing notices ------------------------------------------------------------------------------------

def add_notices(session: Session, drafts: list[Draft], now: dt.datetime) -> list[Notice]:
    """Write the drafts whose key is new, in the caller's transaction; a key another worker wrote first is skipped."""
    fresh: dict[Key, Draft] = {}
    for draft in drafts:
        _check(draft)
        fresh.setdefault(draft.key, draft)
    for key in _existing_keys(session, list(fresh)):
        fresh.pop(key, None)
    rows = [_row(draft, now) for draft in fresh.values()]
    if not rows:
        return []
    try:
        with session.begin_nested():  # one INSERT ... RETURNING for the lot (the planners' simulated year writes 5,000 at a time)
            return list(session.scalars(insert(Notice).returning(Notice), rows))
    except IntegrityError:  # another worker wrote some of these keys since we looked: one row at a time
        return [notice for notice in (_added_alone(session, row) for row in rows) if notice is not None]


def _check(draft: Draft) -> None:
    for name, longest in (("kind", 40), ("subject", 80), ("stage", 80)):
        if not getattr(draft, name) or len(getattr(draft, name)) > longest:
            raise ValueError(f"notice {name} {getattr(draft, name)!r} must be 1 to {longest} characters")


def _existing_keys(session: Session, keys: list[Key]) -> set[Key]:
    """Which of these keys have a row already, looked up in chunks."""
    found: set[Key] = set()
    columns = (Notice.user_id, Notice.kind, Notice.subject, Notice.stage)
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start:start + KEY_CHUNK]
        query = select(*columns).where(Notice.user_id.in_({k[0] for k in chunk}), Notice.kind.in_({k[1] for k in chunk}),
                                       tuple_(*columns).in_(chunk))
        found.update(tuple(row) for row in session.execute(query))
    return found


def _row(draft: Draft, now: dt.datetime) -> dict:
    subject = draft.message.subject if len(draft.message.subject) <= 300 else draft.message.subject[:299] + "…"
    return {"user_id": draft.user_id, "kind": draft.kind, "subject": draft.subject, "stage": draft.stage, "mandatory": draft.mandatory,
            "status": "held" if draft.held else "pending", "email_subject": subject, "body_text": draft.message.body,
            "body_html": draft.message.html, "unsubscribe_url": draft.unsubscribe_url, "attempts": 0, "next_try_at": now,
            "last_error": "", "created_at": now, "sent_to": ""}


def _added_alone(session: Session, row: dict) -> Notice | None:
    """The row written in a savepoint of its own, or None when its key exists (the savepoint alone is undone)."""
    try:
        with session.begin_nested():
            notice = Notice(**row)
            session.add(notice)
        return notice
    except IntegrityError:
        return None


# --- sending them ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Claimed:
    """What sending one claimed notice needs, read inside the claim's transaction."""

    id: int
    email: str
    present: bool  # active and not erased
    subject: str
    text: str
    html: str
    unsubscribe_url: str
    attempts: int


def deliver_due(session: Session, now: dt.datetime | None = None, limit: int = 200, settings: dict | None = None) -> DeliveryReport:
    """Claim due pending rows, send each through lms.mail, mark it sent or schedule a retry with backoff."""
    settings = settings or mail.current_settings()
    report = DeliveryReport(interrupted=_mark_interrupted(session, now or utcnow()),
                            cancelled=_cancel_absent(session, now or utcnow()) + _cancel_stale(session, now or utcnow())
                            + _cancel_done(session))
    if not mail_sends(settings):
        log.info("notices wait: MAIL_BACKEND=%s sends no email (set LMS_MAIL_BACKEND=smtp); the admin page says so too",
                 settings["MAIL_BACKEND"])
        return report
    handled = 0
    while handled < limit:
        moment = now or utcnow()
        token, claimed = _claim(session, moment, min(CLAIM_BATCH, limit - handled))
        if token is None:
            break
        for notice in claimed:
            _tally(report, _send_one(session, notice, token, now, settings))
        handled += len(claimed)
    return report


def _tally(report: DeliveryReport, outcome: str) -> None:
    setattr(report, outcome, getattr(report, outcome) + 1)


def _mark_interrupted(session: Session, now: dt.datetime) -> int:
    """Rows whose claim ran out: their worker stopped. Those it never began to send go back to pending;
    the one on the wire is interrupted, never re-sent by itself."""
    with write_transaction(session):
        session.execute(update(Notice).where(Notice.status == "claimed", Notice.claimed_until < now)
                        .values(status="pending", claim_token=None, claimed_until=None).execution_options(synchronize_session=False))
        result = session.execute(update(Notice).where(Notice.status == "sending", Notice.claimed_until < now)
                                 .values(status="interrupted", attempts=Notice.attempts + 1, last_error=INTERRUPTED).execution_options(synchronize_session=False))
    if result.rowcount:
        log.warning("%d notices were interrupted mid-send; a site admin decides whether to send them again", result.rowcount)
    return result.rowcount


def _cancel_absent(session: Session, now: dt.datetime) -> int:
    """Due notices to people deactivated or erased since they were written are cancelled, not sent."""
    absent = select(User.id).where(or_(User.active.is_(False), User.erased_at.is_not(None)))
    with write_transaction(session):
        result = session.execute(update(Notice).where(Notice.status == "pending", Notice.next_try_at <= now, Notice.user_id.in_(absent))
                                 .values(status="cancelled", last_error=ABSENT).execution_options(synchronize_session=False))
    return result.rowcount


def mail_sends(settings: dict | None = None) -> bool:
    """Whether the mail settings deliver notices; with the log backend they wait (site admins see why)."""
    return str((settings or mail.current_settings())["MAIL_BACKEND"]).lower() in SENDING_BACKENDS


def _cancel_stale(session: Session, now: dt.datetime) -> int:
    """Notices due for longer than STALE_AFTER and never tried are cancelled: what they say is out of date."""
    with write_transaction(session):
        # Due for that long without a try: a site admin's "send again" makes a row due now, so it is never stale.
        result = session.execute(update(Notice).where(Notice.status == "pending", Notice.attempts == 0, Notice.next_try_at < now - STALE_AFTER)
                                 .values(status="cancelled", last_error=STALE).execution_options(synchronize_session=False))
    return result.rowcount


def _cancel_done(session: Session) -> int:
    """A reminder about a module the person completed after it was written (while it waited for a retry, say)
    is no longer true: cancelled, not sent."""
    done = (select(Completion.id).where(Completion.user_id == Notice.user_id, COUNTS, Completion.completed_at > Notice.created_at,
                                        Notice.subject == literal("module:") + cast(Completion.module_id, String)).exists())
    with write_transaction(session):
        result = session.execute(update(Notice).where(Notice.status == "pending", Notice.kind.in_(LEARNER_KINDS), done)
                                 .values(status="cancelled", last_error=DONE).execution_options(synchronize_session=False))
    return result.rowcount


def _claim(session: Session, now: dt.datetime, size: int) -> tuple[str | None, list[_Claimed]]:
    """Up to `size` due rows for this worker alone, committed before any mail is sent. (None, []) when none are due.

    The UPDATE repeats the "pending and due" condition, so of two workers that chose the same rows only the
    first to write gets them (PostgreSQL re-checks the condition after waiting for the other's lock;
    SQLite lets one writer in at a time); the token says which rows are whose."""
    token = secrets.token_hex(16)
    with write_transaction(session):
        due = (Notice.status == "pending", Notice.next_try_at <= now)
        ids = list(session.scalars(select(Notice.id).where(*due).order_by(Notice.next_try_at, Notice.id).limit(size)))
        if not ids:
            return None, []
        session.execute(update(Notice).where(Notice.id.in_(ids), *due)
                        .values(status="claimed", claim_token=token, claimed_until=now + CLAIM_FOR, next_try_at=now)
                        .execution_options(synchronize_session=False))
        rows = session.execute(select(Notice.id, User.email, User.active, User.erased_at, Notice.email_subject, Notice.body_text,
                                      Notice.body_html, Notice.unsubscribe_url, Notice.attempts)
                               .join(User, User.id == Notice.user_id).where(Notice.claim_token == token).order_by(Notice.id))
        claimed = [_Claimed(r.id, r.email, r.active and r.erased_at is None, r.email_subject, r.body_text, r.body_html,
                            r.unsubscribe_url, r.attempts) for r in rows]
    return token, claimed


def message_for(notice: _Claimed, settings: dict) -> Message:
    """The email of a notice, to the person's address now (they may have changed it since it was written)."""
    headers = {"List-Unsubscribe": f"<{notice.unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"} if notice.unsubscribe_url else {}
    return Message(notice.email, notice.subject, notice.text, notice.html, headers, message_id=mail.notice_message_id(notice.id, settings))


def _send_one(session: Session, notice: _Claimed, token: str, now: dt.datetime | None, settings: dict) -> str:
    """Send one claimed notice and record what happened; returns the DeliveryReport field it counts in."""
    if not notice.present:
        _finish(session, notice.id, token, status="cancelled", last_error=ABSENT)
        return "cancelled"
    if not _on_the_wire(session, notice.id, token):
        return "skipped"
    try:
        mail.deliver(message_for(notice, settings), settings)
    except MailOutcomeUnknown as error:  # it may have gone: a person decides, as for a worker killed mid-send
        log.warning("notice %d to %s: %s", notice.id, notice.email, error)
        _finish(session, notice.id, token, status="interrupted", attempts=notice.attempts + 1, last_error=f"{error}. {INTERRUPTED}"[:1000])
        return "interrupted"
    except MailError as error:
        return _failed(session, notice, token, now or utcnow(), str(error))
    _finish(session, notice.id, token, status="sent", sent_at=now or utcnow(), sent_to=notice.email, last_error="")
    return "sent"


def _on_the_wire(session: Session, notice_id: int, token: str) -> bool:
    """Mark one claimed row "sending", committed, just before its message goes to the server: a worker killed
    from here on leaves this row (and no other of its batch) for a site admin. False: the claim was lost."""
    with write_transaction(session):
        result = session.execute(update(Notice).where(Notice.id == notice_id, Notice.claim_token == token, Notice.status == "claimed")
                                 .values(status="sending").execution_options(synchronize_session=False))
    return bool(result.rowcount)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed try: 5 minutes, then four times longer each time."""
    return FIRST_WAIT * 4 ** (attempts - 1)


def _failed(session: Session, notice: _Claimed, token: str, now: dt.datetime, answer: str) -> str:
    attempts = notice.attempts + 1
    log.warning("notice %d to %s not sent (try %d of %d): %s", notice.id, notice.email, attempts, MAX_TRIES, answer)
    if attempts >= MAX_TRIES:
        _finish(session, notice.id, token, status="failed", attempts=attempts, last_error=answer[:1000], next_try_at=now)
        return "failed"
    _finish(session, notice.id, token, status="pending", attempts=attempts, last_error=answer[:1000], next_try_at=now + backoff(attempts))
    return "retrying"


def _finish(session: Session, notice_id: int, token: str, **values) -> None:
    """Record the outcome on a row this worker claimed (also if its claim ran out meanwhile and it was called interrupted)."""
    with write_transaction(session):
        result = session.execute(update(Notice).where(Notice.id == notice_id, Notice.claim_token == token)
                                 .values(claim_token=None, claimed_until=None, **values).execution_options(synchronize_session=False))
    if not result.rowcount:
        log.error("notice %d: outcome %r not recorded, a site admin had already asked to send it again", notice_id, values["status"])
