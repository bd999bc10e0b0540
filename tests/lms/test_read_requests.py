"""On PostgreSQL a request's reads run outside a transaction (two round trips fewer per page); every
write still happens in a transaction, a submission's all in one. SQLite keeps each request's reads in one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select

from lms import create_app
from lms.db import db
from lms.models import Attempt, Completion, LessonProgress, User
from tests.builders import answer_form, make_organisation, make_partnership, make_user, publish_module
from tests.conftest import ROOT, csrf_token, sign_in

TINY = ROOT / "tests" / "data" / "tiny-module"


@pytest.fixture
def learner_id(app, tmp_path) -> int:
    """A learner and the tiny module, with the app context closed again, as between a browser's requests."""
    with app.app_context():
        publish_module(db.session, TINY, tmp_path / "build")
        user = make_user(db.session, make_organisation(db.session, make_partnership(db.session, "Safer Readville"), "Readville Council"),
                         email="reader@readville.example")
        db.session.commit()
        return user.id


def _in_transaction(dbapi_connection: Any) -> bool:
    """What the driver says: psycopg's autocommit flag; sqlite3's own record of an open BEGIN."""
    if hasattr(dbapi_connection, "info") and hasattr(dbapi_connection, "autocommit"):
        return not dbapi_connection.autocommit
    return dbapi_connection.in_transaction


@contextmanager
def statements(app) -> Iterator[list[tuple[str, bool]]]:
    """(first word of each SQL statement the app sends, whether it ran in a transaction)."""
    seen: list[tuple[str, bool]] = []

    def record(connection, _cursor, statement, *_args) -> None:
        word = statement.split(None, 1)[0].upper()
        if word != "BEGIN":
            seen.append((word, _in_transaction(connection.connection.dbapi_connection)))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _postgresql(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def test_does_a_lesson_page_read_outside_a_transaction_and_save_progress_inside_one(app, client, learner_id):
    """On PostgreSQL, outside (read committed gives each statement its own snapshot anyway); SQLite keeps one."""
    sign_in(client, "reader@readville.example")
    with statements(app) as seen:
        assert client.get("/modules/tiny-module/pages/1").status_code == 200  # first visit: the page is remembered
    reads_inside = not _postgresql(app)
    assert seen[:2] == [("SELECT", reads_inside), ("SELECT", reads_inside)], seen  # the learner, the module and their place
    writes = [inside for word, inside in seen if word in ("INSERT", "UPDATE")]
    assert writes and all(writes), seen
    with app.app_context():
        progress = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == learner_id))
        assert progress.last_page == 1


def test_does_a_page_seen_again_send_only_its_two_reads(app, client, learner_id):
    sign_in(client, "reader@readville.example")
    client.get("/modules/tiny-module/pages/1")
    with statements(app) as seen:
        assert "Spotting harm" in client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert seen == [("SELECT", not _postgresql(app))] * 2


def test_does_a_passing_submission_write_everything_in_one_transaction(app, client, learner_id):
    """Its reads before the write need none (on PostgreSQL); the attempt, the completion and the xAPI rows are one."""
    sign_in(client, "reader@readville.example")
    page = client.get("/modules/tiny-module/assessment").get_data(as_text=True)
    attempt_path = client.post("/modules/tiny-module/assessment", data={"csrf_token": csrf_token(page)}).headers["Location"]
    with app.app_context():
        form = answer_form(db.session, db.session.get(Attempt, int(attempt_path.rsplit("/", 1)[1])))
    with statements(app) as seen:
        response = client.post(attempt_path, data={**form, "csrf_token": csrf_token(client.get(attempt_path).get_data(as_text=True))})
    assert response.status_code == 302
    first_write = next(n for n, (word, _inside) in enumerate(seen) if word in ("INSERT", "UPDATE"))
    assert all(inside for _word, inside in seen[first_write:]), seen
    assert all(inside != _postgresql(app) for _word, inside in seen[:2]), seen  # the learner and their attempt
    words = [word for word, _inside in seen]
    assert words.count("INSERT") >= 3 and "UPDATE" in words  # completion, two statements; the attempt marked
    with app.app_context():
        assert db.session.scalar(select(func.count(Completion.id))) == 1


def test_do_pages_answer_while_the_database_is_down(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    for url in ("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2", f"sqlite:///{tmp_path / 'gone' / 'lms.sqlite3'}"):
        down = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret"}).test_client()
        for path in ("/", "/privacy", "/accessibility", "/help", "/sign-in"):
            assert down.get(path).status_code == 200, (url, path)
        assert down.get("/no-such-page").status_code == 404
        needs_it = down.get("/verify/ABCD2345")  # a page that must read: a plain 503 page, not a 500
        assert needs_it.status_code == 503 and "Sorry, the service is unavailable" in needs_it.get_data(as_text=True)


def test_is_a_change_a_page_makes_to_a_loaded_row_outside_write_transaction_thrown_away(app, learner_id):
    """As it was when every request was one transaction, rolled back at its end."""
    @app.route("/probe-careless-change")
    def careless():
        user = db.session.get(User, learner_id)
        user.full_name = "Changed by a page"
        db.session.scalar(select(LessonProgress.id).limit(1))  # a later query must not write the change
        return "read"

    assert app.test_client().get("/probe-careless-change").status_code == 200
    with app.app_context():
        assert db.session.get(User, learner_id).full_name != "Changed by a page"
