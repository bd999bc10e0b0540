"""Recording face-to-face sessions: the audience counts, and a completion for each named attendee.

A recorded session can later be corrected (date, venue, numbers) or withdrawn, each with a reason in
the audit log. A withdrawn session stays on record but leaves every count, and so do its completions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import Completion, Module, ModuleVersion, Organisation, SessionAudience, TrainingSession, User, utcnow
from lms.services.accounts import identity_known, normalise_email
from lms.services.audit import record_event
from lms.services.completions import record_attendance
from lms.services.localities import attendance_area, locality_of
from lms.services.periods import UK, fy_quarter, govuk_date, uk_date

CONFIRM_ABOVE = 200  # more people than this from one organisation must be confirmed by the trainer
MAXIMUM_ATTENDEES = 5000  # more than this from one organisation is refused outright
REASON_LENGTH = 500


class SessionError(ValueError):
    """A session that cannot be recorded; `problems` maps form field names to what to fix.

    A key `confirm-<organisation id>` asks the trainer to confirm a large number from that organisation.
    """

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
    confirmed: dict[int, int] = field(default_factory=dict)  # organisation id -> the large number the trainer confirmed
    not_duplicate: bool = False  # the trainer confirmed it is not the same session as one already recorded
    area_id: int | None = None  # the partnership area it was run for; None: the trainer's locality


@dataclass
class SessionCorrection:
    """A correction to a recorded session's date, venue or numbers, and why it is made."""

    delivered_on: dt.date | None
    venue: str
    audience: dict[int, int]
    reason: str
    confirmed: dict[int, int] = field(default_factory=dict)


def attendance_moment(day: dt.date) -> dt.datetime:
    """Midday UK time on the day, in naive UTC: the completed_at of a face-to-face completion."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=UK).astimezone(dt.UTC).replace(tzinfo=None)


def first_published_on(session: Session, module_id: int) -> dt.date | None:
    """The UK date a module was first published: no session of it can have been delivered earlier."""
    first = session.scalar(select(func.min(ModuleVersion.published_at)).where(ModuleVersion.module_id == module_id))
    return uk_date(first) if first else None


def _check_date(delivered_on: dt.date | None, first: dt.date | None, today: dt.date, problems: dict[str, str]) -> None:
    if delivered_on is None:
        problems["delivered_on"] = "Enter the date the session was delivered"
    elif delivered_on > today:
        problems["delivered_on"] = "Date delivered must be today or in the past"
    elif first is not None and delivered_on < first:
        problems["delivered_on"] = f"Date delivered must be on or after {govuk_date(first)}, when the module was first published"


def _check_venue(venue: str, problems: dict[str, str]) -> str:
    venue = venue.strip()
    if not venue:
        problems["venue"] = "Enter where the session was held"
    elif len(venue) > 200:
        problems["venue"] = "The venue must be 200 characters or fewer"
    return venue


def _check_reason(reason: str, problems: dict[str, str], doing: str) -> str:
    reason = reason.strip()
    if not reason:
        problems["reason"] = f"Enter why you are {doing} the session"
    elif len(reason) > REASON_LENGTH:
        problems["reason"] = f"The reason must be {REASON_LENGTH} characters or fewer"
    return reason


def _check_audience(audience: dict[int, int], confirmed: dict[int, int], organisations: dict[int, Organisation],
                    problems: dict[str, str]) -> dict[int, int]:
    """The non-zero numbers per organisation; large numbers need the trainer's confirmation of that very number."""
    counts = {org_id: n for org_id, n in audience.items() if n}
    if any(n < 0 for n in counts.values()):
        problems["audience"] = "Attendee numbers must be 0 or more"
    elif not counts:
        problems["audience"] = "Enter how many people attended from at least one organisation"
    elif any(org_id not in organisations for org_id in counts):
        problems["audience"] = "Choose audience organisations from the list"
    elif any(n > MAXIMUM_ATTENDEES for n in counts.values()):
        problems["audience"] = f"No more than {MAXIMUM_ATTENDEES:,} people can be recorded from one organisation: check the numbers"
    else:
        for org_id, n in sorted(counts.items()):
            if n > CONFIRM_ABOVE and confirmed.get(org_id) != n:
                problems[f"confirm-{org_id}"] = (f"{n:,} people from {organisations[org_id].name} is more than {CONFIRM_ABOVE}: "
                                                 "check the number, and confirm it if it is right")
    return counts


def _check(session: Session, record: SessionRecord, organisations: dict[int, Organisation], today: dt.date
           ) -> tuple[Module, dict[int, int], list[User]]:
    problems: dict[str, str] = {}
    module = session.get(Module, record.module_id) if record.module_id else None
    if module is None or module.current_version_id is None:
        problems["module"] = "Choose the module the session covered"
    _check_date(record.delivered_on, first_published_on(session, module.id) if module else None, today, problems)
    _check_venue(record.venue, problems)
    if record.delivering_organisation_id not in organisations:
        problems["delivering_organisation"] = "Choose the organisation that delivered the session"
    counts = _check_audience(record.audience, record.confirmed, organisations, problems)
    attendees = _named_attendees(session, record, counts, problems)
    if not problems and not record.not_duplicate:
        _check_not_recorded_already(session, record, problems)
    if problems:
        raise SessionError(problems)
    return module, counts, attendees


def _check_not_recorded_already(session: Session, record: SessionRecord, problems: dict[str, str]) -> None:
    """A counted session of the same module, day, venue and delivering organisation is most likely this one
    recorded twice: ask the trainer to say it is another before it counts again."""
    same = session.scalar(select(TrainingSession.id).where(
        TrainingSession.module_id == record.module_id, TrainingSession.delivered_on == record.delivered_on,
        TrainingSession.delivering_organisation_id == record.delivering_organisation_id,
        func.lower(TrainingSession.venue) == record.venue.strip().lower(), TrainingSession.withdrawn_at.is_(None)).limit(1))
    if same is not None:
        problems["not_duplicate"] = (f"This session looks like one already recorded (reference {same}: same module, date, venue "
                                     "and organisation). If it is a different session, confirm that below; if not, there is "
                                     "nothing more to do")


def _named_attendees(session: Session, record: SessionRecord, counts: dict[int, int], problems: dict[str, str]) -> list[User]:
    """The named attendees, each one of an audience organisation's active, known people (not an unconfirmed
    self-registration: anyone can make one), no more per organisation than attended."""
    emails = list(dict.fromkeys(normalise_email(e) for e in record.attendee_emails if e.strip()))
    if not emails:
        return []
    people = {u.email.lower(): u for u in session.scalars(select(User).where(
        func.lower(User.email).in_(emails), User.organisation_id.in_(list(counts) or [-1]), User.active.is_(True), identity_known()))}
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
        module, counts, attendees = _check(session, record, organisations, today)
        delivered_on, area = record.delivered_on, record.area_id or locality_of(trainer)
        training = TrainingSession(module_id=module.id, delivered_on=delivered_on, fy_quarter=fy_quarter(delivered_on),
                                   venue=record.venue.strip(), delivering_organisation_id=record.delivering_organisation_id,
                                   trainer_id=trainer.id, attendee_count=sum(counts.values()), partnership_id=area,
                                   audience=_audience_lines(counts, organisations, area))
        session.add(training)
        session.flush()
        if attendees:
            # Lock the attendees' rows so a completion earned online at the same moment cannot take the same sequence.
            session.execute(select(User.id).where(User.id.in_([u.id for u in attendees])).with_for_update())
        for person in attendees:
            record_attendance(session, person, training, attendance_moment(delivered_on))
        record_event(session, "session.recorded", f"training_session:{training.id}", trainer.id, module=module.slug,
                     delivered_on=delivered_on.isoformat(), attendees=training.attendee_count, named=len(attendees),
                     confirmed={str(o): n for o, n in counts.items() if n > CONFIRM_ABOVE})
    return training


def _facts(training: TrainingSession) -> dict:
    """What a correction can change, as the audit log keeps it before and after."""
    return {"delivered_on": training.delivered_on.isoformat(), "venue": training.venue,
            "audience": {str(a.organisation_id): a.attendee_count for a in sorted(training.audience, key=lambda a: a.organisation_id)}}


def _locked_session(session: Session, training_id: int, doing: str) -> TrainingSession:
    """The session, locked against a concurrent correction; a withdrawn one cannot be changed."""
    training = session.scalar(select(TrainingSession).where(TrainingSession.id == training_id).with_for_update())
    if training is None:
        raise LookupError(training_id)
    if training.withdrawn_at is not None:
        raise SessionError({"reason": f"This session has been withdrawn, so it cannot be {doing}"})
    return training


def _named_by_organisation(session: Session, training_id: int) -> dict[int, int]:
    """How many named attendees (with a completion from the session) each organisation has."""
    return dict(session.execute(select(Completion.organisation_id, func.count()).where(Completion.session_id == training_id)
                                .group_by(Completion.organisation_id)).all())


def _check_correction(session: Session, training: TrainingSession, organisations: dict[int, Organisation],
                      correction: SessionCorrection, today: dt.date) -> tuple[str, dict[int, int], str]:
    problems: dict[str, str] = {}
    _check_date(correction.delivered_on, first_published_on(session, training.module_id), today, problems)
    venue = _check_venue(correction.venue, problems)
    recorded = {a.organisation_id: a.attendee_count for a in training.audience}
    unchanged = {o: n for o, n in correction.audience.items() if recorded.get(o) == n}  # confirmed when first recorded
    counts = _check_audience(correction.audience, correction.confirmed | unchanged, organisations, problems)
    if "audience" not in problems:
        for org_id, named in _named_by_organisation(session, training.id).items():
            if counts.get(org_id, 0) < named:
                name = organisations[org_id].name if org_id in organisations else "one organisation"
                problems["audience"] = (f"{named} named {'attendee is' if named == 1 else 'attendees are'} from "
                                        f"{name}: the number from it cannot be fewer")
    reason = _check_reason(correction.reason, problems, "correcting")
    if not problems and (correction.delivered_on, venue, counts) == (training.delivered_on, training.venue, recorded):
        problems["delivered_on"] = "Nothing has changed: correct the date, venue or numbers"
    if problems:
        raise SessionError(problems)
    return venue, counts, reason


def _audience_lines(counts: dict[int, int], organisations: dict[int, Organisation], area: int | None) -> list[SessionAudience]:
    """One line per audience organisation, each stamped with the partnership its attendees count for."""
    return [SessionAudience(organisation_id=o, attendee_count=n, partnership_id=attendance_area(organisations[o], area))
            for o, n in sorted(counts.items())]


def _set_audience(training: TrainingSession, counts: dict[int, int], organisations: dict[int, Organisation]) -> None:
    """Update the audience rows in place (their key is the organisation), adding and removing as needed."""
    for line in list(training.audience):
        if line.organisation_id in counts:
            line.attendee_count = counts[line.organisation_id]
        else:
            training.audience.remove(line)
    present = {line.organisation_id for line in training.audience}
    training.audience.extend(_audience_lines({o: n for o, n in counts.items() if o not in present}, organisations, training.partnership_id))
    training.attendee_count = sum(counts.values())


def correct_session(session: Session, actor: User, training_id: int, organisations: dict[int, Organisation],
                    correction: SessionCorrection, today: dt.date | None = None) -> TrainingSession:
    """Correct a session's date, venue or numbers; a new date moves its attendees' completions with it."""
    today = today or dt.datetime.now(UK).date()
    with write_transaction(session):
        training = _locked_session(session, training_id, "corrected")
        venue, counts, reason = _check_correction(session, training, organisations, correction, today)
        before = _facts(training)
        moved = 0
        if correction.delivered_on != training.delivered_on:
            training.delivered_on, training.fy_quarter = correction.delivered_on, fy_quarter(correction.delivered_on)
            moment = attendance_moment(correction.delivered_on)
            for completion in session.scalars(select(Completion).where(Completion.session_id == training.id)):
                completion.completed_at, completion.fy_quarter = moment, fy_quarter(moment)
                moved += 1
        training.venue = venue
        _set_audience(training, counts, organisations)
        training.corrected_at = utcnow()
        session.flush()
        record_event(session, "session.corrected", f"training_session:{training.id}", actor.id, reason=reason,
                     before=before, after=_facts(training), completions_moved=moved)
    return training


def withdraw_session(session: Session, actor: User, training_id: int, reason: str) -> TrainingSession:
    """Withdraw a session that should not count; its attendees' completions stop counting too."""
    with write_transaction(session):
        training = _locked_session(session, training_id, "withdrawn again")
        problems: dict[str, str] = {}
        reason = _check_reason(reason, problems, "withdrawing")
        if problems:
            raise SessionError(problems)
        now = utcnow()
        training.withdrawn_at, training.withdrawn_by_id, training.withdrawal_reason = now, actor.id, reason
        withdrawn = 0
        for completion in session.scalars(select(Completion).where(Completion.session_id == training.id, Completion.withdrawn_at.is_(None))):
            completion.withdrawn_at = now
            withdrawn += 1
        record_event(session, "session.withdrawn", f"training_session:{training.id}", actor.id, reason=reason,
                     before=_facts(training), attendees=training.attendee_count, completions_withdrawn=withdrawn)
    return training


def named_attendee_count(session: Session, training_id: int) -> int:
    """How many named attendees a session gave a completion to: what a withdrawal takes back."""
    return sum(_named_by_organisation(session, training_id).values())


PAGE_SIZE = 50


def recent_sessions(session: Session, organisation_ids: list[int], page: int = 1,
                    page_size: int = PAGE_SIZE) -> tuple[list[TrainingSession], bool]:
    """One page of the sessions delivered by, or attended from, the given organisations, newest first, and
    whether there are more: every session can be reached, however many newer ones are recorded."""
    ids = organisation_ids or [-1]
    attended = exists().where(SessionAudience.session_id == TrainingSession.id, SessionAudience.organisation_id.in_(ids))
    found = list(session.scalars(select(TrainingSession).where(or_(TrainingSession.delivering_organisation_id.in_(ids), attended))
                                 .order_by(TrainingSession.delivered_on.desc(), TrainingSession.id.desc())
                                 .offset((page - 1) * page_size).limit(page_size + 1)))
    return found[:page_size], len(found) > page_size
