"""When a learner may start another attempt: the one home of the retry rules a module's settings choose.

After a failed attempt the learner opens every lesson page again (or, if the module says so, waits a
while); after `failed_attempts` failures within `failed_attempts_hours` they wait until the oldest of
those leaves the period, unless a trainer or admin lets them try again sooner. Failures before such a
reset no longer count. A pass, or no attempt yet, leaves the way open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from authoring.assessment import NUMBERS
from lms.db import write_transaction
from lms.models import Attempt, AttemptReset, Module, ModuleVersion, PageReview, User, utcnow
from lms.services.assessment_draw import rules_of
from lms.services.audit import record_event

MAX_PERIOD_HOURS = NUMBERS["failed_attempts_hours"][1]  # the longest period a module may set


@dataclass
class RetryGate:
    """Whether a new attempt may start now and, if not, why: 'review', 'wait' or 'limit'."""

    reason: str = ""
    until: dt.datetime | None = None
    pages_to_review: list[int] = field(default_factory=list)
    failures: int = 0  # failed attempts in the current period, after any reset

    @property
    def open(self) -> bool:
        return not self.reason


def last_reset(session: Session, user_id: int, module_id: int) -> dt.datetime | None:
    return session.scalar(select(func.max(AttemptReset.reset_at)).where(AttemptReset.user_id == user_id,
                                                                         AttemptReset.module_id == module_id))


def counted_attempts(session: Session, user_id: int, module_id: int) -> list[Attempt]:
    """The learner's submitted attempts at a module since the last reset, oldest first."""
    query = (select(Attempt).join(ModuleVersion, ModuleVersion.id == Attempt.version_id)
             .where(Attempt.user_id == user_id, ModuleVersion.module_id == module_id, Attempt.submitted_at.is_not(None))
             .order_by(Attempt.submitted_at, Attempt.id))
    reset = last_reset(session, user_id, module_id)
    if reset is not None:
        query = query.where(Attempt.submitted_at > reset)
    return list(session.scalars(query))


def retry_gate(session: Session, user: User, version: ModuleVersion, now: dt.datetime | None = None) -> RetryGate:
    """What stands between the learner and a new attempt at `version` (its module's current version)."""
    now, rules = now or utcnow(), rules_of(version)
    attempts = counted_attempts(session, user.id, version.module_id)
    if not attempts or attempts[-1].passed:
        return RetryGate()
    period = dt.timedelta(hours=rules.failed_attempts_hours)
    recent = [a.submitted_at for a in attempts if not a.passed and a.submitted_at > now - period]
    if len(recent) >= rules.failed_attempts:
        return RetryGate("limit", recent[-rules.failed_attempts] + period, failures=len(recent))
    latest = attempts[-1]
    if rules.after_fail == "wait":
        until = latest.submitted_at + dt.timedelta(minutes=rules.wait_minutes)
        return RetryGate("wait", until, failures=len(recent)) if now < until else RetryGate(failures=len(recent))
    reviewed = set(session.scalars(select(PageReview.page_number).where(PageReview.attempt_id == latest.id)))
    left = [number for number in range(1, version.lesson_page_count + 1) if number not in reviewed]
    return RetryGate("review", pages_to_review=left, failures=len(recent)) if left else RetryGate(failures=len(recent))


# Built once: it runs on every lesson page view, so SQLAlchemy reuses its cache key and compiled SQL.
_LATEST_SUBMITTED = (select(Attempt.id, Attempt.passed, Attempt.submitted_at)
                     .join(ModuleVersion, ModuleVersion.id == Attempt.version_id)
                     .where(Attempt.user_id == bindparam("user_id"), ModuleVersion.module_id == bindparam("module_id"),
                            Attempt.submitted_at.is_not(None))
                     .order_by(Attempt.submitted_at.desc(), Attempt.id.desc()).limit(1))


def note_page_read(session: Session, user: User, version: ModuleVersion, number: int) -> None:
    """Count a lesson page towards the review a failed attempt asks for (nothing to do otherwise)."""
    if rules_of(version).after_fail != "review":
        return
    latest = session.execute(_LATEST_SUBMITTED, {"user_id": user.id, "module_id": version.module_id}).first()
    if latest is None or latest.passed:
        return
    reset_at = last_reset(session, user.id, version.module_id)
    if (reset_at is None or latest.submitted_at > reset_at) and session.get(PageReview, (latest.id, number)) is None:
        with write_transaction(session):
            session.add(PageReview(attempt_id=latest.id, page_number=number))


@dataclass
class HeldBack:
    """A learner the failed-attempt limit holds back from a module, for the page that lets them retry sooner."""

    person: User
    module_id: int
    module_title: str
    gate: RetryGate


def held_back(session: Session, organisation_ids: list[int] | None, now: dt.datetime | None = None) -> list[HeldBack]:
    """Learners (in these organisations, or all when None) who have reached the failed-attempt limit of a module."""
    now = now or utcnow()
    since = now - dt.timedelta(hours=MAX_PERIOD_HOURS)
    query = (select(Attempt.user_id, ModuleVersion.module_id).join(ModuleVersion, ModuleVersion.id == Attempt.version_id)
             .join(User, User.id == Attempt.user_id).where(Attempt.passed.is_(False), Attempt.submitted_at > since).distinct())
    if organisation_ids is not None:
        query = query.where(User.organisation_id.in_(organisation_ids))
    found = []
    for user_id, module_id in session.execute(query).all():
        module = session.get(Module, module_id)
        if module.current_version is None:
            continue
        person = session.get(User, user_id)
        gate = retry_gate(session, person, module.current_version, now)
        if gate.reason == "limit":
            found.append(HeldBack(person, module_id, module.title, gate))
    return sorted(found, key=lambda h: (h.person.full_name.lower(), h.module_title))


def reset(session: Session, person: User, module_id: int, actor_id: int) -> None:
    """Let a learner try again now: earlier failures stop counting. Audited."""
    with write_transaction(session):
        session.add(AttemptReset(user_id=person.id, module_id=module_id, reset_by_id=actor_id))
        record_event(session, "attempts.reset", f"user:{person.public_id}", actor_id, module_id=module_id)
