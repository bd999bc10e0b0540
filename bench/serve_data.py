"""The data side of bench/serve.py and bench/request_profile.py: a fresh instance with the course modules and learners.

`prepare` migrates an empty database, builds and publishes the five course modules (courses/*.ipynb, as
`lms demo` does) and tests/data/tiny-module, and adds learners. Learners are signed in by minting the
session cookie a sign-in sets, with the instance's secret key, so thousands of them need no scrypt
hashing.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, g
from flask import session as flask_session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape
from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.orm import Session

from authoring import build
from authoring.vocabulary import for_folder, using
from bench.load import USER_AGENT, Submission
from lms import create_app, migrate
from lms.db import db, make_engine
from lms.models import (
    Assignment,
    Attempt,
    Channel,
    Completion,
    LessonProgress,
    Module,
    ModulePage,
    ModuleVersion,
    Organisation,
    OrganisationType,
    Partnership,
    User,
    utcnow,
)
from lms.services.accounts import hash_password
from lms.services.assessment_draw import asked_questions, draw, new_seed
from lms.services.completions import new_verification_code
from lms.services.periods import fy_quarter
from lms.services.publishing import publish

ROOT = Path(__file__).resolve().parent.parent
COURSES = ROOT / "courses"
TINY = ROOT / "tests" / "data" / "tiny-module"
SECRET_KEY = "bench-secret-key-not-for-production"  # noqa: S105 - a throwaway instance made by this script
REAL_MODULE = "domestic-abuse-risk"  # the real course module whose lesson page is loaded
SUBMITTED_MODULE = "tiny-module"  # the module whose assessment the submission and burst learners pass
BURST_LEARNERS = 1000


@dataclass
class Page:
    """A signed-in page to load, and the texts that prove the response is that page, not a sign-in form."""

    label: str
    path: str
    shows: list[str]
    shows_times: dict[str, int] = field(default_factory=dict)  # text -> how many times it must appear


@dataclass
class Instance:
    """A migrated, populated database and what the load needs: signed-in cookies and prepared submissions."""

    url: str
    directory: Path
    reader_cookie: str  # the learner who reads lesson pages and "My training"
    pages: dict[str, Page]  # "tiny lesson", "real lesson", "my training"
    submissions: list[Submission]
    bursts: list[list[Submission]]  # one batch of BURST_LEARNERS per burst
    burst_attempt_ids: list[list[int]]


def server_env(url: str, directory: Path) -> dict[str, str]:
    """The environment gunicorn serves this instance with."""
    return {"LMS_DATABASE_URL": url, "LMS_SECRET_KEY": SECRET_KEY, "LMS_SESSION_COOKIE_SECURE": "false",
            "LMS_INSTANCE_PATH": str(directory / "instance"), "LMS_LOG_LEVEL": "WARNING"}


def make_app(url: str, directory: Path) -> Flask:
    """The app with the same settings as the served one (bench/request_profile.py drives it in-process)."""
    os.environ["LMS_INSTANCE_PATH"] = str(directory / "instance")
    return create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "SESSION_COOKIE_SECURE": False, "LOG_LEVEL": "WARNING"})


def prepare(url: str, directory: Path, submissions: int, bursts: int) -> Instance:
    """A fresh instance: modules published, one reader with a training history, learners with open attempts."""
    app = make_app(url, directory)
    with app.app_context():
        _fresh_schema(url)
        _publish_modules()
        session = db.session
        organisation = _organisation(session)
        users = _learners(session, organisation.id, 1 + submissions + bursts * BURST_LEARNERS)
        reader, takers = users[0], users[1:]
        modules = {m.slug: m for m in session.scalars(select(Module))}
        pages = _reader_history(session, reader, organisation, modules)
        attempts = _open_attempts(session, modules[SUBMITTED_MODULE], takers)
        rows = [_submission(app, user, attempts[user.id]) for user in takers]
        ids = [attempts[user.id].id for user in takers]
        batches = [slice(submissions + n * BURST_LEARNERS, submissions + (n + 1) * BURST_LEARNERS) for n in range(bursts)]
        instance = Instance(url, directory, signed_in(app, reader)[0], pages, rows[:submissions],
                            [rows[batch] for batch in batches], [ids[batch] for batch in batches])
    db.engine.dispose()
    return instance


def _fresh_schema(url: str) -> None:
    """Empty the PostgreSQL database (its name was checked to contain "bench") and migrate to the newest schema."""
    if url.startswith("postgresql"):
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(db.engine)


def _publish_modules() -> None:
    """Build the course notebooks and the tiny module, and publish them, with the courses' own vocabulary."""
    with tempfile.TemporaryDirectory(prefix="lms-bench-build-") as out:
        report = build([COURSES, TINY], out)
        if report.failed:
            raise SystemExit(f"the modules did not build: {[str(p) for p in report.problems]}")
        with using(for_folder(COURSES)):
            publish(db.session, Path(out))


def _organisation(session: Session) -> Organisation:
    """The partnership and the one organisation every learner belongs to."""
    partnership = Partnership(slug="bench", name="Bench Partnership", settings={"hate_crime_reporting": "the Bench Hub"})
    session.add(partnership)
    session.flush()
    organisation = Organisation(slug="bench-council", name="Bench Council", type=OrganisationType.LOCAL_AUTHORITY,
                                partnership_id=partnership.id)
    session.add(organisation)
    session.commit()
    return organisation


def _learners(session: Session, organisation_id: int, total: int) -> list[User]:
    """`total` confirmed learners sharing one password hash (scrypt per learner would take minutes)."""
    password_hash, now = hash_password("bench password"), utcnow()
    session.execute(insert(User), [{"email": f"learner{n}@bench.example", "full_name": f"Learner {n}", "password_hash": password_hash,
                                    "organisation_id": organisation_id, "email_confirmed_at": now} for n in range(total)])
    session.commit()
    return list(session.scalars(select(User).order_by(User.id)))


def _open_attempts(session: Session, module: Module, users: list[User]) -> dict[int, Attempt]:
    """One open attempt at `module`'s assessment per learner, drawn as the app draws it."""
    version = module.current_version
    seeds = {u.id: new_seed() for u in users}
    session.execute(insert(Attempt), [{"user_id": u.id, "version_id": version.id, "seed": seeds[u.id],
                                       "drawn": draw(version, seeds[u.id])} for u in users])
    session.commit()
    return {a.user_id: a for a in session.scalars(select(Attempt).where(Attempt.version_id == version.id))}


def signed_in(app: Flask, user: User) -> tuple[str, str]:
    """The session cookie a sign-in would set for `user`, and a CSRF token valid with it."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}):
        login_user(user)
        g.pop("csrf_token", None)  # g belongs to the app context, shared by every request context here
        token = generate_csrf()
        return "session=" + app.session_interface.get_signing_serializer(app).dumps(dict(flask_session)), token


def _submission(app: Flask, user: User, attempt: Attempt) -> Submission:
    """A passing submission of `attempt`: the right options under this attempt's own identifiers."""
    version = attempt.version
    answers = [(item.field, shown) for item in asked_questions(version, attempt)
               for shown in item.shown_ids(version.answer_key[item.question["id"]]["correct"])]
    cookie, token = signed_in(app, user)
    return f"/attempts/{attempt.id}", cookie, urlencode([("csrf_token", token), *answers])


def _reader_history(session: Session, reader: User, organisation: Organisation, modules: dict[str, Module]) -> dict[str, Page]:
    """The five course modules assigned, two completed, one in progress; the pages the reader will load."""
    courses = sorted((m for slug, m in modules.items() if slug != TINY.name), key=lambda m: m.slug)
    _assign(session, organisation, reader, courses)
    real = modules[REAL_MODULE]
    number, title = _richest_page(session, real.current_version)
    _remember(session, reader, {real.current_version.id: number, modules[TINY.name].current_version.id: 1})
    session.commit()
    titles = [str(escape(m.title)) for m in courses]
    return {
        "tiny lesson": Page("lesson page, tests/data/tiny-module page 1", f"/modules/{TINY.name}/pages/1", ["Spotting harm"]),
        "real lesson": Page(f"lesson page, {REAL_MODULE} page {number} ({title})", f"/modules/{REAL_MODULE}/pages/{number}",
                            [str(escape(title))]),
        "my training": Page("My training: 5 modules assigned (2 completed, 1 overdue and in progress), 1 more listed", "/my-training",
                            ["Assigned by Bench Council", *titles], {"Mandatory": len(courses)}),
    }


def _assign(session: Session, organisation: Organisation, reader: User, courses: list[Module]) -> None:
    """Assign every course module, the real one overdue and the rest due in months; complete two of the others.

    One completion is recent; the other is old enough to be due for refresher, so the page shows its banner too.
    """
    today = utcnow().date()
    for n, module in enumerate(courses):
        due = today - dt.timedelta(days=7) if module.slug == REAL_MODULE else today + dt.timedelta(days=30 * (n + 1))
        session.add(Assignment(module_id=module.id, organisation_id=organisation.id, due_on=due))
    recent, old = [m for m in courses if m.slug != REAL_MODULE][:2]
    _complete(session, reader, recent, dt.timedelta(days=30))
    _complete(session, reader, old, dt.timedelta(days=30 * max(1, old.current_version.refresher_months) - 20))


def _complete(session: Session, reader: User, module: Module, ago: dt.timedelta) -> None:
    """A passed attempt and its completion, `ago` in the past (a long time ago makes it due for refresher)."""
    version, moment, seed = module.current_version, utcnow() - ago, new_seed()
    drawn = draw(version, seed)
    attempt = Attempt(user_id=reader.id, version_id=version.id, seed=seed, drawn=drawn, started_at=moment, submitted_at=moment,
                      answers={}, correct_count=len(drawn), question_count=len(drawn), score=100, passed=True)
    session.add(attempt)
    session.flush()
    session.add(Completion(user_id=reader.id, organisation_id=reader.organisation_id, module_id=module.id, version_id=version.id,
                           channel=Channel.ELEARNING, sequence=1, score=100, completed_at=moment, fy_quarter=fy_quarter(moment),
                           attempt_id=attempt.id, verification_code=new_verification_code()))


def _richest_page(session: Session, version: ModuleVersion) -> tuple[int, str]:
    """The lesson page with the most blocks (text and knowledge checks): the most work to render."""
    pages = session.execute(select(ModulePage.number, ModulePage.title, ModulePage.blocks)
                            .where(ModulePage.version_id == version.id, ModulePage.number <= version.lesson_page_count)).all()
    number, title, _blocks = max(pages, key=lambda page: (len(page.blocks), len(str(page.blocks))))
    return number, title


def _remember(session: Session, reader: User, last_pages: dict[int, int]) -> None:
    """The reader's progress already at the pages they load, so loading them reads and never writes."""
    for version_id, number in last_pages.items():
        session.add(LessonProgress(user_id=reader.id, version_id=version_id, last_page=number))


def count(url: str, query: str, ids: list[int] | None = None) -> int:
    """A number from the database, read after the load has finished."""
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
