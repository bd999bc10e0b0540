"""How fast a quarter's counts export is through the application, against the same aggregate as one raw
SQL query, on SQLite and PostgreSQL, measured in the same run.

Fills each database with 1,000,000 completions across 500 organisations, 5 modules and 3 financial years
(plus face-to-face sessions), then times `reports.training_counts` + `exports.counts_csv` (what
`lms report export --period ...` runs) and the raw query; the median of several runs counts.
Goals: a quarter's export under 0.3 s, and at most 1.5x the raw query.

Every tenth organisation also serves a second partnership, and half its people work there (their own
locality): completions carry the partnership they count for, as the application stamps them, and
face-to-face audience lines the area the session was run for. The quarterly board report for one
partnership (`quarterly_report` + `report_tables`, then each format: PDF, DOCX, CSV, XLSX from
lms.services.board_report and board_sheets) is timed against the partnership's raw aggregate run once for
each of the seven periods the report reads (the quarter, its three months, the same quarter one and two
years back, the year to date).

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
from lms.services.reports.quarterly import month_periods, quarterly_report, report_tables  # noqa: E402
from lms.services.reports.scope import ReportScope  # noqa: E402

try:  # the board report's four formats, timed when they exist
    from lms.services.board_report import report_docx, report_pdf  # noqa: E402
    from lms.services.board_sheets import report_csv, report_xlsx  # noqa: E402
except ImportError:  # pragma: no cover - a tree without them
    report_docx = report_pdf = report_csv = report_xlsx = None

ORGANISATIONS, MODULES, PEOPLE, SESSIONS = 500, 5, 100_000, 6_000
FIRST_DAY, DAYS = dt.datetime(2022, 4, 1), 3 * 365  # three financial years: 2022/23 to 2024/25
QUARTER = "2023-24-Q3"
REPORT_PARTNERSHIP = 2  # the partnership whose quarterly report is timed: home of a third of the organisations
SERVES_TWO = 10  # every tenth organisation also serves the next partnership
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
# The same aggregate for one partnership: rows stamped for it (NULL stamps, from an older release, do not occur here);
# {days} trims whole quarters to a custom period's UK days, as the application does for a month.
RAW_PARTNERSHIP = """
SELECT o.name, o.type, m.title, 'e-learning', count(*), count(DISTINCT c.user_id)
FROM completion c JOIN organisation o ON o.id = c.organisation_id JOIN module m ON m.id = c.module_id
WHERE c.fy_quarter BETWEEN :first AND :last AND c.channel = 'e-learning' AND c.partnership_id = :partnership
{days_elearning}
GROUP BY o.name, o.type, m.title
UNION ALL
SELECT o.name, o.type, m.title, 'face-to-face', count(DISTINCT s.id), sum(a.attendee_count)
FROM session_audience a JOIN training_session s ON s.id = a.session_id
JOIN organisation o ON o.id = a.organisation_id JOIN module m ON m.id = s.module_id
WHERE s.fy_quarter BETWEEN :first AND :last AND s.withdrawn_at IS NULL AND a.partnership_id = :partnership
{days_face_to_face}
GROUP BY o.name, o.type, m.title
"""


def home_of(organisation: int) -> int:
    return organisation % 3 + 1


def served_by(organisation: int) -> list[int]:
    """The organisation's home partnership first, then the one more a tenth of them serve."""
    home = home_of(organisation)
    return [home, home % 3 + 1] if organisation % SERVES_TWO == 0 else [home]


def locality(user: int) -> int | None:
    """People of an organisation serving two: odd ones work in the second partnership, even ones have no setting."""
    served = served_by(user % ORGANISATIONS + 1)
    return served[1] if len(served) > 1 and user % 2 else None


def counts_for(user: int) -> int:
    """The partnership a person's completions are stamped with (lms.services.localities.locality_of)."""
    return locality(user) or home_of(user % ORGANISATIONS + 1)


def rows_to_load(count: int) -> dict[str, list[tuple]]:
    """Deterministic rows for every table the report reads, in insertion order."""
    rng = random.Random(6)
    types = list(OrganisationType)
    now = dt.datetime(2025, 6, 1)
    data: dict[str, list[tuple]] = {
        "partnership": [(p, f"bench-{p}", f"Bench Partnership {p}", "{}", now) for p in (1, 2, 3)],
        "organisation": [(o, home_of(o), f"bench-org-{o}", f"Organisation {o:03d}", types[o % len(types)].value, False, now)
                         for o in range(1, ORGANISATIONS + 1)],
        "organisation_partnership": [(o, p) for o in range(1, ORGANISATIONS + 1) for p in served_by(o)[1:]],
        "module": [(m, f"bench-module-{m}", f"Module {m}", "", None, now) for m in range(1, MODULES + 1)],
        "user_account": [(u, f"person{u}@bench.example", f"Person {u}", "!", u % ORGANISATIONS + 1, None, "learner", True,
                          f"00000000-0000-4000-8000-{u:012d}", now, None, None, locality(u)) for u in range(1, PEOPLE + 1)],
    }
    completions = []
    for i in range(count):
        user, round_ = i % PEOPLE + 1, i // PEOPLE
        moment = FIRST_DAY + dt.timedelta(minutes=rng.randrange(DAYS * 24 * 60))
        channel = "face-to-face" if rng.random() < 0.1 else "e-learning"
        completions.append((i + 1, user, user % ORGANISATIONS + 1, counts_for(user), round_ % MODULES + 1, None, channel,
                            round_ // MODULES + 1, 90, moment, fy_quarter(moment), None, None, None))
    data["completion"] = completions
    sessions, audiences = [], []
    for s in range(1, SESSIONS + 1):
        day = (FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))).date()
        audience = rng.sample(range(1, ORGANISATIONS + 1), k=rng.randint(1, 3))
        counts = [rng.randint(3, 25) for _ in audience]
        area = rng.choice(served_by(audience[0]))  # run for one of the delivering organisation's areas
        sessions.append((s, s % MODULES + 1, day, fy_quarter(day), "Bench venue", audience[0], area, None, sum(counts), now))
        # lms.services.localities.attendance_area: the session's area where the organisation serves it, else its home
        audiences += [(s, org, area if area in served_by(org) else home_of(org), n) for org, n in zip(audience, counts, strict=True)]
    data["training_session"], data["session_audience"] = sessions, audiences
    return data


COLUMNS = {
    "partnership": "id, slug, name, settings, created_at",
    "organisation": "id, partnership_id, slug, name, type, xapi_shares_email, created_at",
    "module": "id, slug, title, priority_area, current_version_id, created_at",
    "organisation_partnership": "organisation_id, partnership_id",
    "user_account": "id, email, full_name, password_hash, organisation_id, department_id, role, active, public_id, created_at, "
                    "last_sign_in_at, erased_at, locality_id",
    "completion": "id, user_id, organisation_id, partnership_id, module_id, version_id, channel, sequence, score, completed_at, fy_quarter, "
                  "attempt_id, session_id, verification_code",
    "training_session": "id, module_id, delivered_on, fy_quarter, venue, delivering_organisation_id, partnership_id, trainer_id, "
                        "attendee_count, created_at",
    "session_audience": "session_id, organisation_id, partnership_id, attendee_count",
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


def quarterly_figures(session: Session, period):
    """The quarterly board report's figures for one partnership, and the tables every format shows."""
    report = quarterly_report(session, ReportScope("Bench Partnership", partnership_id=REPORT_PARTNERSHIP), period.first_quarter)
    report_tables(report)
    return report


def board_formats(report, generated: dt.datetime) -> dict:
    """Each of the board report's formats, as a function to time (none before lms.services.board_report exists)."""
    if report_pdf is None:
        return {"CSV of report_tables": lambda: [exports.table_csv(t, parse_period(QUARTER), generated) for t in report_tables(report)]}
    return {"PDF": lambda: report_pdf(report, False, generated, "Bench"), "DOCX": lambda: report_docx(report, False, generated, "Bench"),
            "CSV": lambda: report_csv(report, False, generated), "XLSX": lambda: report_xlsx(report, False, generated)}


def partnership_query(period) -> str:
    """The raw partnership aggregate for a period: whole quarters, or trimmed to custom days."""
    if not period.is_custom:
        return RAW_PARTNERSHIP.format(days_elearning="", days_face_to_face="")
    return RAW_PARTNERSHIP.format(days_elearning="AND c.completed_at >= :since AND c.completed_at < :until",
                                  days_face_to_face="AND s.delivered_on BETWEEN :first_day AND :last_day")


def raw_timer(engine: Engine, query: str, period, **values):
    def run() -> list:
        with engine.connect() as connection:
            return connection.execute(text(query), {"first": period.first_quarter, "last": period.last_quarter, **values}).all()
    return run


def report_periods(period) -> list:
    """The periods the quarterly report reads: the quarter, its three months, the same quarter two years back, the year to date."""
    code = period.first_quarter
    quarters = [parse_period(f"{c // 10}-{(c // 10 + 1) % 100:02d}-Q{c % 10}") for c in (code, code - 10, code - 20)]
    year = parse_period(f"{code // 10}-{(code // 10 + 1) % 100:02d}")
    return quarters + [p for _label, p in month_periods(code)] + [type(year)(year.first_quarter, code, "year to date")]


def raw_report_timer(engine: Engine, period):
    """The partnership's raw aggregate once for each period the report reads: the report's work done by hand in SQL."""
    runs = [raw_timer(engine, partnership_query(p), p, partnership=REPORT_PARTNERSHIP, since=p.moments[0], until=p.moments[1],
                      first_day=p.bounds[0], last_day=p.bounds[1]) for p in report_periods(period)]
    return lambda: [run() for run in runs]


def measure(label: str, url: str, data: dict[str, list[tuple]], repeat: int) -> None:
    start = time.perf_counter()
    engine = fresh_schema(url)
    load(engine, data)
    loaded = time.perf_counter() - start
    period, generated = parse_period(QUARTER), dt.datetime(2025, 6, 1)
    raw_query = raw_timer(engine, RAW, period)
    raw_partnership = raw_timer(engine, partnership_query(period), period, partnership=REPORT_PARTNERSHIP)
    scope = ReportScope("", partnership_id=REPORT_PARTNERSHIP)
    with Session(engine) as session:
        app_rows, raw_rows = len(reports.training_counts(session, period)), len(raw_query())
        area_rows, raw_area_rows = len(reports.training_counts(session, period, scope=scope)), len(raw_partnership())
        formats = board_formats(quarterly_figures(session, period), generated)
        runs = {"raw": raw_query, "app": lambda: exports.counts_csv(reports.training_counts(session, period), period, generated),
                "raw_area": raw_partnership,
                "area": lambda: exports.counts_csv(reports.training_counts(session, period, scope=scope), period, generated),
                "raw_report": raw_report_timer(engine, period), "quarterly": lambda: quarterly_figures(session, period),
                **{f"format {name}": run for name, run in formats.items()}}
        times = {name: median_seconds(run, repeat) for name, run in runs.items()}
    engine.dispose()
    print(f"{label:10} loaded {len(data['completion']):,} completions in {loaded:6.1f} s; {QUARTER}: {app_rows} rows (raw {raw_rows}),"
          f" partnership {REPORT_PARTNERSHIP}: {area_rows} rows (raw {raw_area_rows})")
    report_times(times)


def report_times(times: dict[str, float]) -> None:
    """Each timing with its ratio to the raw aggregate of the same scope and periods, measured in the same run."""
    raw, app, raw_area, area, raw_report, quarterly = (times[k] for k in ("raw", "app", "raw_area", "area", "raw_report", "quarterly"))
    ratio = app / raw
    lines = [("raw SQL aggregate, everything", raw, 1.0), ("application export, everything", app, ratio),
             ("raw SQL aggregate, one partnership", raw_area, 1.0), ("application export, one partnership", area, area / raw_area),
             ("raw SQL, the report's 7 periods", raw_report, 1.0), ("quarterly report figures + tables", quarterly, quarterly / raw_report)]
    formats = {k.removeprefix("format "): v for k, v in times.items() if k.startswith("format ")}
    lines += [(f"  + {name} from the figures", seconds, None) for name, seconds in formats.items()]
    whole = quarterly + sum(formats.values())
    lines.append(("quarterly report, figures and every format", whole, whole / raw_report))
    for name, seconds, against in lines:
        print(f"{'':10} {name:44} {seconds:7.3f} s" + (f"   {against:.2f}x" if against is not None else ""))
    print(f"{'':10} goals (export, everything): < 0.3 s {'met' if app < 0.3 else 'NOT met'}, <= 1.5x {'met' if ratio <= 1.5 else 'NOT met'}")


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
