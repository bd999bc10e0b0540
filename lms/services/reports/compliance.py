"""Where each organisation's people stand with their assigned modules: in date, due, expired or never done."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.models import Assignment, Completion, User
from lms.services.accounts import identity_known
from lms.services.completions import COUNTS, refresher_state
from lms.services.reports.scope import ReportScope, organisations_in
from lms.services.reports.tables import TITLES, Table

COMPLIANCE_STATES = ("in date", "due", "expired", "never")
COMPLIANCE_OF_REFRESHER = {"none": "never", "completed": "in date", "due for refresher": "due", "overdue": "expired"}


def compliance_status(completion: Completion | None, refresher_months: int, now: dt.datetime) -> str:
    """'in date', 'due' (refresher due within DUE_SOON), 'expired' or 'never': the learners' own refresher rule."""
    return COMPLIANCE_OF_REFRESHER[refresher_state(completion, refresher_months, now)]


def active_people(session: Session, org_ids: list[int]) -> list[User]:
    """The people a report lists: active, with a known identity, in name order."""
    return list(session.scalars(select(User).where(User.organisation_id.in_(org_ids or [-1]), User.active.is_(True), identity_known())
                                .order_by(User.full_name, User.email, User.id)))


def latest_completions(session: Session, user_ids: list[int], module_ids: list[int] | None = None) -> dict[tuple[int, int], Completion]:
    """Each person's latest counting completion of each module, by (user id, module id)."""
    query = select(Completion).where(Completion.user_id.in_(user_ids or [-1]), COUNTS).order_by(Completion.completed_at, Completion.id)
    if module_ids is not None:
        query = query.where(Completion.module_id.in_(module_ids or [-1]))
    return {(c.user_id, c.module_id): c for c in session.scalars(query)}


def applies_to(assignment: Assignment, person: User) -> bool:
    """An assignment covers its organisation's people, or one department's."""
    return assignment.organisation_id == person.organisation_id and assignment.department_id in (None, person.department_id)


@dataclass
class _AssignedPerson:
    assignment: Assignment
    user: User
    status: str


def _assigned_people(session: Session, assignments: list[Assignment], now: dt.datetime) -> list[_AssignedPerson]:
    """Every active person with one of the assignments, and where they stand with it."""
    if not assignments:
        return []
    people = active_people(session, list({a.organisation_id for a in assignments}))
    latest = latest_completions(session, [p.id for p in people], list({a.module_id for a in assignments}))
    found = []
    for assignment in assignments:
        version = assignment.module.current_version
        months = version.refresher_months if version else 0
        found += [_AssignedPerson(assignment, user, compliance_status(latest.get((user.id, assignment.module_id)), months, now))
                  for user in people if applies_to(assignment, user)]
    return found


def compliance_table(session: Session, scope: ReportScope, now: dt.datetime) -> Table:
    """People per organisation and assigned module who are in date, due, expired or have never completed it."""
    organisations = organisations_in(session, scope)
    assignments = list(session.scalars(select(Assignment).where(Assignment.organisation_id.in_(list(organisations) or [-1]))))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COMPLIANCE_STATES, 0))
    for person in _assigned_people(session, assignments, now):
        counts[person.assignment.id][person.status] += 1
    rows = []
    for assignment in sorted(assignments, key=lambda a: (a.organisation.name, a.module.title, a.department.name if a.department else "")):
        states = counts[assignment.id]
        rows.append((assignment.organisation.name, assignment.department.name if assignment.department else "Whole organisation",
                     assignment.module.title, "Mandatory" if assignment.mandatory else "Optional", assignment.due_on,
                     sum(states.values()), *(states[s] for s in COMPLIANCE_STATES)))
    return Table("compliance", TITLES["compliance"],
                 ("Organisation", "Department", "Module", "Assignment", "Due by", "People", "In date", "Due", "Expired", "Never"), rows)
