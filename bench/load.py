"""The load side of bench/serve.py: gunicorn as the README deploys it, wrk, and the burst client.

None of this imports the app: the burst client runs as its own process (`python bench/load.py
--burst-client PLAN`), so its event loop shares no interpreter with the script that prepared the data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
USER_AGENT = "lms-bench/1"
CONNECTIONS = 50
STARTUP_SECONDS = 30
REQUEST_TIMEOUT = 30.0

Submission = tuple[str, str, str]  # (path, cookie, form body)


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    seconds: float


@dataclass
class BurstResult:
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]  # "302" is a learner sent to their result page; anything else is an error

    @property
    def told_passed(self) -> int:
        return self.statuses.get("302", 0)


# --- the servers ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict[str, str]) -> Iterator[str]:
    """gunicorn with the README's settings (2 sync workers) on a free local port; yields the base URL."""
    port = free_port()
    command = [GUNICORN, "--workers", "2", "--bind", f"127.0.0.1:{port}", app]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_until_up(base: str, process: subprocess.Popen) -> None:
    """Return once the server answers; stop the run if it exits or stays silent."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2).close()  # noqa: S310 - our own local server
            return
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on {base} within {STARTUP_SECONDS} s")


def code_version() -> str:
    """The commit the app runs from, and whether its files differ from it (figures belong to the code they measured)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()

    changed = git("status", "--porcelain", "--", "lms", "authoring", "courses")
    return f"commit {git('rev-parse', '--short', 'HEAD') or 'unknown'}" + (" with uncommitted changes to the app" if changed else "")


def code_stamp() -> tuple[tuple[str, int], ...]:
    """When each file of the app was last changed: a stamp that differs after the run means the app changed under it."""
    return tuple(sorted((str(path), path.stat().st_mtime_ns) for folder in ("lms", "authoring")
                        for path in (ROOT / folder).rglob("*") if path.suffix in (".py", ".html")))


# --- wrk --------------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, seconds: int, headers: dict[str, str] | None = None, script: Path | None = None) -> WrkResult:
    """Run wrk (2 threads, 50 connections) for a bounded time and read its figures."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in {"User-Agent": USER_AGENT, **(headers or {})}.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    return _read_wrk(output)


def _read_wrk(output: str) -> WrkResult:
    """wrk's figures from its report; non-2xx/3xx responses and socket errors both count as errors."""
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if set(latency) != {"50", "99"}:
        raise SystemExit(f"wrk printed no latency distribution:\n{output}")
    done = re.search(r"(\d+) requests in ([\d.]+)(s|m)", output)
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    seconds_taken = float(done.group(2)) * (60 if done.group(3) == "m" else 1)
    return WrkResult(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), _milliseconds(latency["50"]),
                     _milliseconds(latency["99"]), int(done.group(1)), errors, seconds_taken)


def submissions_script(directory: Path, submissions: list[Submission]) -> Path:
    """A wrk Lua script sending each prepared submission once, the two threads taking alternate ones."""
    rows = ",\n".join("{" + ",".join(json.dumps(part) for part in row) + "}" for row in submissions)
    script = directory / "submit.lua"
    script.write_text(f"""
local submissions = {{
{rows}
}}
local count = 0
function setup(thread) thread:set("offset", count); count = count + 1 end
local index = nil
function request()
  index = index and index + 2 or offset + 1
  local row = submissions[((index - 1) % #submissions) + 1]
  return wrk.format("POST", row[1], {{["Cookie"] = row[2], ["Content-Type"] = "application/x-www-form-urlencoded"}}, row[3])
end
""", encoding="utf-8")
    return script


# --- the burst client (run in its own process) ------------------------------------------------------

async def _submit(host: str, port: int, start: float, delay: float, row: list[str]) -> tuple[float, str]:
    """One learner's submission at its moment: the seconds it took and the status (or the error)."""
    await asyncio.sleep(max(0.0, start + delay - time.monotonic()))
    path, cookie, body = row
    began = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), REQUEST_TIMEOUT)
        request = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: {USER_AGENT}\r\nCookie: {cookie}\r\n"
                   f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}")
        writer.write(request.encode())
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), REQUEST_TIMEOUT)  # the server closes after one response
        writer.close()
        status = response.split(b" ", 2)[1].decode() if response.startswith(b"HTTP/") else "no response"
        location = re.search(rb"\r\nLocation: ([^\r]+)", response)
        if status == "302" and not (location and location.group(1).endswith(f"{path}/result".encode())):
            status = "302 elsewhere"
    except (OSError, TimeoutError) as error:
        status = type(error).__name__
    return time.monotonic() - began, status


async def _burst(base: str, rows: list[list[str]], window: float) -> list[tuple[float, str]]:
    split = urlsplit(base)
    start = time.monotonic() + 0.5
    rng = random.Random(7)  # spreads the arrivals; the same spread every run
    return await asyncio.gather(*(_submit(split.hostname, split.port, start, rng.uniform(0, window), row) for row in rows))


def burst_client(plan: Path) -> None:
    """Entry point of the load process: read the plan, fire the burst, write the timings."""
    job = json.loads(plan.read_text(encoding="utf-8"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * len(job["rows"]))), hard))
    results = asyncio.run(_burst(job["base"], job["rows"], job["window"]))
    plan.with_suffix(".out").write_text(json.dumps(results), encoding="utf-8")


def run_burst(base: str, rows: list[Submission], window: float, plan: Path) -> BurstResult:
    """Each row submitted once, at a random moment within `window` seconds (0: all at the same instant)."""
    plan.write_text(json.dumps({"base": base, "rows": rows, "window": window}), encoding="utf-8")
    subprocess.run([sys.executable, __file__, "--burst-client", str(plan)], check=True, timeout=window + 4 * REQUEST_TIMEOUT)
    results = json.loads(plan.with_suffix(".out").read_text(encoding="utf-8"))
    milliseconds = sorted(elapsed * 1000 for elapsed, _status in results)
    statuses: dict[str, int] = {}
    for _elapsed, status in results:
        statuses[status] = statuses.get(status, 0) + 1
    return BurstResult(statistics.median(milliseconds), milliseconds[max(0, int(len(milliseconds) * 0.99) - 1)], statuses)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The burst client of bench/serve.py (started by it).")
    parser.add_argument("--burst-client", type=Path, required=True)
    burst_client(parser.parse_args().burst_client)
