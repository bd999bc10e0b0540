"""How fast the app serves under gunicorn, against a bare Flask app under the same settings, in one run.

For each database (SQLite, PostgreSQL) it makes a fresh instance, migrates it, builds and publishes
tests/data/tiny-module, adds learners with open assessment attempts, starts gunicorn as the README
deploys it (sync workers, 2) and loads it from separate processes on 127.0.0.1:

- lesson pages: one signed-in learner's lesson page, wrk at 50 connections;
- submissions: distinct learners each submitting a passing assessment, wrk at 50 connections;
- burst: 1,000 learners each submitting their final assessment at a random moment in a 10 s window,
  then a check that exactly 1,000 completions are in the database.

Goals: lesson pages >= 0.5x the bare app's requests/s with p99 < 50 ms; submissions >= 0.2x the bare
app's requests/s; burst with no errors, p99 < 1 s and exactly 1,000 completions.

    .venv/bin/python bench/serve.py [--database sqlite|postgresql|both] [--postgres-url URL]

The PostgreSQL database named by --postgres-url (default: LMS_BENCH_POSTGRES_URL, or the local
database `lms_bench`) is emptied first; its name must contain "bench". Needs wrk (apt-get install wrk).
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
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TINY = ROOT / "tests" / "data" / "tiny-module"
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
USER_AGENT = "lms-bench/1"
SECRET_KEY = "bench-secret-key-not-for-production"  # noqa: S105 - a throwaway instance made by this script
CONNECTIONS = 50
BURST_LEARNERS = 1000
STARTUP_SECONDS = 30
REQUEST_TIMEOUT = 30.0


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    seconds: float


@dataclass
class Instance:
    """A migrated, populated database and what the load needs: signed-in cookies and prepared submissions."""

    url: str
    directory: Path
    lesson_cookie: str
    submissions: list[tuple[str, str, str]]  # (path, cookie, body)
    burst: list[tuple[str, str, str]]
    burst_attempt_ids: list[int]


# --- the servers ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict[str, str]):
    """gunicorn with the README's settings (2 sync workers) on a free local port; yields the base URL."""
    port = free_port()
    command = [GUNICORN, "--workers", "2", "--bind", f"127.0.0.1:{port}", app]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()  # noqa: S310 - our own local server
                break
            except OSError:
                if process.poll() is not None:
                    raise SystemExit(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}") from None
                time.sleep(0.2)
        else:
            raise SystemExit(f"gunicorn did not answer on {base} within {STARTUP_SECONDS} s")
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


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
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    if set(latency) != {"50", "99"}:
        raise SystemExit(f"wrk printed no latency distribution:\n{output}")
    done = re.search(r"(\d+) requests in ([\d.]+)(s|m)", output)
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    seconds_taken = float(done.group(2)) * (60 if done.group(3) == "m" else 1)
    return WrkResult(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), _milliseconds(latency["50"]),
                     _milliseconds(latency["99"]), int(done.group(1)), errors, seconds_taken)


def submissions_script(directory: Path, submissions: list[tuple[str, str, str]]) -> Path:
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


# --- the data ---------------------------------------------------------------------------------------

def prepare(url: str, directory: Path, throughput_learners: int) -> Instance:
    """Migrate a fresh database, publish the tiny module and add learners, each with one open attempt."""
    # Imported here, not at the top: the burst client process runs this file too and needs none of the app.
    from flask import g
    from flask import session as flask_session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import insert, select, text

    from authoring import build
    from lms import create_app, migrate
    from lms.db import db
    from lms.models import Attempt, Module, ModuleVersion, Organisation, OrganisationType, Partnership, User
    from lms.services.accounts import hash_password
    from lms.services.assessment_draw import asked_questions, draw, new_seed
    from lms.services.publishing import publish

    os.environ["LMS_INSTANCE_PATH"] = str(directory / "instance")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "SESSION_COOKIE_SECURE": False, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(db.engine)
        report = build([TINY], directory / "build")
        if report.failed:
            raise SystemExit(f"the tiny module did not build: {report.problems}")
        publish(db.session, directory / "build")
        session = db.session
        partnership = Partnership(slug="bench", name="Bench Partnership", settings={"hate_crime_reporting": "the Bench Hub"})
        session.add(partnership)
        session.flush()
        organisation = Organisation(slug="bench-council", name="Bench Council", type=OrganisationType.LOCAL_AUTHORITY, partnership_id=partnership.id)
        session.add(organisation)
        session.flush()
        password_hash = hash_password("bench password")  # one hash for everyone: scrypt per learner would take minutes
        total = 1 + throughput_learners + BURST_LEARNERS
        session.execute(insert(User), [{"email": f"learner{n}@bench.example", "full_name": f"Learner {n}", "password_hash": password_hash,
                                        "organisation_id": organisation.id} for n in range(total)])
        module = session.scalar(select(Module).where(Module.slug == "tiny-module"))
        version = session.get(ModuleVersion, module.current_version_id)
        users = session.scalars(select(User).order_by(User.id)).all()
        seeds = {u.id: new_seed() for u in users[1:]}
        session.execute(insert(Attempt), [{"user_id": u.id, "version_id": version.id, "seed": seeds[u.id], "drawn": draw(version, seeds[u.id])}
                                          for u in users[1:]])
        session.commit()
        opened = {a.user_id: a for a in session.scalars(select(Attempt))}
        attempts = {user_id: attempt.id for user_id, attempt in opened.items()}

        def right_answers(attempt: Attempt) -> list[tuple[str, str]]:
            """This attempt's form fields and identifiers for the key's options."""
            return [(item.field, shown) for item in asked_questions(version, attempt)
                    for shown in item.shown_ids(version.answer_key[item.question["id"]]["correct"])]

        def cookie_and_token(user: User) -> tuple[str, str]:
            with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}):
                login_user(user)
                g.pop("csrf_token", None)  # g belongs to the app context, shared by every request context here
                token = generate_csrf()
                return "session=" + app.session_interface.get_signing_serializer(app).dumps(dict(flask_session)), token

        def submission(user: User) -> tuple[str, str, str]:
            cookie, token = cookie_and_token(user)
            return f"/attempts/{attempts[user.id]}", cookie, urlencode([("csrf_token", token), *right_answers(opened[user.id])])

        lesson_cookie = cookie_and_token(users[0])[0]
        throughput = [submission(u) for u in users[1:1 + throughput_learners]]
        burst_users = users[1 + throughput_learners:]
        burst = [submission(u) for u in burst_users]
    db.engine.dispose()
    return Instance(url, directory, lesson_cookie, throughput, burst, [attempts[u.id] for u in burst_users])


def count(url: str, query: str, ids: list[int] | None = None) -> int:
    """A number from the database, read after the load has finished."""
    from sqlalchemy import bindparam, text

    from lms.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            statement = text(query)
            if ids is not None:
                statement = statement.bindparams(bindparam("ids", expanding=True))
                return connection.execute(statement, {"ids": ids}).scalar_one()
            return connection.execute(statement).scalar_one()
    finally:
        engine.dispose()


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


def run_burst(base: str, instance: Instance, window: float) -> tuple[float, float, dict[str, int]]:
    plan = instance.directory / "burst.json"
    plan.write_text(json.dumps({"base": base, "rows": instance.burst, "window": window}), encoding="utf-8")
    subprocess.run([sys.executable, __file__, "--burst-client", str(plan)], check=True, timeout=window + 4 * REQUEST_TIMEOUT)
    results = json.loads(plan.with_suffix(".out").read_text(encoding="utf-8"))
    seconds = sorted(r[0] for r in results)
    statuses: dict[str, int] = {}
    for _elapsed, status in results:
        statuses[status] = statuses.get(status, 0) + 1
    return statistics.median(seconds), seconds[max(0, int(len(seconds) * 0.99) - 1)], statuses


# --- one database -----------------------------------------------------------------------------------

def measure(name: str, url: str, bare_url: str, seconds: int, throughput_learners: int, window: float) -> list[str]:
    """Every figure for one database, against the bare app measured just before (the machine is shared)."""
    lines = [f"--- {name} ---"]
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as scratch:
        began = time.monotonic()
        instance = prepare(url, Path(scratch), throughput_learners)
        lines.append(f"setup: migrated, published, {1 + throughput_learners + BURST_LEARNERS} learners in {time.monotonic() - began:.1f} s")
        env = {"LMS_DATABASE_URL": url, "LMS_SECRET_KEY": SECRET_KEY, "LMS_SESSION_COOKIE_SECURE": "false",
               "LMS_INSTANCE_PATH": str(Path(scratch) / "instance"), "LMS_LOG_LEVEL": "WARNING"}
        with gunicorn("lms:create_app()", env) as base:
            lesson_url = base + "/modules/tiny-module/pages/1"
            check = urllib.request.Request(lesson_url, headers={"Cookie": instance.lesson_cookie, "User-Agent": USER_AGENT})  # noqa: S310 - our own local server
            with urllib.request.urlopen(check, timeout=10) as response:  # noqa: S310 - our own local server
                if "Spotting harm" not in response.read().decode():
                    raise SystemExit("the signed-in lesson page did not show the lesson")
            bare = wrk(bare_url, seconds)
            lines.append(f"bare Flask      {bare.requests_per_second:8.0f} req/s  p50 {bare.p50_ms:6.1f} ms  p99 {bare.p99_ms:6.1f} ms  "
                         f"errors {bare.errors}  1.00x")
            lesson = wrk(lesson_url, seconds, {"Cookie": instance.lesson_cookie})
            before = count(url, "SELECT count(*) FROM attempt WHERE submitted_at IS NOT NULL")
            submit = wrk(base + "/", seconds, script=submissions_script(Path(scratch), instance.submissions))
            submitted = count(url, "SELECT count(*) FROM attempt WHERE submitted_at IS NOT NULL") - before
            submit_rate = submitted / submit.seconds
            p50, p99, statuses = run_burst(base, instance, window)
        completions = count(url, "SELECT count(*) FROM completion WHERE attempt_id IN :ids", instance.burst_attempt_ids)
        if url.startswith("sqlite"):
            integrity = count(url, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'")
            lines.append(f"integrity check after the load: {'ok' if integrity == 0 else 'FAILED'}")
    ratio = lesson.requests_per_second / bare.requests_per_second
    lines.append(f"lesson page     {lesson.requests_per_second:8.0f} req/s  p50 {lesson.p50_ms:6.1f} ms  p99 {lesson.p99_ms:6.1f} ms  "
                 f"errors {lesson.errors}  {ratio:.2f}x bare  goal >= 0.5x, p99 < 50 ms: "
                 f"{verdict(ratio >= 0.5 and lesson.p99_ms < 50 and lesson.errors == 0)}")
    ratio = submit_rate / bare.requests_per_second
    exhausted = "  (every prepared attempt was used: the rate is a lower bound)" if submitted >= len(instance.submissions) else ""
    lines.append(f"submissions     {submit_rate:8.0f} /s     p50 {submit.p50_ms:6.1f} ms  p99 {submit.p99_ms:6.1f} ms  "
                 f"errors {submit.errors}  {ratio:.2f}x bare  goal >= 0.2x: {verdict(ratio >= 0.2 and submit.errors == 0)}{exhausted}")
    ok = statuses.get("302", 0)
    lines.append(f"burst           {BURST_LEARNERS} learners in {window:.0f} s: {ok} told they passed, statuses {statuses}, "
                 f"p50 {p50 * 1000:.0f} ms  p99 {p99 * 1000:.0f} ms, completions in the database {completions}  "
                 f"goal no errors, p99 < 1 s, exactly {BURST_LEARNERS}: {verdict(ok == BURST_LEARNERS and p99 < 1 and completions == BURST_LEARNERS)}")
    return lines


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("LMS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/lms_bench"))
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--submissions", type=int, default=8000, help="learners prepared for the submissions run")
    parser.add_argument("--window", type=float, default=10.0, help="seconds over which the burst's submissions arrive")
    parser.add_argument("--burst-client", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.burst_client:
        return burst_client(args.burst_client)
    if args.database != "sqlite" and "bench" not in urlsplit(args.postgres_url).path:
        raise SystemExit("refusing to empty a PostgreSQL database whose name does not contain 'bench'")
    print(f"machine: {os.cpu_count()} cores, shared by the servers and the load generators; {CONNECTIONS} connections, {args.seconds} s per wrk run")
    databases = {"sqlite": None, "postgresql": args.postgres_url}
    with gunicorn("bench.hello:app", {}) as bare_base:
        for name in (["sqlite", "postgresql"] if args.database == "both" else [args.database]):
            with tempfile.TemporaryDirectory() as scratch:
                url = databases[name] or f"sqlite:///{Path(scratch) / 'lms.sqlite3'}"
                for line in measure(name, url, bare_base + "/", args.seconds, args.submissions, args.window):
                    print(line, flush=True)


if __name__ == "__main__":
    main()
