"""Each person's standing with the modules assigned to them or completed by them: for their own
organisation's admins only (lms.permissions.sees_learners decides who sees it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy.orm import Session

from lms.models import User
from lms.services.reports.compliance import active_people
from lms.services.reports.scope import ReportScope, organisations_in
from lms.services.reports.tables import TITLES, Table
from lms.services.standing import standings

LEARNER_COLUMNS = ("Name", "Email", "Department", "Module", "Assigned", "Status", "Completed on", "Refresh by")
PEOPLE_PER_PAGE = 25
LONGEST_SEARCH = 100


def _rows_for(session: Session, people: list[User], now: dt.datetime) -> list[tuple]:
    """One row per person and module they were assigned or completed, in the people's order."""
    return [(s.user.full_name, s.user.email, s.user.department.name if s.user.department else "", s.module.title,
             "Yes" if s.assigned else "No", s.compliance, s.completion.completed_at.date() if s.completion else None,
             s.expires.date() if s.expires else None) for s in standings(session, people, now)]


def learners_table(session: Session, scope: ReportScope, now: dt.datetime) -> Table:
    """Every active person in scope and their modules: the full list, as it downloads."""
    org_ids = list(organisations_in(session, scope))
    return Table("learners", TITLES["learners"], LEARNER_COLUMNS, _rows_for(session, active_people(session, org_ids), now),
                 personal=True)


@dataclass
class LearnerPage:
    """One page of the learner list: the people on it (with their modules), and how many match in all."""

    table: Table
    matching: int
    page: int
    pages: int
    search: str
    per_page: int

    @property
    def first(self) -> int:
        """The number of the first person on this page, counting from 1."""
        return (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.matching)

    @property
    def people(self) -> list[list[tuple]]:
        """The page's rows, one list per person (their rows are next to each other, in name order)."""
        return [list(rows) for _email, rows in groupby(self.table.rows, key=lambda row: row[1])]


def _matches(person: User, search: str) -> bool:
    wanted = search.casefold()
    return wanted in person.full_name.casefold() or wanted in person.email.casefold()


def learner_page(session: Session, scope: ReportScope, now: dt.datetime, search: str = "", page: int = 1,
                 per_page: int = PEOPLE_PER_PAGE) -> LearnerPage:
    """The people whose name or email contains `search` and who have a module to report, `per_page` at a time;
    a page past the end shows the last page."""
    search = " ".join(search.split())[:LONGEST_SEARCH]
    org_ids = list(organisations_in(session, scope))
    people = [p for p in active_people(session, org_ids) if not search or _matches(p, search)]
    rows = _rows_for(session, people, now)
    emails = list(dict.fromkeys(row[1] for row in rows))  # people with something to report, in order
    pages = max(1, -(-len(emails) // per_page))
    page = min(max(page, 1), pages)
    shown = set(emails[(page - 1) * per_page:page * per_page])
    table = Table("learners", TITLES["learners"], LEARNER_COLUMNS, [row for row in rows if row[1] in shown], personal=True)
    return LearnerPage(table, len(emails), page, pages, search, per_page)
