"""Pages that only read run their queries outside a transaction (two round trips fewer on PostgreSQL);
every write still happens in a transaction of its own, and forms sent by POST stay in one throughout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from lms.db import db
from lms.models import LessonProgress
from tests.builders import make_organisation, make_partnership, make_user, publish_module
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


def test_does_a_lesson_page_read_outside_a_transaction_and_save_progress_inside_one(app, client, learner_id):
    sign_in(client, "reader@readville.example")
    with statements(app) as seen:
        assert client.get("/modules/tiny-module/pages/1").status_code == 200  # first visit: the page is remembered
    assert seen[:2] == [("SELECT", False), ("SELECT", False)], seen  # the learner, then the module and their place
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
    assert seen == [("SELECT", False), ("SELECT", False)]


def test_does_a_form_sent_by_post_stay_in_one_transaction(app, client, learner_id):
    sign_in(client, "reader@readville.example")
    page = client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    with statements(app) as seen:
        client.post("/modules/tiny-module/pages/1", data={"csrf_token": csrf_token(page), "question": "nothing-here"})
    assert seen and all(inside for _word, inside in seen), seen
