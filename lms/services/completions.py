"""Submitting an assessment and recording completions exactly once, with refresher dates."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import Attempt, Channel, Completion, Module, ModuleVersion, User, utcnow
from lms.services.marking import Marking, mark, read_answers, shuffled_option_order
from lms.services.periods import fy_quarter

VERIFICATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DUE_SOON = dt.timedelta(days=60)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` later, or the month's last day when it has no such day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def expires_at(completion: Completion, refresher_months: int) -> dt.datetime | None:
    """When a completion falls due for refresh; None when the module never needs refreshing."""
    return add_months(completion.completed_at, refresher_months) if refresher_months else None


def latest_completion(session: Session, user_id: int, module_id: int) -> Completion | None:
    return session.scalar(select(Completion).where(Completion.user_id == user_id, Completion.module_id == module_id)
                          .order_by(Completion.sequence.desc()).limit(1))


def is_in_date(completion: Completion | None, refresher_months: int, now: dt.datetime) -> bool:
    if completion is None:
        return False
    expiry = expires_at(completion, refresher_months)
    return expiry is None or expiry > now


def start_attempt(session: Session, user: User, version: ModuleVersion) -> Attempt:
    """Open a new assessment attempt with its own option order."""
    with write_transaction(session):
        attempt = Attempt(user_id=user.id, version_id=version.id, option_order=shuffled_option_order(version))
        session.add(attempt)
    return attempt


@dataclass
class Submission:
    attempt: Attempt
    marking: Marking
    completion: Completion | None


def submit_attempt(session: Session, attempt_id: int, user: User, form: dict[str, list[str]]) -> Submission:
    """Mark an attempt once; a repeated submit returns the first result and records nothing new."""
    with write_transaction(session):
        # Lock the learner's row: their submissions (two tabs, a double click) are marked one at a time.
        session.execute(select(User.id).where(User.id == user.id).with_for_update())
        attempt = session.scalar(select(Attempt).where(Attempt.id == attempt_id, Attempt.user_id == user.id))
        if attempt is None:
            raise LookupError(attempt_id)
        version = session.get(ModuleVersion, attempt.version_id)
        questions = version.scored_questions
        if attempt.submitted_at is None:
            answers = read_answers(questions, form)
            result = mark(questions, version.answer_key, answers, version.pass_mark)
            attempt.answers, attempt.submitted_at = answers, utcnow()
            attempt.correct_count, attempt.question_count = result.correct_count, result.question_count
            attempt.score, attempt.passed = result.score, result.passed
            if result.passed:
                _record_pass(session, attempt, user, version)
        result = mark(questions, version.answer_key, attempt.answers or {}, version.pass_mark)
        completion = session.scalar(select(Completion).where(Completion.attempt_id == attempt.id))
    return Submission(attempt, result, completion)


def _record_pass(session: Session, attempt: Attempt, user: User, version: ModuleVersion) -> None:
    """Add a completion unless the learner already holds one that is still in date."""
    latest = latest_completion(session, user.id, version.module_id)
    if is_in_date(latest, version.refresher_months, attempt.submitted_at):
        return
    session.add(Completion(
        user_id=user.id, organisation_id=user.organisation_id, module_id=version.module_id, version_id=version.id,
        channel=Channel.ELEARNING, sequence=(latest.sequence + 1) if latest else 1, score=attempt.score,
        completed_at=attempt.submitted_at, fy_quarter=fy_quarter(attempt.submitted_at), attempt_id=attempt.id,
        verification_code=new_verification_code(),
    ))


def new_verification_code() -> str:
    """A short, unguessable code printed on a certificate and checked at /verify/<code>."""
    return "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(12))


@dataclass
class ModuleStatus:
    """Where a learner stands with one module, for 'My training'."""

    module: Module
    status: str  # not started | in progress | completed | due for refresher | overdue
    completion: Completion | None
    expires: dt.datetime | None


def training_status(session: Session, user: User, now: dt.datetime | None = None) -> list[ModuleStatus]:
    """Every published module with the learner's status, completion and refresher date."""
    now = now or utcnow()
    modules = session.scalars(select(Module).where(Module.current_version_id.is_not(None)).order_by(Module.title)).all()
    started = set(session.scalars(select(ModuleVersion.module_id).join(Attempt, Attempt.version_id == ModuleVersion.id)
                                  .where(Attempt.user_id == user.id)))
    latest_ids = select(func.max(Completion.id)).where(Completion.user_id == user.id).group_by(Completion.module_id)
    latest = {c.module_id: c for c in session.scalars(select(Completion).where(Completion.id.in_(latest_ids)))}
    statuses = []
    for module in modules:
        completion = latest.get(module.id)
        expiry = expires_at(completion, module.current_version.refresher_months) if completion else None
        if completion is None:
            status = "in progress" if module.id in started else "not started"
        elif expiry is not None and expiry <= now:
            status = "overdue"
        elif expiry is not None and expiry - now <= DUE_SOON:
            status = "due for refresher"
        else:
            status = "completed"
        statuses.append(ModuleStatus(module, status, completion, expiry))
    return statuses
