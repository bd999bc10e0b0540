"""Counts of training delivered per organisation, module and channel, for a reporting period.

Definitions (see docs/reporting.md): an e-learning completion is one session delivered to one
person; a face-to-face session counts once for each organisation in its audience, and its people
trained are the attendees recorded for each audience organisation. Periods are whole UK financial
quarters, or custom UK dates (lms.services.periods).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.models import (
    Assignment,
    Channel,
    Completion,
    Module,
    Organisation,
    OrganisationType,
    SessionAudience,
    TrainingSession,
    User,
)
from lms.services.accounts import identity_known
from lms.services.completions import COUNTS, expires_at, refresher_state
from lms.services.periods import Period, previous_quarters, quarter_label

TREND_QUARTERS = 8
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
COMPLIANCE_STATES = ("in date", "due", "expired", "never")


@dataclass(frozen=True)
class ReportScope:
    """Whose training a report covers: everything, one partnership, or one organisation."""

    label: str
    partnership_id: int | None = None
    organisation_id: int | None = None


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


@dataclass
class Table:
    """A dashboard table, ready to show or export; `personal` tables name people."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    personal: bool = False


@dataclass(frozen=True)
class _Audience:
    session_id: int
    organisation_id: int
    module_id: int
    quarter: int
    attendees: int


def organisations_in(session: Session, scope: ReportScope) -> dict[int, Organisation]:
    """The organisations a scope covers, by id."""
    query = select(Organisation)
    if scope.partnership_id is not None:
        query = query.where(Organisation.partnership_id == scope.partnership_id)
    if scope.organisation_id is not None:
        query = query.where(Organisation.id == scope.organisation_id)
    return {o.id: o for o in session.scalars(query)}


def _completions_in(period: Period) -> list:
    # No COUNTS filter on the e-learning counts: only face-to-face completions are ever withdrawn, and
    # the covering index ix_completion_counts would no longer cover the query.
    clauses = [Completion.fy_quarter.between(period.first_quarter, period.last_quarter)]
    if period.is_custom:
        since, until = period.moments
        clauses += [Completion.completed_at >= since, Completion.completed_at < until]
    return clauses


def _scoped(column, scope: ReportScope, organisations: dict[int, Organisation]) -> list:
    """A filter on an organisation column, only when the scope is narrower than everything."""
    if scope.partnership_id is None and scope.organisation_id is None:
        return []
    return [column.in_(list(organisations) or [-1])]


def _audiences(session: Session, first_quarter: int, last_quarter: int, period: Period | None,
               scope: ReportScope, organisations: dict[int, Organisation]) -> list[_Audience]:
    """Face-to-face audience lines in the quarters (and custom days), one per session and organisation."""
    query = (
        select(TrainingSession.id, SessionAudience.organisation_id, TrainingSession.module_id, TrainingSession.fy_quarter,
               SessionAudience.attendee_count)
        .join(SessionAudience, SessionAudience.session_id == TrainingSession.id)
        .where(TrainingSession.fy_quarter.between(first_quarter, last_quarter), TrainingSession.withdrawn_at.is_(None),
               *_scoped(SessionAudience.organisation_id, scope, organisations))
    )
    if period is not None and period.is_custom:
        query = query.where(TrainingSession.delivered_on.between(*period.bounds))
    return [_Audience(*row) for row in session.execute(query)]


def training_counts(session: Session, period: Period, partnership_id: int | None = None,
                    organisation_id: int | None = None) -> list[CountRow]:
    """Sessions delivered and people trained in the period, by organisation, module and channel."""
    scope = ReportScope("", partnership_id, organisation_id)
    organisations = organisations_in(session, scope)
    modules = {module_id: (slug, title) for module_id, slug, title in session.execute(select(Module.id, Module.slug, Module.title))}
    elearning = (
        select(Completion.organisation_id, Completion.module_id, func.count(), func.count(func.distinct(Completion.user_id)))
        .where(*_completions_in(period), Completion.channel == Channel.ELEARNING,
               *_scoped(Completion.organisation_id, scope, organisations))
        .group_by(Completion.organisation_id, Completion.module_id)
    )
    lines: list[tuple[int, int, str, int, int]] = [
        (org_id, module_id, Channel.ELEARNING.value, sessions, people) for org_id, module_id, sessions, people in session.execute(elearning)
    ]
    face_to_face: dict[tuple[int, int], list] = defaultdict(lambda: [set(), 0])
    for audience in _audiences(session, period.first_quarter, period.last_quarter, period, scope, organisations):
        totals = face_to_face[(audience.organisation_id, audience.module_id)]
        totals[0].add(audience.session_id)
        totals[1] += audience.attendees
    lines += [(org_id, module_id, Channel.FACE_TO_FACE.value, len(ids), people) for (org_id, module_id), (ids, people) in face_to_face.items()]
    rows = []
    for org_id, module_id, channel, sessions, people in lines:
        organisation = organisations.get(org_id)
        if organisation is not None:
            rows.append(CountRow(organisation.id, organisation.name, organisation.type.value, *modules[module_id], channel, sessions,
                                 int(people or 0), TYPE_GROUPS[organisation.type]))
    return sorted(rows, key=lambda r: (r.organisation, r.organisation_id, r.module, r.module_slug, r.channel))


def counts_table(rows: list[CountRow]) -> Table:
    return Table("counts", "Sessions delivered and people trained by organisation and module",
                 ("Organisation", "Organisation type", "Type group", "Module", "Channel", "Sessions delivered", "People trained"),
                 [(r.organisation, r.organisation_type.replace("_", " ").capitalize(), r.type_group, r.module, r.channel,
                   r.sessions_delivered, r.people_trained) for r in rows])


def _totals(rows: list[CountRow], key, order: list[str]) -> list[tuple]:
    """Rows added up by `key` and channel, with a total per key; zero lines included so tables line up."""
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        sums[(key(row), row.channel)][0] += row.sessions_delivered
        sums[(key(row), row.channel)][1] += row.people_trained
    table = []
    for name in order:
        lines = [sums.get((name, channel), [0, 0]) for channel in CHANNELS]
        table.append((name, *lines[0], *lines[1], sum(x[0] for x in lines), sum(x[1] for x in lines)))
    return table


TOTAL_COLUMNS = ("E-learning sessions", "E-learning people", "Face-to-face sessions", "Face-to-face people",
                 "All sessions", "All people trained")


def modules_table(rows: list[CountRow]) -> Table:
    """Totals by module: the organisation rows added up."""
    return Table("modules", "Totals by module", ("Module", *TOTAL_COLUMNS),
                 _totals(rows, lambda r: r.module, sorted({r.module for r in rows})))


def types_table(rows: list[CountRow]) -> Table:
    """Totals by organisation type group: local authority, other statutory partners, businesses, voluntary sector."""
    return Table("types", "Totals by organisation type", ("Organisation type", *TOTAL_COLUMNS),
                 _totals(rows, lambda r: r.type_group, list(GROUP_ORDER)))


def trend_table(session: Session, period: Period, scope: ReportScope) -> Table:
    """The eight whole quarters up to the period's last quarter, e-learning and face to face."""
    quarters = previous_quarters(period.last_quarter, TREND_QUARTERS)
    organisations = organisations_in(session, scope)
    elearning = dict((q, (n, p)) for q, n, p in session.execute(
        select(Completion.fy_quarter, func.count(), func.count(func.distinct(Completion.user_id)))
        .where(Completion.fy_quarter.between(quarters[0], quarters[-1]), Completion.channel == Channel.ELEARNING,
               *_scoped(Completion.organisation_id, scope, organisations))
        .group_by(Completion.fy_quarter)))
    sessions: dict[int, int] = defaultdict(int)  # one per session and audience organisation, as in the counts table
    people: dict[int, int] = defaultdict(int)
    for audience in _audiences(session, quarters[0], quarters[-1], None, scope, organisations):
        if audience.organisation_id in organisations:
            sessions[audience.quarter] += 1
            people[audience.quarter] += audience.attendees
    rows = []
    for quarter in quarters:
        e_sessions, e_people = elearning.get(quarter, (0, 0))
        rows.append((quarter_label(quarter), e_sessions, e_people, sessions[quarter], people[quarter],
                     e_sessions + sessions[quarter], e_people + people[quarter]))
    return Table("trend", "Trend by quarter", ("Quarter", *TOTAL_COLUMNS), rows)


COMPLIANCE_OF_REFRESHER = {"none": "never", "completed": "in date", "due for refresher": "due", "overdue": "expired"}


def compliance_status(completion: Completion | None, refresher_months: int, now: dt.datetime) -> str:
    """'in date', 'due' (refresher due within DUE_SOON), 'expired' or 'never': the learners' own refresher rule."""
    return COMPLIANCE_OF_REFRESHER[refresher_state(completion, refresher_months, now)]


@dataclass
class _AssignedPerson:
    assignment: Assignment
    user: User
    status: str


def _assigned_people(session: Session, scope: ReportScope, now: dt.datetime) -> list[_AssignedPerson]:
    """Every active person with an assigned module in scope, and where they stand with it."""
    organisations = organisations_in(session, scope)
    assignments = session.scalars(select(Assignment).where(Assignment.organisation_id.in_(list(organisations) or [-1]))).all()
    if not assignments:
        return []
    org_ids = list({a.organisation_id for a in assignments})
    people = session.scalars(select(User).where(User.organisation_id.in_(org_ids), User.active.is_(True), identity_known())
                             .order_by(User.full_name, User.email)).all()
    latest: dict[tuple[int, int], Completion] = {}
    module_ids = list({a.module_id for a in assignments})
    for completion in session.scalars(select(Completion).join(User, User.id == Completion.user_id)
                                      .where(User.organisation_id.in_(org_ids), Completion.module_id.in_(module_ids), COUNTS)
                                      .order_by(Completion.completed_at, Completion.id)):
        latest[(completion.user_id, completion.module_id)] = completion
    found = []
    for assignment in assignments:
        version = assignment.module.current_version
        months = version.refresher_months if version else 0
        for user in people:
            if user.organisation_id != assignment.organisation_id:
                continue
            if assignment.department_id is not None and user.department_id != assignment.department_id:
                continue
            found.append(_AssignedPerson(assignment, user, compliance_status(latest.get((user.id, assignment.module_id)), months, now)))
    return found


def compliance_table(session: Session, scope: ReportScope, now: dt.datetime) -> Table:
    """People per organisation and assigned module who are in date, due, expired or have never completed it."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COMPLIANCE_STATES, 0))
    assignments: dict[int, Assignment] = {}
    for person in _assigned_people(session, scope, now):
        counts[person.assignment.id][person.status] += 1
        assignments[person.assignment.id] = person.assignment
    organisations = organisations_in(session, scope)
    for assignment in session.scalars(select(Assignment).where(Assignment.organisation_id.in_(list(organisations) or [-1]))):
        assignments.setdefault(assignment.id, assignment)
    rows = []
    for assignment in sorted(assignments.values(), key=lambda a: (a.organisation.name, a.module.title, a.department.name if a.department else "")):
        states = counts[assignment.id]
        rows.append((assignment.organisation.name, assignment.department.name if assignment.department else "Whole organisation",
                     assignment.module.title, "Mandatory" if assignment.mandatory else "Optional",
                     assignment.due_on.isoformat() if assignment.due_on else "", sum(states.values()),
                     *(states[s] for s in COMPLIANCE_STATES)))
    return Table("compliance", "Compliance with assigned modules",
                 ("Organisation", "Department", "Module", "Assignment", "Due by", "People", "In date", "Due", "Expired", "Never"), rows)


def learners_table(session: Session, scope: ReportScope, now: dt.datetime) -> Table:
    """Each active person's standing with every module assigned to them or completed by them: for their own
    organisation's admins only."""
    organisations = organisations_in(session, scope)
    org_ids = list(organisations) or [-1]
    people = session.scalars(select(User).where(User.organisation_id.in_(org_ids), User.active.is_(True), identity_known())
                             .order_by(User.full_name, User.email)).all()
    assignments = session.scalars(select(Assignment).where(Assignment.organisation_id.in_(org_ids))).all()
    latest: dict[tuple[int, int], Completion] = {}
    for completion in session.scalars(select(Completion).join(User, User.id == Completion.user_id)
                                      .where(User.organisation_id.in_(org_ids), COUNTS).order_by(Completion.completed_at, Completion.id)):
        latest[(completion.user_id, completion.module_id)] = completion
    modules = {m.id: m for m in session.scalars(select(Module))}
    rows = []
    for person in people:
        assigned = {a.module_id for a in assignments if a.organisation_id == person.organisation_id
                    and a.department_id in (None, person.department_id)}
        completed = {module_id for user_id, module_id in latest if user_id == person.id}
        for module in sorted((modules[m] for m in assigned | completed), key=lambda m: m.title):
            months = module.current_version.refresher_months if module.current_version else 0
            completion = latest.get((person.id, module.id))
            expiry = expires_at(completion, months) if completion else None
            rows.append((person.full_name, person.email, person.department.name if person.department else "", module.title,
                         "Yes" if module.id in assigned else "No", compliance_status(completion, months, now),
                         completion.completed_at.date().isoformat() if completion else "", expiry.date().isoformat() if expiry else ""))
    return Table("learners", "Learners and their modules",
                 ("Name", "Email", "Department", "Module", "Assigned", "Status", "Completed on", "Refresh by"), rows, personal=True)


def dashboard_tables(session: Session, period: Period, scope: ReportScope, now: dt.datetime,
                     with_learners: bool = False) -> dict[str, Table]:
    """Every table on the reporting dashboard, by key, computed from one set of counts."""
    rows = training_counts(session, period, scope.partnership_id, scope.organisation_id)
    tables = {
        "counts": counts_table(rows), "types": types_table(rows), "modules": modules_table(rows),
        "trend": trend_table(session, period, scope), "compliance": compliance_table(session, scope, now),
    }
    if with_learners:
        tables["learners"] = learners_table(session, scope, now)
    return tables

