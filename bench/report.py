"""How fast a quarter's counts export is through the application, against the same aggregate as one raw
SQL query, on SQLite and PostgreSQL, measured in the same run.

Fills each database with 1,000,000 completions across 500 organisations, 5 modules and 3 financial years
(plus face-to-face sessions), then times `reports.training_counts` + `exports.counts_csv` (what
`lms report export --period ...` runs) and the raw query; the median of several runs counts.
Goals: a quarter's export under 0.3 s, and at most 1.5x the raw query.

    .venv/bin/python bench/report.py [--rows 1000000] [--repeat 7] [--sqlite PATH] [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms import migrate  # noqa: E402
from lms.db import make_engine  # noqa: E402
from lms.models import OrganisationType  # noqa: E402
from lms.services import exports, reports  # noqa: E402
from lms.services.periods import fy_quarter, parse_period  # noqa: E402

ORGANISATIONS, MODULES, PEOPLE, SESSIONS = 500, 5, 100_000, 6_000
FIRST_DAY, DAYS = dt.datetime(2022, 4, 1), 3 * 365  # three financial years: 2022/23 to 2024/25
QUARTER = "2023-24-Q3"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/h6bench"
TIME_LIMIT = 120.0  # seconds of timing per database at most, whatever --repeat says

RAW = """
SELECT o.name, o.type, m.title, 'e-learning', count(*), count(DISTINCT c.user_id)
FROM completion c JOIN organisation o ON o.id = c.organisation_id JOIN module m ON m.id = c.module_id
WHERE c.fy_quarter BETWEEN :first AND :last AND c.channel = 'e-learning'
GROUP BY o.name, o.type, m.title
UNION ALL
SELECT o.name, o.type, m.title, 'face-to-face', count(DISTINCT s.id), sum(a.attendee_count)
FROM session_audience a JOIN training_session s ON s.id = a.session_id
JOIN organisation o ON o.id = a.organisation_id JOIN module m ON m.id = s.module_id
WHERE s.fy_quarter BETWEEN :first AND :last
GROUP BY o.name, o.type, m.title
"""


def rows_to_load(count: int) -> dict[str, list[tuple]]:
    """Deterministic rows for every table the report reads, in insertion order."""
    rng = random.Random(6)
    types = list(OrganisationType)
    now = dt.datetime(2025, 6, 1)
    data: dict[str, list[tuple]] = {
        "partnership": [(p, f"bench-{p}", f"Bench Partnership {p}", "{}", now) for p in (1, 2, 3)],
        "organisation": [(o, o % 3 + 1, f"bench-org-{o}", f"Organisation {o:03d}", types[o % len(types)].value, False, now)
                         for o in range(1, ORGANISATIONS + 1)],
        "module": [(m, f"bench-module-{m}", f"Module {m}", "", None, now) for m in range(1, MODULES + 1)],
        "user_account": [(u, f"person{u}@bench.example", f"Person {u}", "!", u % ORGANISATIONS + 1, None, "learner", True,
                          f"00000000-0000-4000-8000-{u:012d}", now, None, None) for u in range(1, PEOPLE + 1)],
    }
    completions = []
    for i in range(count):
        user, round_ = i % PEOPLE + 1, i // PEOPLE
        moment = FIRST_DAY + dt.timedelta(minutes=rng.randrange(DAYS * 24 * 60))
        channel = "face-to-face" if rng.random() < 0.1 else "e-learning"
        completions.append((i + 1, user, user % ORGANISATIONS + 1, round_ % MODULES + 1, None, channel, round_ // MODULES + 1, 90, moment,
                            fy_quarter(moment), None, None, None))
    data["completion"] = completions
    sessions, audiences = [], []
    for s in range(1, SESSIONS + 1):
        day = (FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))).date()
        audience = rng.sample(range(1, ORGANISATIONS + 1), k=rng.randint(1, 3))
        counts = [rng.randint(3, 25) for _ in audience]
        sessions.append((s, s % MODULES + 1, day, fy_quarter(day), "Bench venue", audience[0], None, sum(counts), now))
        audiences += [(s, org, n) for org, n in zip(audience, counts, strict=True)]
    data["training_session"], data["session_audience"] = sessions, audiences
    return data


COLUMNS = {
    "partnership": "id, slug, name, settings, created_at",
    "organisation": "id, partnership_id, slug, name, type, xapi_shares_email, created_at",
    "module": "id, slug, title, priority_area, current_version_id, created_at",
    "user_account": "id, email, full_name, password_hash, organisation_id, department_id, role, active, public_id, created_at, "
                    "last_sign_in_at, erased_at",
    "completion": "id, user_id, organisation_id, module_id, version_id, channel, sequence, score, completed_at, fy_quarter, attempt_id, "
                  "session_id, verification_code",
    "training_session": "id, module_id, delivered_on, fy_quarter, venue, delivering_organisation_id, trainer_id, attendee_count, created_at",
    "session_audience": "session_id, organisation_id, attendee_count",
}


def fresh_schema(url: str) -> Engine:
    """An empty, migrated database at `url` (PostgreSQL's database is created if missing)."""
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                admin.execute(f'CREATE DATABASE "{name}"')
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    engine = make_engine(url)
    migrate.upgrade(engine)
    return engine


def load(engine: Engine, data: dict[str, list[tuple]]) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany in one transaction on SQLite."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN")  # the engine leaves SQLite in autocommit: one transaction for the whole load
        for table, rows in data.items():
            columns = COLUMNS[table]
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns.split(","))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def median_seconds(run, repeat: int) -> float:
    """Median of `repeat` timed runs after one warm-up, stopping early at the time limit."""
    run()
    times, started = [], time.perf_counter()
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
        if time.perf_counter() - started > TIME_LIMIT:
            break
    return statistics.median(times)


def measure(label: str, url: str, data: dict[str, list[tuple]], repeat: int) -> None:
    start = time.perf_counter()
    engine = fresh_schema(url)
    load(engine, data)
    loaded = time.perf_counter() - start
    period = parse_period(QUARTER)
    with Session(engine) as session:
        def application() -> str:
            rows = reports.training_counts(session, period)
            return exports.counts_csv(rows, period, dt.datetime(2025, 6, 1))

        def raw_query() -> list:
            with engine.connect() as connection:
                return connection.execute(text(RAW), {"first": period.first_quarter, "last": period.last_quarter}).all()

        app_rows = len(reports.training_counts(session, period))
        raw_rows = len(raw_query())
        app_time, raw_time = median_seconds(application, repeat), median_seconds(raw_query, repeat)
    engine.dispose()
    ratio = app_time / raw_time
    print(f"{label:10} loaded {len(data['completion']):,} completions in {loaded:6.1f} s; {QUARTER}: {app_rows} rows (raw {raw_rows})")
    print(f"{'':10} raw SQL aggregate     {raw_time:7.3f} s   1.00x")
    print(f"{'':10} application export    {app_time:7.3f} s   {ratio:.2f}x   goals: < 0.3 s {'met' if app_time < 0.3 else 'NOT met'},"
          f" <= 1.5x {'met' if ratio <= 1.5 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sqlite", help="SQLite file to fill (default: a temporary file)")
    parser.add_argument("--postgres", default=POSTGRES, help="PostgreSQL URL; its database is emptied and refilled")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    if "127.0.0.1" not in args.postgres and "localhost" not in args.postgres:
        parser.error("load only a local database")
    start = time.perf_counter()
    data = rows_to_load(args.rows)
    print(f"generated {args.rows:,} completions, {ORGANISATIONS} organisations, {MODULES} modules, {SESSIONS:,} sessions "
          f"in {time.perf_counter() - start:.1f} s; median of {args.repeat} runs after a warm-up")
    with tempfile.TemporaryDirectory() as scratch:
        measure("SQLite", f"sqlite:///{args.sqlite or Path(scratch) / 'bench.sqlite3'}", data, args.repeat)
    if not args.no_postgres:
        measure("PostgreSQL", args.postgres, data, args.repeat)


if __name__ == "__main__":
    main()
