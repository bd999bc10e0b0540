"""Who is owed which notice, and when: the functions the job queue runs (see lms/jobs and docs/notices.md).

Each reads in bulk (a fixed number of queries, however many people), words only the notices whose key
(person, kind, subject, stage) no row holds yet, and writes them through the outbox in one write
transaction. Running one twice, or two at once, adds nothing the second time: the key is unique.

- plan_daily: learners' reminders (lms.services.notices.planning_learners).
- plan_assignment: "assigned to you" for the people of one new assignment, at once (saying when it is due; a
  due reminder owed the same run is written cancelled, covered by it).
- plan_weekly: learners' weekly digests (every outstanding mandatory module, and the held reminders) and
  organisation admins' compliance digests (planning_digests).
- plan_quarterly: partnership leads' "your figures are ready", on the first run LATE_RECORDS (7 days) after each
  financial quarter ends, so face-to-face sessions recorded late are in.
- plan_import_finished: the importing admin's notice, in the import's own transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import update
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import Assignment, Notice, Organisation, User, utcnow
from lms.permissions import QUARTERLY_FIGURES_ROLES, report_scope
from lms.services.notices.messages import ImportCounts, import_finished, quarter_figures
from lms.services.notices.outbox import Draft, add_notices
from lms.services.notices.planning_digests import learner_digests, mark_gathered, organisation_digests, wanting
from lms.services.notices.planning_learners import (
    COVERED,
    Planned,
    learner_drafts,
    people_covered_by,
    people_with_assignments,
)
from lms.services.notices.preferences import unsubscribe_url
from lms.services.periods import fy_quarter, parse_period, previous_quarters, quarter_key, uk_date
from lms.services.reports import headline, organisations_in, training_counts

LATE_RECORDS = dt.timedelta(days=7)  # face-to-face sessions are often recorded days after they were held


def _write(session: Session, drafts: list[Draft], now: dt.datetime) -> int:
    """Add the drafts in one write transaction; how many were new (a key another run wrote first is skipped)."""
    return _write_planned(session, Planned(drafts, set()), now)


def _write_planned(session: Session, planned: Planned, now: dt.datetime) -> int:
    """Add the reminders; those the same run's "assigned" email covers are written cancelled, so never sent."""
    with write_transaction(session):
        added = add_notices(session, planned.drafts, now)
        covered = [n.id for n in added if (n.user_id, n.kind, n.subject, n.stage) in planned.covered]
        if covered:
            session.execute(update(Notice).where(Notice.id.in_(covered)).values(status="cancelled", last_error=COVERED))
        return len(added)


def plan_daily(session: Session, now: dt.datetime | None = None) -> int:
    """Every learner's reminders due today: assigned, due in 14 and 3 days, overdue, refresher due and overdue."""
    now = now or utcnow()
    return _write_planned(session, learner_drafts(session, people_with_assignments(), now), now)


def plan_assignment(session: Session, assignment_id: int, now: dt.datetime | None = None) -> int:
    """The reminders one new assignment calls for ("assigned to you", and "due" if it is due soon), at once."""
    now = now or utcnow()
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        return 0  # removed again before the job ran
    return _write_planned(session, learner_drafts(session, people_covered_by(assignment), now, module_id=assignment.module_id), now)


def plan_weekly(session: Session, now: dt.datetime | None = None) -> int:
    """Monday's emails: for each learner with held reminders, one digest of all their outstanding mandatory modules
    and the held reminders; and each organisation's compliance digest."""
    now = now or utcnow()
    learners = learner_digests(session, now)
    admins = organisation_digests(session, now)
    with write_transaction(session):
        digests = add_notices(session, learners.drafts, now)
        mark_gathered(session, digests, learners)
        return len(digests) + len(add_notices(session, admins, now))


def quarter_to_report(now: dt.datetime) -> int:
    """The latest quarter that ended at least LATE_RECORDS ago, by the UK date: late records have had time to come in."""
    return previous_quarters(fy_quarter(uk_date(now) - LATE_RECORDS), 2)[0]


def plan_quarterly(session: Session, now: dt.datetime | None = None) -> int:
    """A week after each financial quarter ends, every partnership lead who wants it: 'your figures are ready'."""
    now = now or utcnow()
    code = quarter_to_report(now)
    stage, period = quarter_key(code), parse_period(quarter_key(code))
    by_scope = wanting(session, QUARTERLY_FIGURES_ROLES, "quarter-figures", stage, "quarterly_figures", report_scope)
    drafts = []
    for scope, people in by_scope.items():
        figures = headline(training_counts(session, period, scope=scope))
        organisations = len(organisations_in(session, scope))
        subject = f"joint-group:{scope.joint_group_id}" if scope.joint_group_id else f"partnership:{scope.partnership_id}"
        for lead in people:
            link = unsubscribe_url(lead, "quarterly_figures")
            message = quarter_figures(lead, scope.label, code, figures, organisations, link, uk_date(now))
            drafts.append(Draft(lead.id, "quarter-figures", subject, stage, message, unsubscribe_url=link))
    return _write(session, drafts, now)


def plan_import_finished(session: Session, organisation: Organisation, actor_id: int | None, counts: ImportCounts,
                         now: dt.datetime | None = None) -> int:
    """Tell the admin who imported people what the import did; in the caller's (the import's) transaction."""
    admin = session.get(User, actor_id) if actor_id is not None else None
    if admin is None or not admin.active or admin.erased_at is not None:
        return 0
    draft = Draft(admin.id, "import-finished", f"organisation:{organisation.id}", uuid.uuid4().hex,
                  import_finished(admin, organisation, counts))
    return len(add_notices(session, [draft], now or utcnow()))
