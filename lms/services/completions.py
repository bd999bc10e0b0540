"""Submitting an assessment and recording completions exactly once, with refresher dates."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select, union
from sqlalchemy.orm import Session, contains_eager, undefer

from lms.db import write_transaction
from lms.models import Assignment, Attempt, Channel, Completion, LessonProgress, Module, ModuleVersion, TrainingSession, User, utcnow
from lms.services import xapi
from lms.services.assessment_draw import asked_questions, draw, new_seed, questions_asked
from lms.services.attempt_policy import RetryGate, retry_gate
from lms.services.marking import Marking, mark, read_answers
from lms.services.periods import fy_quarter, uk_date

VERIFICATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DUE_SOON = dt.timedelta(days=60)
# A completion from a withdrawn face-to-face session stays on record but counts nowhere: standing,
# compliance, certificates and exports all filter on this.
COUNTS = Completion.withdrawn_at.is_(None)


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
    """The completion a learner's standing rests on: the most recently earned, by either channel."""
    return session.scalar(select(Completion).where(Completion.user_id == user_id, Completion.module_id == module_id, COUNTS)
                          .order_by(Completion.completed_at.desc(), Completion.id.desc()).limit(1))


def is_in_date(completion: Completion | None, refresher_months: int, now: dt.datetime) -> bool:
    if completion is None:
        return False
    expiry = expires_at(completion, refresher_months)
    return expiry is None or expiry > now


def due_window(completion: Completion, expiry: dt.datetime) -> dt.timedelta:
    """How long before expiry a refresher falls due: DUE_SOON, or a quarter of the completion's life when that
    is shorter, so a module refreshed monthly is not 'due' the moment it is passed (and every pass counted)."""
    return min(DUE_SOON, (expiry - completion.completed_at) / 4)


def refresher_state(completion: Completion | None, refresher_months: int, now: dt.datetime) -> str:
    """'none', 'completed', 'due for refresher' (within `due_window` of expiry) or 'overdue' (expired).

    The boundaries: a completion expires at the very moment `refresher_months` after it was earned,
    and falls due for refresher `due_window` before that moment (DUE_SOON for any refresher of a year or more).
    """
    if completion is None:
        return "none"
    expiry = expires_at(completion, refresher_months)
    if expiry is None or now < expiry - due_window(completion, expiry):
        return "completed"
    return "due for refresher" if now < expiry else "overdue"


def needs_completion(completion: Completion | None, refresher_months: int, now: dt.datetime) -> bool:
    """Whether a pass (or attendance) now would be recorded: never done, or due for refresher, or expired."""
    return refresher_state(completion, refresher_months, now) != "completed"


def next_sequence(session: Session, user_id: int, module_id: int) -> int:
    last = session.scalar(select(func.max(Completion.sequence)).where(Completion.user_id == user_id, Completion.module_id == module_id))
    return (last or 0) + 1


class EmailNotConfirmed(PermissionError):
    """Only people who have confirmed their email address may take an assessment, so every completion
    belongs to someone who controls the address it is recorded under."""


class RetryNotYet(PermissionError):
    """The module's retry rules hold the learner back for now; `gate` says why and until when."""

    def __init__(self, gate: RetryGate) -> None:
        super().__init__(gate.reason)
        self.gate = gate


class AttemptSuperseded(PermissionError):
    """The learner started a later attempt at the module (a republish deals a new draw): only the latest
    attempt may be submitted, so an old draw cannot be kept aside to slip past the retry rules."""


_LATER_ATTEMPT = (select(Attempt.id).join(ModuleVersion, ModuleVersion.id == Attempt.version_id)
                  .where(Attempt.user_id == bindparam("user_id"), ModuleVersion.module_id == bindparam("module_id"),
                         Attempt.id > bindparam("attempt_id")).limit(1))

_OPEN_ATTEMPT = (select(Attempt).where(Attempt.user_id == bindparam("user_id"), Attempt.version_id == bindparam("version_id"),
                                       Attempt.submitted_at.is_(None)).order_by(Attempt.id.desc()).limit(1))


def start_attempt(session: Session, user: User, version: ModuleVersion) -> Attempt:
    """The learner's attempt at `version`: the one they left open, or a new draw if the retry rules allow.

    Returning the open attempt means starting again never deals a fresh set of questions.
    Raises EmailNotConfirmed until the address is confirmed, RetryNotYet while the rules hold them back.
    """
    if not user.email_confirmed:
        raise EmailNotConfirmed(user.public_id)
    with write_transaction(session):
        session.execute(select(User.id).where(User.id == user.id).with_for_update())  # one start at a time
        attempt = session.scalar(_OPEN_ATTEMPT, {"user_id": user.id, "version_id": version.id})
        if attempt is not None:
            return attempt
        gate = retry_gate(session, user, version)
        if not gate.open:
            raise RetryNotYet(gate)
        seed = new_seed()
        attempt = Attempt(user_id=user.id, version_id=version.id, seed=seed, drawn=draw(version, seed))
        session.add(attempt)
    return attempt


@dataclass
class Submission:
    attempt: Attempt
    marking: Marking
    completion: Completion | None


_OWN_ATTEMPT = select(Attempt).where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))


def submit_attempt(session: Session, attempt_id: int, user: User, form: dict[str, list[str]]) -> Submission:
    """Mark an attempt once, on the questions it drew; a repeated submit returns the first result and records nothing new.

    Raises AttemptSuperseded for an attempt the learner has since replaced with a later one.
    """
    with write_transaction(session):
        # Lock the learner's row: their submissions (two tabs, a double click) are marked one at a time.
        session.execute(select(User.id).where(User.id == user.id).with_for_update())
        attempt = session.scalar(_OWN_ATTEMPT, {"attempt_id": attempt_id, "user_id": user.id})
        if attempt is None:
            raise LookupError(attempt_id)
        version = session.get(ModuleVersion, attempt.version_id, options=[undefer(ModuleVersion.answer_key)])
        questions = questions_asked(version, attempt)
        if attempt.submitted_at is None:
            if session.scalar(_LATER_ATTEMPT, {"user_id": user.id, "module_id": version.module_id, "attempt_id": attempt.id}):
                raise AttemptSuperseded(attempt.id)
            answers = read_answers(asked_questions(version, attempt), form)
            result = mark(questions, version.answer_key, answers, version.pass_mark)
            attempt.answers, attempt.submitted_at = answers, utcnow()
            attempt.correct_count, attempt.question_count = result.correct_count, result.question_count
            attempt.score, attempt.passed = result.score, result.passed
            completion = _record_pass(session, attempt, user, version) if result.passed else None
            xapi.queue_attempt(session, attempt, completion)  # rows only, same transaction; `lms xapi send` posts them
            return Submission(attempt, result, completion)
        result = mark(questions, version.answer_key, attempt.answers or {}, version.pass_mark)
        completion = session.scalar(select(Completion).where(Completion.attempt_id == attempt.id))
    return Submission(attempt, result, completion)


def _record_pass(session: Session, attempt: Attempt, user: User, version: ModuleVersion) -> Completion | None:
    """Add a completion unless the learner holds one that is in date and not yet due for refresher."""
    latest = latest_completion(session, user.id, version.module_id)
    if not needs_completion(latest, version.refresher_months, attempt.submitted_at):
        return None
    completion = Completion(
        user_id=user.id, organisation_id=user.organisation_id, module_id=version.module_id, version_id=version.id,
        channel=Channel.ELEARNING, sequence=next_sequence(session, user.id, version.module_id), score=attempt.score,
        completed_at=attempt.submitted_at, fy_quarter=fy_quarter(attempt.submitted_at), attempt_id=attempt.id,
        verification_code=new_verification_code(),
    )
    session.add(completion)
    return completion


def record_attendance(session: Session, user: User, training_session: TrainingSession,
                      attended_at: dt.datetime | None = None) -> Completion:
    """A learner's face-to-face attendance as a completion, in the caller's transaction.

    It renews an e-learning completion of the same module (standing follows the latest completion),
    while earlier completions keep counting in the quarters they were earned in. It carries a
    verification code, so it has a certificate like any other completion.
    """
    moment = attended_at or dt.datetime.combine(training_session.delivered_on, dt.time(12))
    completion = Completion(
        user_id=user.id, organisation_id=user.organisation_id, module_id=training_session.module_id, version_id=None,
        channel=Channel.FACE_TO_FACE, sequence=next_sequence(session, user.id, training_session.module_id),
        completed_at=moment, fy_quarter=fy_quarter(moment), session_id=training_session.id,
        verification_code=new_verification_code(),
    )
    session.add(completion)
    session.flush()
    xapi.queue_completion(session, completion)  # rows only, same transaction
    return completion


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
    assigned: bool = False
    mandatory: bool = False
    due_on: dt.date | None = None  # the assignment's due date, while the module is not yet completed

    @property
    def needs_action(self) -> bool:
        return self.status in ("due for refresher", "overdue")


def module_status(completion: Completion | None, refresher_months: int, started: bool, due_on: dt.date | None,
                  now: dt.datetime) -> str:
    """The learner's status for one module: refreshers first, then an assignment's due date, then progress."""
    state = refresher_state(completion, refresher_months, now)
    if state != "none":
        return state
    if due_on is not None and due_on < uk_date(now):
        return "overdue"
    return "in progress" if started else "not started"


def _assignments(session: Session, user: User) -> dict[int, tuple[bool, dt.date | None]]:
    """Module id to (mandatory, earliest due date) over the assignments to the learner's organisation and department."""
    where = Assignment.department_id.is_(None)
    if user.department_id is not None:
        where = or_(where, Assignment.department_id == user.department_id)
    found: dict[int, tuple[bool, dt.date | None]] = {}
    for assignment in session.scalars(select(Assignment).where(Assignment.organisation_id == user.organisation_id, where)):
        mandatory, due_on = found.get(assignment.module_id, (False, None))
        dates = [d for d in (due_on, assignment.due_on) if d is not None]
        found[assignment.module_id] = (mandatory or assignment.mandatory, min(dates) if dates else None)
    return found


# Built once. Each module comes with its live version in the same query (the page shows its length and
# language, the status needs its refresher period): one query, not one more per module.
_PUBLISHED_MODULES = (select(Module).join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
                      .options(contains_eager(Module.current_version)).order_by(Module.title))
# Modules the learner has begun in any version: an attempt, or a lesson page opened.
_STARTED = union(select(ModuleVersion.module_id).join(Attempt, Attempt.version_id == ModuleVersion.id)
                 .where(Attempt.user_id == bindparam("user_id")),
                 select(ModuleVersion.module_id).join(LessonProgress, LessonProgress.version_id == ModuleVersion.id)
                 .where(LessonProgress.user_id == bindparam("user_id")))


def training_status(session: Session, user: User, now: dt.datetime | None = None) -> list[ModuleStatus]:
    """Every published module with the learner's status: assigned ones (soonest due first), then the rest by title."""
    now = now or utcnow()
    modules = session.scalars(_PUBLISHED_MODULES).all()
    started = set(session.scalars(_STARTED, {"user_id": user.id}))
    latest: dict[int, Completion] = {}
    for completion in session.scalars(select(Completion).where(Completion.user_id == user.id, COUNTS)
                                      .order_by(Completion.completed_at, Completion.id)):
        latest[completion.module_id] = completion
    assigned = _assignments(session, user)
    statuses = []
    for module in modules:
        completion = latest.get(module.id)
        months = module.current_version.refresher_months
        mandatory, due_on = assigned.get(module.id, (False, None))
        status = module_status(completion, months, module.id in started, due_on, now)
        expiry = expires_at(completion, months) if completion else None
        statuses.append(ModuleStatus(module, status, completion, expiry, module.id in assigned, mandatory,
                                     due_on if completion is None else None))
    return sorted(statuses, key=_listing_order)


def _listing_order(status: ModuleStatus) -> tuple[bool, dt.date]:
    """Assigned modules first, soonest due (or soonest to refresh) first; the rest keep their title order."""
    if not status.assigned:
        return True, dt.date.max
    return False, status.due_on or (status.expires.date() if status.expires else dt.date.max)
