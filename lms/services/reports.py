"""Counts of training delivered per organisation, module and channel, for a reporting period.

Definitions (see docs/reporting.md): an e-learning completion is one session delivered to one
person; a face-to-face session counts once, and its people trained are the attendees recorded for
each audience organisation. Periods are whole UK financial quarters (lms.services.periods).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.models import Channel, Completion, Module, Organisation, SessionAudience, TrainingSession
from lms.services.periods import Period


@dataclass(frozen=True)
class CountRow:
    """One line of the counts table; holds no personal data."""

    organisation: str
    organisation_type: str
    module: str
    channel: str
    sessions_delivered: int
    people_trained: int


def training_counts(session: Session, period: Period, partnership_id: int | None = None,
                    organisation_id: int | None = None) -> list[CountRow]:
    """Sessions delivered and people trained in the period, by organisation, module and channel."""
    in_period = Completion.fy_quarter.between(period.first_quarter, period.last_quarter)
    elearning = (
        select(Completion.organisation_id, Completion.module_id, func.count(Completion.id), func.count(func.distinct(Completion.user_id)))
        .where(in_period, Completion.channel == Channel.ELEARNING)
        .group_by(Completion.organisation_id, Completion.module_id)
    )
    face_to_face = (
        select(SessionAudience.organisation_id, TrainingSession.module_id, func.count(TrainingSession.id), func.sum(SessionAudience.attendee_count))
        .join(TrainingSession, TrainingSession.id == SessionAudience.session_id)
        .where(TrainingSession.fy_quarter.between(period.first_quarter, period.last_quarter))
        .group_by(SessionAudience.organisation_id, TrainingSession.module_id)
    )
    organisations = _organisations(session, partnership_id, organisation_id)
    modules = {module_id: title for module_id, title in session.execute(select(Module.id, Module.title))}
    rows = []
    for channel, query in ((Channel.ELEARNING, elearning), (Channel.FACE_TO_FACE, face_to_face)):
        for organisation_id_, module_id, sessions, people in session.execute(query):
            organisation = organisations.get(organisation_id_)
            if organisation is not None:
                rows.append(CountRow(organisation.name, organisation.type.value, modules[module_id], channel.value, sessions, int(people or 0)))
    return sorted(rows, key=lambda r: (r.organisation, r.module, r.channel))


def _organisations(session: Session, partnership_id: int | None, organisation_id: int | None) -> dict[int, Organisation]:
    query = select(Organisation)
    if partnership_id is not None:
        query = query.where(Organisation.partnership_id == partnership_id)
    if organisation_id is not None:
        query = query.where(Organisation.id == organisation_id)
    return {o.id: o for o in session.scalars(query)}
