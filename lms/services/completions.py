"""Submitting an assessment and recording completions exactly once.

Where a learner then stands (refresher dates, status, compliance) is lms.services.standing's rule.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, undefer

from lms.db import write_transaction
from lms.models import Attempt, Channel, Completion, ModuleVersion, TrainingSession, User, utcnow
from lms.services import xapi
from lms.services.assessment_draw import asked_questions, draw, new_seed, questions_asked
from lms.services.attempt_policy import RetryGate, retry_gate
from lms.services.localities import attendance_area, locality_of
from lms.services.marking import Marking, mark, read_answers
from lms.services.periods import fy_quarter
from lms.services.standing import latest_completion, needs_completion

VERIFICATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


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
        user_id=user.id, organisation_id=user.organisation_id, partnership_id=locality_of(user), module_id=version.module_id,
        version_id=version.id,
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
        partnership_id=attendance_area(user.organisation, training_session.partnership_id),
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
