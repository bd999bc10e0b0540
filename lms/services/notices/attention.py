"""What site admins see of the notice outbox: how many notices are in each state, the ones that need a
person (failed after the last try, or interrupted mid-send), and sending one of those again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from lms.db import write_transaction
from lms.models import Notice, utcnow
from lms.services.audit import record_event

STATUSES = ("pending", "retrying", "held", "claimed", "sending", "sent", "in_digest", "failed", "interrupted", "cancelled")
NEEDS_A_PERSON = ("failed", "interrupted")
KIND_NAMES = {"assigned": "Assigned to them", "due-14": "Due in 14 days", "due-3": "Due in 3 days", "overdue": "Overdue",
              "refresher-60": "Refresher due in 60 days", "refresher-overdue": "Refresher overdue"}  # others show as written


def kind_name(kind: str) -> str:
    """A notice's kind in words for the admin page."""
    return KIND_NAMES.get(kind, kind.replace("-", " ").capitalize())


@dataclass(frozen=True)
class OutboxCounts:
    """Notices by state; "retrying" are the pending ones that failed at least once (not counted in pending)."""

    by_status: dict[str, int]

    def __getitem__(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def needing_attention(self) -> int:
        return sum(self[status] for status in NEEDS_A_PERSON)


def outbox_counts(session: Session) -> OutboxCounts:
    """How many notices are in each state, every state listed (0 when none)."""
    retrying = (Notice.status == "pending") & (Notice.attempts > 0)
    rows = session.execute(select(Notice.status, func.count(Notice.id).filter(~retrying), func.count(Notice.id).filter(retrying))
                           .group_by(Notice.status))
    counts = dict.fromkeys(STATUSES, 0)
    for status, plain, retried in rows:
        counts[status] = counts.get(status, 0) + plain
        counts["retrying"] += retried
    return OutboxCounts(counts)


def needing_attention(session: Session, limit: int = 200) -> list[Notice]:
    """Failed and interrupted notices, with their person, the latest try first."""
    query = (select(Notice).options(joinedload(Notice.user)).where(Notice.status.in_(NEEDS_A_PERSON))
             .order_by(Notice.next_try_at.desc(), Notice.id.desc()).limit(limit))
    return list(session.scalars(query))


def attention_notice(session: Session, notice_id: int) -> Notice | None:
    """The failed or interrupted notice with this id, or None (sent, waiting or no such notice)."""
    notice = session.get(Notice, notice_id, options=[joinedload(Notice.user)])
    return notice if notice is not None and notice.status in NEEDS_A_PERSON else None


def send_again(session: Session, notice_id: int, actor_id: int | None) -> Notice | None:
    """A site admin's decision to send a failed or interrupted notice again: due now, its tries counted afresh,
    to the person's address at the time (fix a wrong address first). None if it is not failed or interrupted."""
    with write_transaction(session):
        notice = attention_notice(session, notice_id)
        if notice is None:
            return None
        before, tries = notice.status, notice.attempts
        notice.status, notice.attempts, notice.next_try_at = "pending", 0, utcnow()
        notice.claim_token, notice.claimed_until = None, None
        record_event(session, "notice.sent_again", f"notice:{notice.id}", actor_id, status=before, tries=tries,
                     kind=notice.kind, person=notice.user_id)
    return notice


def send_failed_again(session: Session, actor_id: int | None) -> int:
    """Every failed notice due again now, e.g. once the mail server's settings are fixed. Interrupted ones are
    left out: each may have gone already, so a site admin decides on them one at a time. Returns how many."""
    with write_transaction(session):
        rows = list(session.scalars(select(Notice).where(Notice.status == "failed")))
        for notice in rows:
            notice.status, notice.attempts, notice.next_try_at = "pending", 0, utcnow()
        if rows:
            record_event(session, "notice.sent_again", "notice:failed", actor_id, count=len(rows))
    return len(rows)
