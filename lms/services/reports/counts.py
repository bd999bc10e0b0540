"""Sessions delivered and people trained, by organisation, module and channel, for a period.

Definitions (see docs/reporting.md): an e-learning completion is one session delivered to one
person; a face-to-face session counts once for each organisation in its audience, and its people
trained are the attendees recorded for each audience organisation. Periods are whole UK financial
quarters, or custom UK dates (lms.services.periods).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.models import Channel, Completion, Module, Organisation, OrganisationType, SessionAudience, TrainingSession
from lms.services.periods import Period
from lms.services.reports.scope import ReportScope, organisations_in, scoped, with_past_members

LOCAL_AUTHORITY, STATUTORY, BUSINESSES, VOLUNTARY = "Local authority", "Other statutory partners", "Businesses", "Voluntary sector"
TYPE_GROUPS = {
    OrganisationType.LOCAL_AUTHORITY: LOCAL_AUTHORITY,
    OrganisationType.POLICE: STATUTORY, OrganisationType.FIRE: STATUTORY,
    OrganisationType.PROBATION: STATUTORY, OrganisationType.HEALTH: STATUTORY,
    OrganisationType.BUSINESS: BUSINESSES,
    OrganisationType.VOLUNTARY: VOLUNTARY,
}
GROUP_ORDER = (LOCAL_AUTHORITY, STATUTORY, BUSINESSES, VOLUNTARY)
CHANNELS = (Channel.ELEARNING.value, Channel.FACE_TO_FACE.value)


@dataclass(frozen=True)
class CountRow:
    """One line of the counts table; holds no personal data. Rows are keyed by organisation_id and
    module_slug, which never change, so a BI tool never merges two organisations that share a name."""

    organisation_id: int
    organisation: str
    organisation_type: str
    module_slug: str
    module: str
    channel: str
    sessions_delivered: int
    people_trained: int
    type_group: str


@dataclass(frozen=True)
class Audience:
    """One organisation's share of one face-to-face session."""

    session_id: int
    organisation_id: int
    module_id: int
    quarter: int
    attendees: int


def completions_in(period: Period) -> list:
    """Filters placing e-learning completions in the period's quarters and, for custom dates, its UK days."""
    # No COUNTS filter on the e-learning counts: only face-to-face completions are ever withdrawn, and
    # the covering index ix_completion_counts would no longer cover the query.
    clauses = [Completion.fy_quarter.between(period.first_quarter, period.last_quarter)]
    if period.is_custom:
        since, until = period.moments
        clauses += [Completion.completed_at >= since, Completion.completed_at < until]
    return clauses


def audiences(session: Session, first_quarter: int, last_quarter: int, period: Period | None,
              scope: ReportScope, organisations: dict[int, Organisation]) -> list[Audience]:
    """Face-to-face audience lines in the quarters (and custom days), one per session and organisation."""
    query = (
        select(TrainingSession.id, SessionAudience.organisation_id, TrainingSession.module_id, TrainingSession.fy_quarter,
               SessionAudience.attendee_count)
        .join(SessionAudience, SessionAudience.session_id == TrainingSession.id)
        .where(TrainingSession.fy_quarter.between(first_quarter, last_quarter), TrainingSession.withdrawn_at.is_(None),
               *scoped(SessionAudience.organisation_id, SessionAudience.partnership_id, scope))
    )
    if period is not None and period.is_custom:
        query = query.where(TrainingSession.delivered_on.between(*period.bounds))
    return [Audience(*row) for row in session.execute(query)]


def _elearning_lines(session: Session, period: Period, scope: ReportScope,
                     organisations: dict[int, Organisation]) -> list[tuple[int, int, str, int, int]]:
    query = (
        select(Completion.organisation_id, Completion.module_id, func.count(), func.count(func.distinct(Completion.user_id)))
        .where(*completions_in(period), Completion.channel == Channel.ELEARNING, *scoped(Completion.organisation_id, Completion.partnership_id, scope))
        .group_by(Completion.organisation_id, Completion.module_id)
    )
    return [(org_id, module_id, Channel.ELEARNING.value, sessions, people) for org_id, module_id, sessions, people in session.execute(query)]


def _face_to_face_lines(session: Session, period: Period, scope: ReportScope,
                        organisations: dict[int, Organisation]) -> list[tuple[int, int, str, int, int]]:
    totals: dict[tuple[int, int], list] = defaultdict(lambda: [set(), 0])
    for audience in audiences(session, period.first_quarter, period.last_quarter, period, scope, organisations):
        line = totals[(audience.organisation_id, audience.module_id)]
        line[0].add(audience.session_id)
        line[1] += audience.attendees
    return [(org_id, module_id, Channel.FACE_TO_FACE.value, len(ids), people) for (org_id, module_id), (ids, people) in totals.items()]


def training_counts(session: Session, period: Period, partnership_id: int | None = None,
                    organisation_id: int | None = None, scope: ReportScope | None = None) -> list[CountRow]:
    """Sessions delivered and people trained in the period, by organisation, module and channel, for a scope
    (or one partnership, or one organisation)."""
    scope = scope or ReportScope("", partnership_id, organisation_id)
    organisations = organisations_in(session, scope)
    modules = {module_id: (slug, title) for module_id, slug, title in session.execute(select(Module.id, Module.slug, Module.title))}
    lines = _elearning_lines(session, period, scope, organisations) + _face_to_face_lines(session, period, scope, organisations)
    organisations = with_past_members(session, organisations, {line[0] for line in lines})
    rows = []
    for org_id, module_id, channel, sessions, people in lines:
        organisation = organisations.get(org_id)
        if organisation is not None:
            rows.append(CountRow(organisation.id, organisation.name, organisation.type.value, *modules[module_id], channel, sessions,
                                 int(people or 0), TYPE_GROUPS[organisation.type]))
    return sorted(rows, key=lambda r: (r.organisation, r.organisation_id, r.module, r.module_slug, r.channel))
