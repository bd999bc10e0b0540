"""`lms worker`: Huey's consumer (threads) with its periodic scheduler, stopped cleanly by SIGTERM or Ctrl+C."""

from __future__ import annotations

import logging
import signal

import click
from flask import current_app
from flask.cli import with_appcontext
from huey.consumer import Consumer

from lms.jobs import jobs_for

log = logging.getLogger(__name__)


class GracefulConsumer(Consumer):
    """Huey's consumer, but SIGINT as well as SIGTERM lets running jobs finish (within the shutdown timeout);
    a second signal stops at once. A job cut short anyway leaves its notice rows to be settled on restart."""

    def __init__(self, huey, **options) -> None:
        super().__init__(huey, graceful_signal="TERM", **options)
        self._signal_actions[signal.SIGINT] = (False, True)  # (restart, graceful), as Huey keeps them

    def start(self) -> None:
        """Start the threads, then say so: Huey sets its signal handlers last, and until then a SIGTERM is fatal."""
        super().start()
        log.info("lms worker: ready (SIGTERM or Ctrl+C stops it once running jobs finish)")


@click.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32), help="Jobs run at once (threads).")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Also queue the periodic jobs (harmless on every worker: each job is safe to run twice).")
@click.option("--shutdown-timeout", default=30.0, show_default=True, type=click.FloatRange(0),
              help="Seconds a stop waits for running jobs before cutting them short.")
@with_appcontext
def worker(workers: int, periodic: bool, shutdown_timeout: float) -> None:
    """Run background jobs: notices, reminders, digests, the xAPI forwarder (start one beside each web server)."""
    try:
        huey = jobs_for(current_app._get_current_object()).huey
    except ValueError as error:  # redis-py's word for an address it cannot read
        raise click.ClickException(f"LMS_REDIS_URL is not a Redis address ({error}): write it as redis://host:6379/0") from None
    log.info("lms worker: queue %s on %s, %d worker thread(s)%s", huey.name, type(huey).__name__, workers,
             ", with the periodic jobs" if periodic else "")
    GracefulConsumer(huey, workers=workers, periodic=periodic, worker_type="thread",
                     shutdown_timeout=shutdown_timeout).run()
