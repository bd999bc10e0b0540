"""A simulated year of reminders: 5,000 learners, the real planners and outbox, a real SMTP server.

    .venv/bin/python bench/reminders_year.py [--learners 5000] [--days 365] [--database URL]

Ten organisations share the learners. Each assigns two mandatory course modules (due dates spread over
the year) and one optional one; a third of the learners passed one module 21 to 26 months before the
year starts, so refreshers fall due and expire during it; a fifth chose the weekly digest and a tenth
turned optional reminders off. Every simulated day at 07:00 UTC, some learners pass a module, then the
day's jobs run as the worker runs them (plan_daily, plan_weekly on Mondays, plan_quarterly) and the
outbox delivers everything due to aiosmtpd on 127.0.0.1, which refuses a few addresses for good.

It prints the notices by kind and status, the messages the SMTP server received, the duplicates it
received (the same Message-ID twice, or two messages for one notice key), the time taken, and the
planning cost as a ratio against a baseline from the same run: building the compliance table of every
organisation once (the same standing rule, for the same people).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serve_data import _fresh_schema, _publish_modules, make_app  # noqa: E402
from lms.db import db  # noqa: E402
from lms.models import (  # noqa: E402
    Assignment,
    Channel,
    Completion,
    Module,
    Notice,
    NoticePreference,
    Organisation,
    OrganisationType,
    Partnership,
    Role,
    User,
)
from lms.services.accounts import hash_password  # noqa: E402
from lms.services.completions import new_verification_code  # noqa: E402
from lms.services.notices.outbox import deliver_due  # noqa: E402
from lms.services.notices.planning import plan_daily, plan_quarterly, plan_weekly  # noqa: E402
from lms.services.periods import fy_quarter  # noqa: E402
from lms.services.reports import ReportScope, compliance_table  # noqa: E402
from tests.lms.notices.smtp_server import SmtpServer  # noqa: E402

START = dt.datetime(2026, 4, 1, 7, 0)  # the first day of a financial year, 07:00 UTC (08:00 in the UK)
ORGANISATIONS = 10
PASS_RATE = 0.006  # the share of learners who pass one of their outstanding modules on a given day
REFUSED = 5  # addresses the SMTP server refuses for good (left the organisation, mistyped)


def _people(session, partnership_id: int, learners: int) -> tuple[list[Organisation], list[int]]:
    """The organisations, their learners, one admin each and a lead; the learners' ids."""
    password_hash, joined = hash_password("bench password"), START - dt.timedelta(days=400)
    organisations = [Organisation(slug=f"org-{n}", name=f"Organisation {n}", type=OrganisationType.LOCAL_AUTHORITY,
                                  partnership_id=partnership_id) for n in range(ORGANISATIONS)]
    session.add_all(organisations)
    session.flush()
    rows = [{"email": f"learner{n}@org{n % ORGANISATIONS}.example", "full_name": f"Learner {n}", "password_hash": password_hash,
             "organisation_id": organisations[n % ORGANISATIONS].id, "email_confirmed_at": joined, "created_at": joined}
            for n in range(learners)]
    rows += [{"email": f"admin@org{n}.example", "full_name": f"Admin {n}", "password_hash": password_hash, "role": Role.ORG_ADMIN,
              "organisation_id": o.id, "email_confirmed_at": joined, "created_at": joined} for n, o in enumerate(organisations)]
    rows.append({"email": "lead@partnership.example", "full_name": "Lead", "password_hash": password_hash, "role": Role.PARTNERSHIP_LEAD,
                 "organisation_id": organisations[0].id, "email_confirmed_at": joined, "created_at": joined})
    session.execute(insert(User), rows)
    ids = list(session.scalars(select(User.id).where(User.role == Role.LEARNER).order_by(User.id)))
    return organisations, ids


def _assignments(session, organisations: list[Organisation], modules: list[Module]) -> None:
    """Two mandatory modules, due at different times of the year, and one optional, per organisation."""
    for n, organisation in enumerate(organisations):
        first, second, optional = modules[n % 5], modules[(n + 1) % 5], modules[(n + 2) % 5]
        created = START - dt.timedelta(days=3)
        session.add_all([
            Assignment(module_id=first.id, organisation_id=organisation.id, mandatory=True, created_at=created,
                       due_on=(START + dt.timedelta(days=20 + 30 * n)).date()),
            Assignment(module_id=second.id, organisation_id=organisation.id, mandatory=True, created_at=created,
                       due_on=(START + dt.timedelta(days=120 + 20 * n)).date()),
            Assignment(module_id=optional.id, organisation_id=organisation.id, mandatory=False, created_at=created, due_on=None),
        ])


def _history(session, learner_ids: list[int], modules: list[Module], rng: random.Random) -> None:
    """A third passed a module 21 to 26 months ago (refreshers due this year); the chosen preferences."""
    organisation_of = {user_id: organisation_id for user_id, organisation_id in session.execute(select(User.id, User.organisation_id))}
    rows = []
    for user_id in learner_ids[::3]:
        moment = START - dt.timedelta(days=rng.randint(640, 790))
        rows.append(_completion_row(user_id, organisation_of[user_id], modules[rng.randrange(5)].id, moment))
    session.execute(insert(Completion), rows)
    session.execute(insert(NoticePreference), [{"user_id": u, "reminders": "weekly"} for u in learner_ids[1::5]]
                    + [{"user_id": u, "optional_reminders": False} for u in learner_ids[2::10]])


def _completion_row(user_id: int, organisation_id: int, module_id: int, moment: dt.datetime, sequence: int = 1) -> dict:
    return {"user_id": user_id, "organisation_id": organisation_id, "module_id": module_id, "channel": Channel.ELEARNING,
            "sequence": sequence, "completed_at": moment, "fy_quarter": fy_quarter(moment), "verification_code": new_verification_code()}


def prepare(url: str, directory: Path, learners: int, rng: random.Random):
    """A migrated database with the five course modules published and the year's people in it."""
    app = make_app(url, directory)
    with app.app_context():
        _fresh_schema(url)
        _publish_modules()
        session = db.session
        partnership = Partnership(slug="bench", name="Bench Partnership", settings={})
        session.add(partnership)
        session.flush()
        organisations, learner_ids = _people(session, partnership.id, learners)
        modules = sorted(session.scalars(select(Module).where(Module.slug != "tiny-module")), key=lambda m: m.slug)
        _assignments(session, organisations, modules)
        _history(session, learner_ids, modules, rng)
        session.commit()
    return app


def _passes(session, now: dt.datetime, rng: random.Random) -> int:
    """Some learners pass one of their assigned modules today (a completion row, as a pass records one)."""
    assigned = session.execute(select(User.id, User.organisation_id, Assignment.module_id)
                               .join(Assignment, Assignment.organisation_id == User.organisation_id)
                               .where(User.role == Role.LEARNER)).all()
    done = {(u, m): s for u, m, s in session.execute(select(Completion.user_id, Completion.module_id, func.max(Completion.sequence))
                                                      .group_by(Completion.user_id, Completion.module_id))}
    chosen = [row for row in assigned if rng.random() < PASS_RATE / 3]
    rows = [_completion_row(u, o, m, now - dt.timedelta(hours=rng.randint(1, 12)), done.get((u, m), 0) + 1) for u, o, m in chosen]
    if rows:
        session.execute(insert(Completion), rows)
    session.commit()
    return len(rows)


def _deliver_all(session, now: dt.datetime) -> None:
    while True:
        report = deliver_due(session, now=now, limit=500)
        if report.sent + report.retrying + report.failed + report.interrupted == 0:
            return


def simulate(app, days: int, rng: random.Random, server: SmtpServer) -> dict[str, float]:
    """Each day: passes, then the day's jobs, then delivery (retries come due on later days)."""
    timings = Counter()
    with app.app_context():
        session = db.session
        for day in range(days):
            now = START + dt.timedelta(days=day)
            _passes(session, now, rng)
            began = time.perf_counter()
            plan_daily(session, now)
            if now.weekday() == 0:
                plan_weekly(session, now + dt.timedelta(minutes=30))
            plan_quarterly(session, now + dt.timedelta(hours=1))
            timings["planning"] += time.perf_counter() - began
            began = time.perf_counter()
            _deliver_all(session, now + dt.timedelta(hours=1, minutes=5))
            timings["delivery"] += time.perf_counter() - began
    return timings


def baseline(app) -> float:
    """Seconds to build the compliance table of every organisation once: the same standing rule, the same people."""
    with app.app_context():
        began = time.perf_counter()
        compliance_table(db.session, ReportScope("All partnerships"), START)
        return time.perf_counter() - began


def duplicates(server: SmtpServer) -> tuple[int, int]:
    """Message-IDs received more than once, and notice keys (recipient, subject line) received more than once."""
    by_id = Counter(m.message_id for m in server.messages)
    by_key = Counter((m.recipients, m.subject) for m in server.messages)
    return sum(1 for n in by_id.values() if n > 1), sum(1 for n in by_key.values() if n > 1)


def report(app, server: SmtpServer, timings: dict[str, float], days: int, learners: int, compliance_seconds: float) -> None:
    with app.app_context():
        rows = db.session.execute(select(Notice.kind, Notice.status, func.count()).group_by(Notice.kind, Notice.status)).all()
        completions = db.session.scalar(select(func.count()).select_from(Completion))
    print(f"{learners:,} learners, {days} simulated days from {START:%d %B %Y}; {completions:,} completions at the end")
    for kind, status, count in sorted(rows):
        print(f"  {kind:22} {status:12} {count:7,}")
    same_id, same_key = duplicates(server)
    print(f"SMTP server received {len(server.messages):,} messages; duplicates: {same_id} by Message-ID, {same_key} by recipient and subject")
    total = timings["planning"] + timings["delivery"]
    print(f"time: planning {timings['planning']:.1f} s, delivery {timings['delivery']:.1f} s, total {total:.1f} s "
          f"({total / days * 1000:.0f} ms per simulated day)")
    print(f"baseline: the compliance table of every organisation once, {compliance_seconds * 1000:.0f} ms; "
          f"a day's planning costs {timings['planning'] / days / compliance_seconds:.2f}x the baseline")


def main() -> None:
    # The SMTP server runs on a thread of this process: at Python's default switch interval (5 ms) each SMTP
    # command would wait for the other thread's turn, and the bench would measure that instead of the outbox.
    sys.setswitchinterval(0.0005)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--database", default="", help="PostgreSQL URL whose database name contains 'bench' (default: SQLite in a temp folder)")
    arguments = parser.parse_args()
    if arguments.database and "bench" not in arguments.database.rsplit("/", 1)[-1]:
        raise SystemExit("the database's name must contain 'bench': its schema is dropped")
    rng = random.Random(18)
    with tempfile.TemporaryDirectory(prefix="lms-bench-reminders-") as folder:
        directory = Path(folder)
        url = arguments.database or f"sqlite:///{directory / 'lms.sqlite3'}"
        server = SmtpServer()
        server.start()
        try:
            app = prepare(url, directory, arguments.learners, rng)
            app.config.update(server.mail_config)
            with app.app_context():
                for address in db.session.scalars(select(User.email).where(User.role == Role.LEARNER).limit(REFUSED)):
                    server.refuse(address)
            compliance_seconds = baseline(app)
            timings = simulate(app, arguments.days, rng, server)
            report(app, server, timings, arguments.days, arguments.learners, compliance_seconds)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
