"""Yearly targets partnership leads set per module, and the written rule for "on track" or "behind".

A target is the number of sessions (e-learning and face to face together) a partnership means to deliver
of a module in a financial year. By the end of quarter n of the year (Q1 is 1) the partnership is expected
to have delivered n quarters' share of it, rounded up: ceil(target x n / 4). It is **on track** when the
sessions delivered from the start of the year to the end of the quarter reach that number, and **behind**
when they do not (docs/reporting.md, "Targets").
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import ReportTarget, utcnow
from lms.services.audit import record_event

ON_TRACK, BEHIND = "On track", "Behind"
LARGEST_TARGET = 1_000_000
# The rule above in the words every format prints under the module table.
RULE_TEXT = ("On track means the sessions delivered from the start of the financial year to the end of the quarter reach the "
             "share of the year's target expected by then: the target times the quarters so far, divided by 4, rounded up "
             "(a target of 10 expects 3 by the end of Q1, 5 by Q2, 8 by Q3 and 10 by Q4). Behind means they do not.")


def expected_by(target: int, quarter: int) -> int:
    """Sessions expected by the end of quarter code `quarter` (its year's Q1 to Q4) on the way to `target`."""
    share = quarter % 10
    return -(-target * share // 4)


def status(target: int | None, delivered_so_far: int, quarter: int) -> str | None:
    """'On track' or 'Behind' by the rule above; None without a target."""
    if target is None:
        return None
    return ON_TRACK if delivered_so_far >= expected_by(target, quarter) else BEHIND


def targets_for(session: Session, partnership_ids: list[int] | tuple[int, ...], financial_year: int) -> dict[int, int]:
    """Each module's target for the year, by module id: a joint group's is the sum of its partnerships' targets,
    given only when every partnership set one (a part would look like falling behind)."""
    found: dict[int, list[int]] = {}
    for module_id, sessions in session.execute(select(ReportTarget.module_id, ReportTarget.sessions)
                                               .where(ReportTarget.partnership_id.in_(list(partnership_ids) or [-1]),
                                                      ReportTarget.financial_year == financial_year)):
        found.setdefault(module_id, []).append(sessions)
    return {module_id: sum(values) for module_id, values in found.items() if len(values) == len(set(partnership_ids))}


def set_targets(session: Session, partnership_id: int, financial_year: int, wanted: dict[int, int | None], actor_id: int) -> int:
    """Save a year's targets for a partnership's modules (None removes one); returns how many changed. Audited."""
    changed = 0
    with write_transaction(session):
        existing = {t.module_id: t for t in session.scalars(select(ReportTarget).where(
            ReportTarget.partnership_id == partnership_id, ReportTarget.financial_year == financial_year).with_for_update())}
        for module_id, sessions in wanted.items():
            target = existing.get(module_id)
            before = target.sessions if target else None
            if sessions == before:
                continue
            if sessions is None:
                session.delete(target)
            elif target is None:
                session.add(ReportTarget(partnership_id=partnership_id, module_id=module_id, financial_year=financial_year,
                                         sessions=sessions, updated_by_id=actor_id))
            else:
                target.sessions, target.updated_by_id, target.updated_at = sessions, actor_id, utcnow()
            record_event(session, "report.target_set", f"partnership:{partnership_id}", actor_id, module_id=module_id,
                         financial_year=financial_year, before=before, after=sessions)
            changed += 1
    return changed
