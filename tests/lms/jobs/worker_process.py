"""`lms worker` as a real process for the job tests, in a process group of its own (as tests/faults/live.py
starts gunicorn), against the test database and queue; its log goes to a file in the instance folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

LMS = str(Path(sys.executable).parent / "lms")
ROOT = Path(__file__).resolve().parents[3]
STARTED = "lms worker: ready"  # logged once its signal handlers are set
MAIL_SETTINGS = ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_SENDER", "MAIL_TIMEOUT")
DEADLINE_SECONDS = 60  # generous: the machine is shared; nothing here asserts how fast a job runs


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """Signal the worker as systemd (SIGTERM) or Ctrl+C (SIGINT) would; its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(timeout=DEADLINE_SECONDS)

    def kill(self) -> None:
        """SIGKILL the worker's whole process group, as a crashed machine would."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=DEADLINE_SECONDS)


def worker_environment(app: Flask, env: dict[str, str] | None = None) -> dict[str, str]:
    """The settings a worker of this test's installation runs with: same database, instance folder and queue."""
    environment = {key: value for key, value in os.environ.items() if key != "LMS_REDIS_URL"}
    environment.update({"LMS_DATABASE_URL": app.config["DATABASE_URL"], "LMS_SECRET_KEY": app.config["SECRET_KEY"],
                        "LMS_INSTANCE_PATH": app.instance_path, "LMS_JOBS_QUEUE": app.config["JOBS_QUEUE"],
                        "LMS_SITE_URL": app.config["SITE_URL"]})
    for name in MAIL_SETTINGS:
        if name in app.config:
            environment[f"LMS_{name}"] = str(app.config[name])
    if app.config.get("REDIS_URL"):
        environment["LMS_REDIS_URL"] = app.config["REDIS_URL"]
    return {**environment, **(env or {})}


@contextmanager
def running_worker(app: Flask, name: str = "worker", args: tuple[str, ...] = (), env: dict[str, str] | None = None
                   ) -> Iterator[WorkerProcess]:
    """`lms worker` started and ready (its consumer running); SIGKILLed afterwards if the test left it running."""
    log_path = Path(app.instance_path) / f"{name}.log"
    with open(log_path, "wb") as log:  # a file, not a pipe: a chatty worker can never block on it
        process = subprocess.Popen([LMS, "worker", *args], cwd=ROOT, env=worker_environment(app, env), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    started = WorkerProcess(process, log_path)
    try:
        eventually(lambda: STARTED in started.text(), "the worker to start", started)
        yield started
    finally:
        started.kill()


def eventually(check: Callable[[], object], what: str, worker: WorkerProcess | None = None) -> None:
    """Wait until check() is true; fail with the worker's log if it never is."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not check():
        if worker is not None and worker.process.poll() is not None:
            raise AssertionError(f"the worker stopped while waiting for {what}:\n{worker.text()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}:\n{worker.text() if worker else ''}")
        time.sleep(0.1)
