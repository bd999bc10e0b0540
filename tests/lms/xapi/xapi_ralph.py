"""Ralph (PyPI ralph-malph), a real xAPI learning record store, run on 127.0.0.1 for the xAPI tests.

`make install-test` installs it in its own venv (build/peers/ralph). Its file-system backend is the
one that needs no other service, but it writes its statements file once and refuses a second write;
the launcher below switches that backend's writes to Ralph's own append mode before starting Ralph's
API (its validation, id checks and 409s untouched). Users come from an auth file made by `ralph auth`.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT

RALPH = ROOT / "build" / "peers" / "ralph"
USERNAME, PASSWORD = "safer-learning", "a long test password for ralph"  # noqa: S105 - a throwaway test LRS
LAUNCH = """
import sys
from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend
FSDataBackend.default_operation_type = BaseOperationType.APPEND
import uvicorn
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""
STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Ralph:
    """One Ralph LRS with its own data folder and credentials; stop and start it again on the same port."""

    def __init__(self, folder: Path) -> None:
        python = RALPH / "bin" / "python"
        assert python.exists(), f"Ralph is not installed at {RALPH}: run `make install-test` (or `make ralph`)"
        self.folder, self.port, self.process = folder, _free_port(), None
        (folder / "data").mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "RALPH_AUTH_FILE": str(folder / "auth.json"), "RALPH_HISTORY_FILE": str(folder / "history.json"),
                    "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data"),
                    "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": "1000", "RALPH_APP_DIR": str(folder)}
        subprocess.run([str(RALPH / "bin" / "ralph"), "auth", "-u", USERNAME, "-p", PASSWORD, "-s", "all",
                        "-M", "mailto:lrs-admin@saferlearning.example", "-w"], env=self.env, check=True, capture_output=True, timeout=120)
        self.endpoint = f"http://127.0.0.1:{self.port}/xAPI"
        self.auth = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()

    def start(self) -> None:
        log = (self.folder / "ralph.log").open("ab")
        self.process = subprocess.Popen([str(RALPH / "bin" / "python"), "-c", LAUNCH, str(self.port)], env=self.env, cwd=self.folder,
                                        stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"Ralph stopped at start: {(self.folder / 'ralph.log').read_text()[-2000:]}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"Ralph did not answer within {STARTUP_SECONDS} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.process = None

    def _request(self, method: str, path: str, data: bytes | None = None) -> tuple[int, bytes]:
        headers = {"Authorization": self.auth, "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
        request = urllib.request.Request(f"{self.endpoint}{path}", data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def post(self, bodies: list[str]) -> tuple[int, bytes]:
        """POST statements' text as one array, as any other client would."""
        return self._request("POST", "/statements", ("[" + ",".join(bodies) + "]").encode("utf-8"))

    def held(self) -> list[dict]:
        """Every statement Ralph holds, through its own statements API (GET /xAPI/statements)."""
        status, body = self._request("GET", "/statements?limit=1000")
        assert status == 200, body
        return json.loads(body)["statements"]

    def held_once(self) -> dict[str, dict]:
        """The held statements by id, after checking that Ralph holds each id once."""
        held = self.held()
        repeated = [sid for sid, count in Counter(s["id"] for s in held).items() if count > 1]
        assert repeated == [], f"Ralph holds these ids more than once: {repeated}"
        return {s["id"]: s for s in held}


@contextmanager
def running(folder: Path) -> Iterator[Ralph]:
    """A Ralph started for one test and stopped after it, whatever happens."""
    lrs = Ralph(folder)
    lrs.start()
    try:
        yield lrs
    finally:
        lrs.stop()
