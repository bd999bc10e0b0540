"""Shared fixtures: a migrated test database (SQLite by default, PostgreSQL via LMS_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import text, update

from lms import create_app, migrate
from lms.db import db, make_engine
from lms.models import Base, Module
from tests.builders import PASSWORD, publish_module

TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "tiny-module"


def pytest_report_header(config: pytest.Config) -> str:
    return f"lms test database: {'postgresql' if TEST_DATABASE_URL.startswith('postgresql') else 'sqlite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A freshly migrated database for the whole run; PostgreSQL's schema is dropped and rebuilt."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'lms.sqlite3'}"
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def app(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_the_last_request)
    yield app
    _empty_tables()


def _forget_the_last_request() -> None:
    """Each request starts as a browser's would: a test that holds an app context open (the `session`
    fixture) would otherwise share Flask's `g`, where Flask-Login keeps the signed-in person and Flask-WTF
    this request's CSRF token, between its requests and between its clients."""
    for name in ("_login_user", "csrf_token"):
        g.pop(name, None)


def _empty_tables() -> None:
    """Remove every row (in dependency order) so each test starts from an empty database."""
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(update(Module).values(current_version_id=None))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def session(app: Flask):
    with app.app_context():
        yield db.session


@pytest.fixture
def published(session, tmp_path: Path) -> Module:
    """The tiny test module (two pages, a knowledge check, an assessment), built and published."""
    return publish_module(session, TINY, tmp_path / "build")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):
    page = client.get("/sign-in").get_data(as_text=True)
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": csrf_token(page)})
