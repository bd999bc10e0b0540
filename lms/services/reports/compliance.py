"""Where each organisation's people stand with their assigned modules: in date, due, expired or never done
(counted from lms.services.standing, the rule My training and the reminders use too)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.models import Assignment, User
from lms.services.accounts import identity_known
from lms.services.localities import people_in_area
from lms.services.reports.scope import ReportScope, organisations_in
from lms.services.reports.tables import TITLES, Table
from lms.services.standing import COMPLIANCE_STATES, standings


def active_people(session: Session, org_ids: list[int]) -> list[User]:
    """The people a report lists: active, with a known identity, in name order."""
    return list(session.scalars(select(User).where(User.organisation_id.in_(org_ids or [-1]), User.active.is_(True), identity_known())
                                .order_by(User.full_name, User.email, User.id)))


def assignment_labels(assignment: Assignment) -> tuple[str, str, str, dt.date | None]:
    """How a compliance row names its assignment: department (or the whole organisation), module, mandatory or
    optional, due date. Two assignments alike in all of these cover the same people."""
    return (assignment.department.name if assignment.department else "Whole organisation", assignment.module.title,
            "Mandatory" if assignment.mandatory else "Optional", assignment.due_on)


def compliance_table(session: Session, scope: ReportScope, now: dt.datetime) -> Table:
    """People per organisation and assigned module who are in date, due, expired or have never completed it."""
    organisations = organisations_in(session, scope)
    assignments = list(session.scalars(select(Assignment).where(Assignment.organisation_id.in_(list(organisations) or [-1]))))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COMPLIANCE_STATES, 0))
    people = active_people(session, list({a.organisation_id for a in assignments})) if assignments else []
    if scope.area_ids:  # a lead's figures: the people working in their area today
        people = people_in_area(people, scope.area_ids)
    for standing in standings(session, people, now):
        for assignment_id in standing.assigned.assignment_ids if standing.assigned else ():
            counts[assignment_id][standing.compliance] += 1
    rows = []
    for assignment in sorted(assignments, key=lambda a: (a.organisation.name, a.module.title, a.department.name if a.department else "")):
        states = counts[assignment.id]
        rows.append((assignment.organisation.name, *assignment_labels(assignment), sum(states.values()), *(states[s] for s in COMPLIANCE_STATES)))
    return Table("compliance", TITLES["compliance"],
                 ("Organisation", "Department", "Module", "Assignment", "Due by", "People", "In date", "Due", "Expired", "Never"), rows)
