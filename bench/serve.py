"""How fast the app serves under gunicorn, against a bare Flask app under the same settings, in one run.

For each database (SQLite, PostgreSQL) it makes a fresh instance (bench/serve_data.py: the five course
modules and tests/data/tiny-module published, learners with open assessment attempts), starts gunicorn as
the README deploys it (sync workers, 2) and loads it from separate processes on 127.0.0.1
(bench/load.py), one row per goal of issue 17:

- lesson page of a real course module: one signed-in learner's richest page of domestic-abuse-risk
  (the most blocks and knowledge checks), wrk at 50 connections; the tiny module's page 1 too, labelled;
- My training: the same learner, with the five course modules assigned, two completed, one in progress;
- submissions: distinct learners each submitting a passing assessment, wrk at 50 connections;
- burst: 1,000 learners each submitting their final assessment at a random moment in a 10 s window, and
  another 1,000 all at one instant; each followed by a check that exactly 1,000 completions were recorded.

The bare app is measured before and after the app's wrk runs; ratios are against the mean of the two.
Every page is fetched once first and checked to be the signed-in page (its title or module titles).

    .venv/bin/python bench/serve.py [--database sqlite|postgresql|both] [--postgres-url URL] [--seconds 10]

The PostgreSQL database named by --postgres-url (default: LMS_BENCH_POSTGRES_URL, or the local
database `lms_bench`) is emptied first; its name must contain "bench". Needs wrk (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import CONNECTIONS, USER_AGENT, WrkResult, code_stamp, code_version, gunicorn, run_burst, submissions_script, wrk  # noqa: E402
from bench.serve_data import BURST_LEARNERS, COURSES, Instance, Page, count, prepare, server_env  # noqa: E402

DATABASES = ("sqlite", "postgresql")
# The least requests/s as a share of the bare app's (issue 17's goals table), and the p99 ceiling where there is one.
GOALS = {"tiny lesson": {"sqlite": 0.5, "postgresql": 0.35}, "real lesson": {"sqlite": 0.5, "postgresql": 0.35},
         "my training": {"sqlite": 0.3, "postgresql": 0.25}, "submissions": {"sqlite": 0.2, "postgresql": 0.15}}
P99_GOAL_MS = {"tiny lesson": 50.0, "real lesson": 50.0}
BURST_P99_GOAL_MS = 1000.0


@dataclass
class Row:
    """One measure for one database: what was loaded, its figures, and whether its goal is met."""

    key: str
    label: str
    figures: str
    ratio: float | None
    goal: str
    met: bool | None  # None: no goal (the bare app)

    def line(self) -> str:
        ratio = f"  {self.ratio:.2f}x bare" if self.ratio is not None else ""
        goal = f"  goal {self.goal}: {verdict(self.met)}" if self.met is not None else ""
        return f"{self.label}\n    {self.figures}{ratio}{goal}"

    def cell(self) -> str:
        ratio = f"{self.ratio:.2f}x, " if self.ratio is not None else ""
        return f"{ratio}{self.figures}" + (f": **{verdict(self.met)}**" if self.met is not None else "")


def verdict(met: bool | None) -> str:
    return "met" if met else "NOT met"


def wrk_figures(result: WrkResult, unit: str = "req/s", rate: float | None = None) -> str:
    rate = result.requests_per_second if rate is None else rate
    return f"{rate:,.0f} {unit}, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, errors {result.errors}"


# --- the rows ---------------------------------------------------------------------------------------

def check_signed_in(base: str, page: Page, cookie: str) -> None:
    """Stop the run unless the page answers 200, unredirected, with the texts only the signed-in page shows."""
    request = urllib.request.Request(base + page.path, headers={"Cookie": cookie, "User-Agent": USER_AGENT})  # noqa: S310 - our own local server
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own local server
        body, final = response.read().decode(), response.geturl()
    missing = [text for text in page.shows if text not in body]
    miscounted = {text: body.count(text) for text, times in page.shows_times.items() if body.count(text) != times}
    if final != base + page.path or missing or miscounted:
        raise SystemExit(f"{page.path} is not the signed-in page: ended at {final}, missing {missing}, counts {miscounted}")


def page_row(database: str, key: str, page: Page, result: WrkResult, bare: float) -> Row:
    ratio, least, ceiling = result.requests_per_second / bare, GOALS[key][database], P99_GOAL_MS.get(key)
    goal = f">= {least}x" + (f", p99 < {ceiling:.0f} ms" if ceiling else "")
    met = ratio >= least and result.errors == 0 and (ceiling is None or result.p99_ms < ceiling)
    return Row(key, page.label, wrk_figures(result), ratio, goal, met)


def submissions_row(database: str, base: str, instance: Instance, seconds: int, bare: float) -> Row:
    """Submissions per second as counted in the database (attempts marked / wrk's duration)."""
    marked = "SELECT count(*) FROM attempt WHERE submitted_at IS NOT NULL"
    before = count(instance.url, marked)
    result = wrk(base + "/", seconds, script=submissions_script(instance.directory, instance.submissions))
    submitted = count(instance.url, marked) - before
    rate, least = submitted / result.seconds, GOALS["submissions"][database]
    label = f"assessment submissions ({submitted:,} learners each passing tests/data/tiny-module)"
    if submitted >= len(instance.submissions):
        label += "; every prepared attempt was used: the rate is a lower bound"
    return Row("submissions", label, wrk_figures(result, "/s", rate), rate / bare, f">= {least}x", rate / bare >= least and result.errors == 0)


def burst_row(base: str, instance: Instance, batch: int, window: float) -> Row:
    """One batch of learners submitting their final assessment within `window` seconds, then their completions counted."""
    result = run_burst(base, instance.bursts[batch], window, instance.directory / f"burst-{batch}.json")
    completions = count(instance.url, "SELECT count(*) FROM completion WHERE attempt_id IN :ids", instance.burst_attempt_ids[batch])
    errors = BURST_LEARNERS - result.told_passed
    when = f"in a {window:g} s window" if window else "all at one instant"
    statuses = f" {result.statuses}" if errors else ""
    figures = (f"{result.told_passed:,} told they passed, errors {errors}{statuses}, p50 {result.p50_ms:.0f} ms, "
               f"p99 {result.p99_ms:.0f} ms, completions {completions:,}")
    met = errors == 0 and result.p99_ms < BURST_P99_GOAL_MS and completions == BURST_LEARNERS
    return Row(f"burst {batch}", f"burst: {BURST_LEARNERS:,} final submissions {when}", figures, None,
               f"0 errors, p99 < 1 s, exactly {BURST_LEARNERS:,} completions", met)


# --- one database -----------------------------------------------------------------------------------

def measure(database: str, url: str, bare_url: str, args: argparse.Namespace) -> list[Row]:
    """Every row for one database, against the bare app measured just before and after (the machine is shared)."""
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as scratch:
        began = time.monotonic()
        instance = prepare(url, Path(scratch), args.submissions, bursts=2)
        learners = 1 + args.submissions + 2 * BURST_LEARNERS
        say(f"setup: migrated, published {len(list(COURSES.glob('*.ipynb'))) + 1} modules, {learners:,} learners in {time.monotonic() - began:.1f} s; {load_average()}")
        with gunicorn("lms:create_app()", server_env(url, Path(scratch))) as base:
            rows = served_rows(database, base, bare_url, instance, args)
        if url.startswith("sqlite"):
            integrity = count(url, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'")
            say(f"integrity check after the load: {'ok' if integrity == 0 else 'FAILED'}")
    return rows


def served_rows(database: str, base: str, bare_url: str, instance: Instance, args: argparse.Namespace) -> list[Row]:
    """The wrk rows between two bare-app runs, then the two bursts; each printed as soon as it is known."""
    for page in instance.pages.values():
        check_signed_in(base, page, instance.reader_cookie)
    before = wrk(bare_url, args.seconds)
    results = {key: wrk(base + page.path, args.seconds, {"Cookie": instance.reader_cookie}) for key, page in instance.pages.items()}
    after = wrk(bare_url, args.seconds)
    bare = (before.requests_per_second + after.requests_per_second) / 2
    rows = [Row("bare", "bare Flask (before, after the app's page runs)",
                f"{before.requests_per_second:,.0f} and {after.requests_per_second:,.0f} req/s, p99 {before.p99_ms:.1f} and "
                f"{after.p99_ms:.1f} ms, errors {before.errors + after.errors}", None, "", None)]
    show(rows[0])
    for key, page in instance.pages.items():
        rows.append(show(page_row(database, key, page, results[key], bare)))
    rows.append(show(submissions_row(database, base, instance, args.seconds, bare)))
    rows.append(show(burst_row(base, instance, 0, args.window)))
    rows.append(show(burst_row(base, instance, 1, 0.0)))
    return rows


def say(line: str) -> None:
    print(line, flush=True)


def show(row: Row) -> Row:
    say(row.line())
    return row


def load_average() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def summary(results: dict[str, list[Row]]) -> list[str]:
    """Both databases side by side, one line per row, as a Markdown table."""
    databases = list(results)
    first = results[databases[0]]
    lines = ["| measure | " + " | ".join(databases) + " |", "|---" * (len(databases) + 1) + "|"]
    for n, row in enumerate(first):
        label = row.label.split(" (")[0]
        lines.append(f"| {label} | " + " | ".join(results[d][n].cell() for d in databases) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=[*DATABASES, "both"], default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("LMS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/lms_bench"))
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--submissions", type=int, default=8000, help="learners prepared for the submissions run")
    parser.add_argument("--window", type=float, default=10.0, help="seconds over which the first burst's submissions arrive")
    args = parser.parse_args()
    if args.database != "sqlite" and "bench" not in urlsplit(args.postgres_url).path:
        raise SystemExit("refusing to empty a PostgreSQL database whose name does not contain 'bench'")
    say(f"machine: {os.cpu_count()} cores, shared by the servers and the load generators; {CONNECTIONS} connections, "
        f"{args.seconds} s per wrk run; {load_average()}")
    say(code_version())
    stamp = code_stamp()
    results: dict[str, list[Row]] = {}
    with gunicorn("bench.hello:app", {}) as bare_base:
        for database in DATABASES if args.database == "both" else [args.database]:
            say(f"--- {database} ---")
            with tempfile.TemporaryDirectory() as scratch:
                url = args.postgres_url if database == "postgresql" else f"sqlite:///{Path(scratch) / 'lms.sqlite3'}"
                results[database] = measure(database, url, bare_base + "/", args)
    say(f"--- summary ({load_average()}) ---")
    for line in summary(results):
        say(line)
    if code_stamp() != stamp:
        say("WARNING: the app's files changed during the run: these figures mix two versions; run again")


if __name__ == "__main__":
    main()
