"""When the worker's scheduler queues each periodic job (crontab, UTC), read from the registered tasks."""

from __future__ import annotations

import datetime as dt

import pytest

from lms.jobs import build_jobs

EVERY_MINUTE = {"deliver_notices", "send_xapi"}
PLANNERS = {"plan_daily", "plan_quarterly"}


@pytest.mark.parametrize(("moment", "expected"), [
    (dt.datetime(2026, 12, 7, 7, 0), EVERY_MINUTE | PLANNERS),  # a Monday, 7am in London: the day's reminders first
    (dt.datetime(2026, 12, 7, 7, 30), EVERY_MINUTE | {"plan_weekly"}),  # then the digests, which gather them
    (dt.datetime(2026, 12, 8, 7, 30), EVERY_MINUTE),  # Tuesday: no digest
    (dt.datetime(2026, 6, 8, 7, 30), EVERY_MINUTE | {"plan_weekly"}),  # a Monday in summer: 8.30am in London
    (dt.datetime(2026, 12, 8, 7, 1), EVERY_MINUTE),
    (dt.datetime(2026, 12, 8, 12, 0), EVERY_MINUTE | PLANNERS),  # catching up if the worker was down at 7
    (dt.datetime(2026, 12, 8, 17, 0), EVERY_MINUTE | PLANNERS),
    (dt.datetime(2026, 12, 8, 18, 0), EVERY_MINUTE),  # nobody is reminded in the evening
    (dt.datetime(2026, 12, 8, 6, 0), EVERY_MINUTE),
    (dt.datetime(2026, 12, 8, 3, 15), EVERY_MINUTE | {"purge_throttling"}),
    (dt.datetime(2026, 12, 8, 0, 0), EVERY_MINUTE),
])
def test_which_periodic_jobs_does_the_scheduler_queue_at_this_minute(app, moment, expected):
    huey = build_jobs(app).huey
    assert {type(task).__name__ for task in huey.read_periodic(moment)} == expected


def test_does_each_installation_know_every_job_by_the_same_name(app):
    """A web server queues a job by name and a worker elsewhere must find it: the names are the registry's."""
    first, second = build_jobs(app), build_jobs(app)
    assert set(first.tasks) == set(second.tasks) == {"deliver_notices", "plan_daily", "plan_weekly", "plan_quarterly",
                                                     "plan_assignment", "send_xapi", "purge_throttling"}
    assert first.huey._registry._registry.keys() == second.huey._registry._registry.keys()


def test_is_the_schedule_read_in_utc(app):
    """crontab hours are UTC whatever the server's time zone (Huey's utc=True)."""
    assert build_jobs(app).huey.utc is True


def test_is_a_job_queued_from_a_request_not_periodic(app):
    """plan_assignment runs when a request asks, with retries for a database hiccup; the planners' backstop is their schedule."""
    jobs = build_jobs(app)
    periodic = {task.__name__ for task in jobs.huey._registry._periodic_tasks}
    assert "plan_assignment" not in periodic
    assert jobs.tasks["plan_assignment"].retries == 2
    assert jobs.tasks["deliver_notices"].retries == 0  # its retry is the next minute's run
