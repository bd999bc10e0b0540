"""Background jobs on Huey: notices, reminders, digests, the xAPI forwarder and tidying, run by `lms worker`.

`soon(name, *args)` queues a job from a request without ever failing it; the periodic jobs are the
backstop, so a job that could not be queued is only late.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass

from flask import Flask, current_app
from huey import Huey, crontab
from huey.api import TaskWrapper

from lms.db import db
from lms.jobs.queue import build_huey
from lms.jobs.tasks import JOBS, Job

EXTENSION = "lms_jobs"
RETRIES, RETRY_SECONDS = 2, 30  # a queued job's retries after a database hiccup; a periodic job's is its next run
log = logging.getLogger(__name__)
_building = threading.Lock()


@dataclass(frozen=True)
class Jobs:
    """An app's Huey instance and its tasks by name."""

    huey: Huey
    tasks: dict[str, TaskWrapper]


def init_app(app: Flask) -> None:
    """Add `lms worker`; the queue itself is opened on first use (most requests never touch it)."""
    from lms.jobs.worker import worker

    app.cli.add_command(worker)


def jobs_for(app: Flask) -> Jobs:
    """The app's jobs, built once: the same names in every web server and worker of the installation."""
    with _building:
        if EXTENSION not in app.extensions:
            app.extensions[EXTENSION] = build_jobs(app)
        return app.extensions[EXTENSION]


def build_jobs(app: Flask) -> Jobs:
    """A Huey instance for the app's settings with every job registered on it, periodic ones with their crontab."""
    huey = build_huey(app.config, app.instance_path)
    tasks = {}
    for job in JOBS:
        if job.schedule:
            decorate = huey.periodic_task(crontab(**job.schedule, strict=True), name=job.name)
        else:
            decorate = huey.task(name=job.name, retries=RETRIES, retry_delay=RETRY_SECONDS)
        tasks[job.name] = decorate(_in_app_context(app, job))
    return Jobs(huey, tasks)


def _in_app_context(app: Flask, job: Job):
    """The job as Huey runs it: inside an app context, with a session of its own that is closed afterwards."""

    @functools.wraps(job.run)
    def run(*args: object) -> object:
        with app.app_context():
            try:
                return job.run(db.session, *args)
            finally:
                db.session.remove()

    return run


def soon(name: str, *args: object) -> bool:
    """Queue the job `name` for a worker; False (and a log line) when it could not be queued, never an error."""
    try:
        jobs_for(current_app._get_current_object()).tasks[name](*args)
    except Exception:  # Redis down, a full disk: the periodic jobs will do it later
        log.warning("could not queue the job %s%r; the periodic jobs will catch up", name, args, exc_info=True)
        return False
    return True
