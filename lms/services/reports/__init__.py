"""Reports on training delivered and on compliance, for partnership leads and organisation admins.

One module per responsibility: `scope` (whose training), `counts` (the counting rules, per organisation,
module and channel), `tables` (the breakdowns and the trend built from the counts), `compliance` (people
against their assigned modules) and `learners` (the learner-level list). This module names the tables
and builds any one of them by key, for the report pages and their downloads.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from lms.services.periods import Period
from lms.services.reports.compliance import compliance_table
from lms.services.reports.counts import GROUP_ORDER, TYPE_GROUPS, CountRow, training_counts
from lms.services.reports.learners import LearnerPage, learner_page, learners_table
from lms.services.reports.scope import ReportScope, organisations_in, with_past_members
from lms.services.reports.tables import (
    TITLES,
    Headline,
    Table,
    counts_table,
    headline,
    modules_table,
    organisations_table,
    trend_table,
    types_table,
)
from lms.services.standing import COMPLIANCE_STATES, compliance_status

__all__ = [
    "COMPLIANCE_STATES", "GROUP_ORDER", "TABLE_KEYS", "TITLES", "TYPE_GROUPS", "CountRow", "Headline", "LearnerPage", "ReportScope",
    "Table", "compliance_status", "compliance_table", "counts_table", "dashboard_tables", "headline", "learner_page", "learners_table",
    "modules_table", "organisations_in", "organisations_table", "report_table", "training_counts", "trend_table", "types_table",
]
COUNT_TABLES = ("organisations", "counts", "modules", "types")
TABLE_KEYS = (*COUNT_TABLES, "trend", "compliance", "learners")


def report_table(session: Session, key: str, period: Period, scope: ReportScope, now: dt.datetime) -> Table:
    """One report table by key (see TITLES); KeyError for a key that names no table."""
    if key == "trend":
        return trend_table(session, period, scope)
    if key == "compliance":
        return compliance_table(session, scope, now)
    if key == "learners":
        return learners_table(session, scope, now)
    if key not in COUNT_TABLES:
        raise KeyError(key)
    rows = training_counts(session, period, scope=scope)
    if key == "organisations":
        return organisations_table(rows, with_past_members(session, organisations_in(session, scope), {r.organisation_id for r in rows}))
    return {"counts": counts_table, "modules": modules_table, "types": types_table}[key](rows)


def dashboard_tables(session: Session, period: Period, scope: ReportScope, now: dt.datetime,
                     with_learners: bool = False) -> dict[str, Table]:
    """Every report table, by key: what the pages show between them (the learner list only when asked)."""
    return {key: report_table(session, key, period, scope, now) for key in TABLE_KEYS if with_learners or key != "learners"}
