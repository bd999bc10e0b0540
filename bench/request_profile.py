"""Where a request's time goes, in-process: the app driven by Flask's test client, no gunicorn, no network.

For the requests bench/serve.py loads (a real course lesson page, the tiny module's page, My training,
a passing assessment submission) on a fresh instance made by bench/serve_data.py, it prints per kind:

- the mean time per request over --requests requests (after 20 to warm the caches), unprofiled;
- the SQL per request, counted with SQLAlchemy events: statements sent (before_cursor_execute; on
  SQLite that includes the app's BEGIN), transactions begun, and commits and rollbacks; on PostgreSQL
  each of these is a round trip to the server;
- a cProfile run of as many requests again, its time split into buckets by the package whose code was
  running (self time): SQLAlchemy with the database driver, Jinja rendering (templates included),
  session cookie and user loading (Flask's session, Flask-Login, the app's user loader), CSRF
  (flask_wtf.csrf: generate_csrf and the check of a posted token), Werkzeug/Flask request handling, the
  app's own code, the test client (work gunicorn does instead, differently), and the rest. Helpers
  shared by several (itsdangerous, markupsafe, the standard library, built-ins) are charged to whoever
  called them, so signing a CSRF token counts as CSRF and signing the session cookie as session.
  The shares are of the profiled time; the milliseconds are those shares of the unprofiled mean.

    .venv/bin/python bench/request_profile.py [--postgres-url URL] [--requests 300] [--top 15] [--show-sql]

Without --postgres-url it profiles SQLite in a temporary directory; a PostgreSQL database given by
--postgres-url is emptied first and its name must contain "bench".
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.load import USER_AGENT, code_stamp, code_version  # noqa: E402 - after the path is set
from bench.serve_data import Instance, make_app, prepare  # noqa: E402

WARM_UP = 20
SQLALCHEMY, JINJA, SESSION, CSRF, FLASK, APP, CLIENT, REST = (
    "SQLAlchemy + driver", "Jinja rendering", "session cookie + user loading", "CSRF (flask_wtf.csrf)",
    "Werkzeug/Flask request handling", "the app's own code (lms)", "test client (not in production)", "the rest")
# The first rule whose text is in a function's file name decides its bucket; None charges it to its callers.
RULES: list[tuple[Callable[[str, str], bool], str | None]] = [
    (lambda path, name: "/flask_wtf/csrf.py" in path, CSRF),
    (lambda path, name: "/flask_login/" in path or path.endswith("/flask/sessions.py"), SESSION),
    (lambda path, name: path.endswith("/lms/extensions.py") and name == "load_user", SESSION),
    (lambda path, name: "/itsdangerous/" in path or "/markupsafe/" in path, None),
    (lambda path, name: "/sqlalchemy/" in path, SQLALCHEMY),
    (lambda path, name: "/werkzeug/test.py" in path or path.endswith("/flask/testing.py"), CLIENT),
    (lambda path, name: "/jinja2/" in path or path.endswith((".html", ".txt", ".xml")) or path == "<template>", JINJA),
    (lambda path, name: "/werkzeug/" in path or "/flask/" in path, FLASK),
    (lambda path, name: path.startswith(str(ROOT / "lms")) or path.startswith(str(ROOT / "authoring")), APP),
]
Request = tuple[str, str, str, str]  # (method, path, cookie, form body)


@dataclass
class SqlCount:
    """SQL sent while counting: statements, transactions begun, and transactions ended."""

    statements: int = 0
    begins: int = 0
    ends: int = 0
    shown: list[str] | None = None  # the statements themselves, while a list is given

    def install(self, engine: Any) -> None:
        from sqlalchemy import event

        def statement(_conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
            self.statements += 1
            if self.shown is not None:
                self.shown.append(" ".join(sql.split())[:160])

        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine, "begin", lambda _conn: setattr(self, "begins", self.begins + 1))
        for ending in ("commit", "rollback"):
            event.listen(engine, ending, lambda _conn: setattr(self, "ends", self.ends + 1))


@dataclass
class Kind:
    """One kind of request and what the profile found for it."""

    label: str
    requests: list[Request]
    check: Callable[[Any, Request], None]
    mean_ms: float = 0.0
    sql: tuple[float, float, float] = (0.0, 0.0, 0.0)
    buckets: dict[str, float] = field(default_factory=dict)  # bucket -> share of the profiled time
    sample_sql: list[str] = field(default_factory=list)


# --- the requests -----------------------------------------------------------------------------------

def kinds(instance: Instance, count: int) -> list[Kind]:
    """The pages the reader loads, each repeated, and one distinct learner's submission per request."""
    total = WARM_UP + 2 * count
    found = []
    for key in ("real lesson", "tiny lesson", "my training"):
        page = instance.pages[key]
        found.append(Kind(page.label, [("GET", page.path, instance.reader_cookie, "")] * total, page_check(page)))
    posts = [("POST", path, cookie, body) for path, cookie, body in instance.submissions]
    found.append(Kind("assessment submission (a distinct learner passing tests/data/tiny-module each time)", posts, submission_check))
    return found


def send(client: Any, request: Request) -> Any:
    method, path, cookie, body = request
    headers = {"Cookie": cookie, "User-Agent": USER_AGENT}
    if method == "GET":
        return client.get(path, headers=headers)
    return client.post(path, data=body, headers=headers, content_type="application/x-www-form-urlencoded")


def page_check(page: Any) -> Callable[[Any, Request], None]:
    def check(response: Any, request: Request) -> None:
        body = response.get_data(as_text=True)
        if response.status_code != 200 or any(text not in body for text in page.shows):
            raise SystemExit(f"{request[1]} answered {response.status_code} without the signed-in page's texts {page.shows}")
    return check


def submission_check(response: Any, request: Request) -> None:
    if response.status_code != 302 or not response.headers.get("Location", "").endswith(f"{request[1]}/result"):
        raise SystemExit(f"{request[1]} answered {response.status_code} {response.headers.get('Location')}, not the result page")


# --- measuring --------------------------------------------------------------------------------------

def measure(client: Any, kind: Kind, count: int, sql: SqlCount, top: int) -> None:
    """Warm up, time `count` requests while counting their SQL, then profile `count` more."""
    for request in kind.requests[:WARM_UP]:
        kind.check(send(client, request), request)
    sql.statements = sql.begins = sql.ends = 0
    sql.shown = kind.sample_sql
    send(client, kind.requests[WARM_UP])
    sql.shown = None
    timed = kind.requests[WARM_UP + 1:WARM_UP + count]
    began = time.perf_counter()
    for request in timed:
        send(client, request)
    kind.mean_ms = (time.perf_counter() - began) * 1000 / len(timed)
    kind.sql = (sql.statements / count, sql.begins / count, sql.ends / count)
    profiler = cProfile.Profile()
    profiler.enable()
    for request in kind.requests[WARM_UP + count:WARM_UP + 2 * count]:
        send(client, request)
    profiler.disable()
    stats = pstats.Stats(profiler)
    kind.buckets = split(stats.stats)  # type: ignore[attr-defined]
    if top:
        stats.sort_stats("tottime").print_stats(top)


def rule_for(function: tuple[str, int, str]) -> str | None:
    path, _line, name = function
    return next((bucket for matches, bucket in RULES if matches(path, name)), None)


def split(stats: dict) -> dict[str, float]:
    """Each function's self time in its bucket; a helper's (bucket None) shared among its callers' buckets."""
    hard = {function: rule_for(function) for function in stats}
    context = {function: {bucket: 1.0} for function, bucket in hard.items() if bucket}
    soft = [function for function, bucket in hard.items() if bucket is None]
    for function in soft:
        context[function] = {REST: 1.0}
    for _round in range(30):  # the call graph has cycles: settle by repetition
        for function in soft:
            context[function] = _mix([(edge[3], context.get(caller, {REST: 1.0})) for caller, edge in stats[function][4].items()])
    totals: dict[str, float] = {}
    for function, (_cc, _nc, self_time, _ct, callers) in stats.items():
        parts = [(edge[2], context.get(c, {REST: 1.0})) for c, edge in callers.items()]
        if hard[function] or not callers:
            parts = [(self_time, context[function])]
        for bucket, share in _mix(parts, scale=True).items():
            totals[bucket] = totals.get(bucket, 0.0) + share
    whole = sum(totals.values()) or 1.0
    return {bucket: time_spent / whole for bucket, time_spent in totals.items()}


def _mix(parts: list[tuple[float, dict[str, float]]], scale: bool = False) -> dict[str, float]:
    """The weighted mean of the distributions (or, with `scale`, their sum weighted by time)."""
    weight = sum(w for w, _d in parts)
    if not parts or weight <= 0:
        return {REST: weight if scale else 1.0}
    mixed: dict[str, float] = {}
    for w, distribution in parts:
        for bucket, share in distribution.items():
            mixed[bucket] = mixed.get(bucket, 0.0) + w * share / (1 if scale else weight)
    return mixed


# --- output -----------------------------------------------------------------------------------------

def report(kind: Kind, postgresql: bool, show_sql: bool) -> list[str]:
    statements, begins, ends = kind.sql
    trips = f"; round trips {statements + begins + ends:.1f}" if postgresql else " (BEGIN included)"
    lines = [kind.label, f"    {kind.mean_ms:.2f} ms per request; SQL per request: {statements:.1f} statements{trips}, "
                         f"{begins:.1f} transactions begun, {ends:.1f} commits or rollbacks"]
    for bucket, share in sorted(kind.buckets.items(), key=lambda item: -item[1]):
        lines.append(f"      {bucket:34} {share * 100:5.1f}%  {share * kind.mean_ms:5.2f} ms")
    if show_sql:
        lines += ["    the SQL of one request:", *(f"      {sql}" for sql in kind.sample_sql)]
    return lines


def table(found: list[Kind]) -> list[str]:
    """Every kind in one Markdown table: mean time, statements, and milliseconds per bucket."""
    buckets = [SQLALCHEMY, JINJA, SESSION, CSRF, FLASK, APP, CLIENT, REST]
    lines = ["| request | ms | SQL statements | " + " | ".join(buckets) + " |", "|---" * (len(buckets) + 3) + "|"]
    for kind in found:
        cells = [f"{kind.buckets.get(b, 0.0) * kind.mean_ms:.2f}" for b in buckets]
        lines.append(f"| {kind.label.split(' (')[0]} | {kind.mean_ms:.2f} | {kind.sql[0]:.1f} | " + " | ".join(cells) + " |")
    return lines


def run(url: str, directory: Path, count: int, top: int, show_sql: bool) -> None:
    instance = prepare(url, directory, WARM_UP + 2 * count, bursts=0)
    app = make_app(url, directory)
    from lms.db import db

    sql = SqlCount()
    sql.install(db.engine)
    client = app.test_client(use_cookies=False)
    found = kinds(instance, count)
    for kind in found:
        measure(client, kind, count, sql, top)
        for line in report(kind, url.startswith("postgresql"), show_sql):
            print(line, flush=True)
    print("\n".join(table(found)))
    db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", help="profile on this PostgreSQL database (emptied first) instead of SQLite")
    parser.add_argument("--requests", type=int, default=300, help="requests of each kind timed, and as many profiled")
    parser.add_argument("--top", type=int, default=0, help="also print this many functions by self time, per kind")
    parser.add_argument("--show-sql", action="store_true", help="also print the SQL statements of one request of each kind")
    args = parser.parse_args()
    if args.postgres_url and "bench" not in urlsplit(args.postgres_url).path:
        raise SystemExit("refusing to empty a PostgreSQL database whose name does not contain 'bench'")
    one, five, _fifteen = os.getloadavg()
    database = "postgresql" if args.postgres_url else "sqlite"
    print(f"profile: {database}, {args.requests} requests of each kind timed and as many profiled, after {WARM_UP} to warm up; "
          f"load average {one:.2f} (1 min), {five:.2f} (5 min)", flush=True)
    print(code_version(), flush=True)
    stamp = code_stamp()
    with tempfile.TemporaryDirectory(prefix="lms-profile-") as scratch:
        url = args.postgres_url or f"sqlite:///{Path(scratch) / 'lms.sqlite3'}"
        run(url, Path(scratch), args.requests, args.top, args.show_sql)
    if code_stamp() != stamp:
        print("WARNING: the app's files changed during the run (this process loaded them at the start); run again")


if __name__ == "__main__":
    main()
