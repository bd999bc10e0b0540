"""Recording face-to-face sessions: the audience counts, and a completion for each named attendee."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import Module, Organisation, SessionAudience, TrainingSession, User
from lms.services.accounts import normalise_email
from lms.services.audit import record_event
from lms.services.completions import record_attendance
from lms.services.periods import UK, fy_quarter


class SessionError(ValueError):
    """A session that cannot be recorded; `problems` maps form field names to what to fix."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass
class SessionRecord:
    """What a trainer says about a session they delivered."""

    module_id: int | None
    delivered_on: dt.date | None
    venue: str
    delivering_organisation_id: int | None
    audience: dict[int, int]  # organisation id -> number who attended
    attendee_emails: list[str] = field(default_factory=list)


def attendance_moment(day: dt.date) -> dt.datetime:
    """Midday UK time on the day, in naive UTC: the completed_at of a face-to-face completion."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=UK).astimezone(dt.UTC).replace(tzinfo=None)


def _check(session: Session, record: SessionRecord, organisations: dict[int, Organisation], today: dt.date) -> tuple[Module, list[User]]:
    problems: dict[str, str] = {}
    module = session.get(Module, record.module_id) if record.module_id else None
    if module is None or module.current_version_id is None:
        problems["module"] = "Choose the module the session covered"
    if record.delivered_on is None:
        problems["delivered_on"] = "Enter the date the session was delivered"
    elif record.delivered_on > today:
        problems["delivered_on"] = "The session date must be today or in the past"
    if not record.venue.strip():
        problems["venue"] = "Enter where the session was held"
    elif len(record.venue.strip()) > 200:
        problems["venue"] = "The venue must be 200 characters or fewer"
    if record.delivering_organisation_id not in organisations:
        problems["delivering_organisation"] = "Choose the organisation that delivered the session"
    counts = {org_id: n for org_id, n in record.audience.items() if n}
    if any(n < 0 for n in counts.values()):
        problems["audience"] = "Attendee numbers must be 0 or more"
    elif not counts:
        problems["audience"] = "Enter how many people attended from at least one organisation"
    elif any(org_id not in organisations for org_id in counts):
        problems["audience"] = "Choose audience organisations from the list"
    attendees = _named_attendees(session, record, counts, problems)
    if problems:
        raise SessionError(problems)
    return module, attendees


def _named_attendees(session: Session, record: SessionRecord, counts: dict[int, int], problems: dict[str, str]) -> list[User]:
    """The named attendees, each one of an audience organisation's active people, no more per organisation than attended."""
    emails = list(dict.fromkeys(normalise_email(e) for e in record.attendee_emails if e.strip()))
    if not emails:
        return []
    people = {u.email.lower(): u for u in session.scalars(select(User).where(
        func.lower(User.email).in_(emails), User.organisation_id.in_(list(counts) or [-1]), User.active.is_(True)))}
    unknown = [e for e in emails if e not in people]
    if unknown:
        problems["attendees"] = (f"{', '.join(unknown[:5])} {'is' if len(unknown) == 1 else 'are'} not among the people of the "
                                 "organisations with attendees: check the address and the numbers attending")
        return []
    named: dict[int, int] = {}
    for person in people.values():
        named[person.organisation_id] = named.get(person.organisation_id, 0) + 1
    if any(n > counts[org_id] for org_id, n in named.items()):
        problems["attendees"] = "There are more named attendees from an organisation than the number who attended from it"
    return [people[e] for e in emails]


def record_session(session: Session, trainer: User, organisations: dict[int, Organisation], record: SessionRecord,
                   today: dt.date | None = None) -> TrainingSession:
    """Record a delivered session for the organisations the trainer may record for; SessionError lists what to fix."""
    today = today or dt.datetime.now(UK).date()
    with write_transaction(session):
        module, attendees = _check(session, record, organisations, today)
        counts = {org_id: n for org_id, n in record.audience.items() if n}
        delivered_on = record.delivered_on
        training = TrainingSession(module_id=module.id, delivered_on=delivered_on, fy_quarter=fy_quarter(delivered_on),
                                   venue=record.venue.strip(), delivering_organisation_id=record.delivering_organisation_id,
                                   trainer_id=trainer.id, attendee_count=sum(counts.values()),
                                   audience=[SessionAudience(organisation_id=o, attendee_count=n) for o, n in sorted(counts.items())])
        session.add(training)
        session.flush()
        if attendees:
            # Lock the attendees' rows so a completion earned online at the same moment cannot take the same sequence.
            session.execute(select(User.id).where(User.id.in_([u.id for u in attendees])).with_for_update())
        for person in attendees:
            record_attendance(session, person, training, attendance_moment(delivered_on))
        record_event(session, "session.recorded", f"training_session:{training.id}", trainer.id, module=module.slug,
                     delivered_on=delivered_on.isoformat(), attendees=training.attendee_count, named=len(attendees))
    return training


def recent_sessions(session: Session, organisation_ids: list[int], limit: int = 50) -> list[TrainingSession]:
    """Sessions delivered by the given organisations, newest first."""
    return list(session.scalars(select(TrainingSession).where(TrainingSession.delivering_organisation_id.in_(organisation_ids or [-1]))
                                .order_by(TrainingSession.delivered_on.desc(), TrainingSession.id.desc()).limit(limit)))
