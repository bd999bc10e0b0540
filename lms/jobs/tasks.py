"""What the worker does: plain functions of a database session, and when the periodic ones run (UTC).

Each job is safe to run twice or at the same time on two workers: notices have unique keys and are
claimed before sending, the xAPI sender holds a lease, and a purge deletes only what holds nothing.
The notice services are imported inside the jobs: they import the models and mail, the app imports us.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy.orm import Session

from lms.models import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A task by name; `schedule` (crontab fields, UTC) makes it periodic too."""

    name: str
    run: Callable[..., object]  # run(session, *args)
    schedule: dict[str, str] = field(default_factory=dict)


def deliver_notices(session: Session) -> object:
    """Send the notices that are due; rows left "sending" by a killed worker are settled first."""
    from lms.services.notices import outbox

    report = outbox.deliver_due(session)  # its own clock per batch, so sent_at says when each went
    if report.sent or report.retrying or report.failed or report.interrupted:
        log.info("notices: %s", report)
    return report


def _planned(kind: str, count: int) -> int:
    """Wake the sender when planning wrote new notices, rather than waiting for its next minute."""
    if count:
        log.info("%s: %d new notice(s)", kind, count)
        from lms.jobs import soon

        soon("deliver_notices")
    return count


def plan_daily(session: Session) -> int:
    from lms.services.notices import planning

    return _planned("daily reminders", planning.plan_daily(session, utcnow()))


def plan_weekly(session: Session) -> int:
    from lms.services.notices import planning

    return _planned("weekly digests", planning.plan_weekly(session, utcnow()))


def plan_quarterly(session: Session) -> int:
    from lms.services.notices import planning

    return _planned("quarterly figures", planning.plan_quarterly(session, utcnow()))


def plan_assignment(session: Session, assignment_id: int) -> int:
    """The "assigned to you" notices of one new assignment, queued by the request that made it."""
    from lms.services.notices import planning

    return _planned(f"assignment {assignment_id}", planning.plan_assignment(session, assignment_id, utcnow()))


def send_xapi(session: Session) -> int:
    """What `lms xapi send` does, when an LRS is configured; the sender's lease keeps it to one at a time."""
    from lms.services import xapi

    try:
        lrs = xapi.Lrs.from_config(current_app.config)
    except ValueError as error:
        log.warning("xAPI: %s", error)
        return 0
    if lrs is None:
        return 0
    site = xapi.Site.from_config(current_app.config)
    if not xapi.namespace_problem(session):
        xapi.keep_unkept(session, site, limit=xapi.OLDER_PER_RUN)
    report = xapi.send_due(session, lrs)
    if report.error:
        log.warning("xAPI: %d statement(s) will be tried again: %s", report.failed, report.error)
    return report.sent


def purge_throttling(session: Session) -> int:
    from lms.services import throttling

    return throttling.purge_expired(session, utcnow())


EVERY_MINUTE = {"minute": "*"}
# The planners run at 07:00 UTC (7 or 8am in the UK) and again each hour until 17:00: a worker that was
# down at 7 catches up, and a second run writes nothing (each notice's key exists already).
WORKING_HOURS = {"minute": "0", "hour": "7-17"}
JOBS = (
    Job("deliver_notices", deliver_notices, EVERY_MINUTE),
    Job("plan_daily", plan_daily, WORKING_HOURS),
    # Mondays (0 is Sunday), half an hour after the daily run, so the reminders it holds are in that day's digest
    Job("plan_weekly", plan_weekly, WORKING_HOURS | {"minute": "30", "day_of_week": "1"}),
    Job("plan_quarterly", plan_quarterly, WORKING_HOURS),  # it knows whether a quarter's figures are due
    Job("plan_assignment", plan_assignment),
    Job("send_xapi", send_xapi, EVERY_MINUTE),
    Job("purge_throttling", purge_throttling, {"minute": "15", "hour": "3"}),
)
