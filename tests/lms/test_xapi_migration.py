"""Migration 0007: statements queued or sent before it keep their ids and content, now as kept text, and
going back to 0006 gives the JSON column back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import MetaData, select

from lms import migrate
from lms.db import db
from lms.models import canonical_json

BEFORE = {"id": "3f1c0000-0000-4000-8000-000000000001", "actor": {"objectType": "Agent", "mbox": "mailto:ada@testville.example"},
          "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"}, "context": {"platform": "Safer Learning – Testville"}}


def _outbox():
    metadata = MetaData()
    with db.engine.connect() as connection:
        metadata.reflect(connection)
    return metadata.tables["xapi_outbox"]


def test_does_upgrading_to_0007_keep_each_statement_as_its_text_and_downgrading_give_it_back(app):
    db.session.remove()
    migrate.downgrade(db.engine, "0006")
    table = _outbox()
    with db.engine.begin() as connection:
        connection.execute(table.insert().values(id=1, statement_id=BEFORE["id"], statement=BEFORE, created_at=dt.datetime(2025, 5, 1),
                                                 tries=2, next_try_at=dt.datetime(2025, 5, 1), sent_at=dt.datetime(2025, 5, 2), last_error=""))
    migrate.upgrade(db.engine)
    with db.engine.connect() as connection:
        row = connection.execute(select(_outbox())).one()
    assert (row.statement_id, row.body, row.tries, row.sent_at, row.dead_at, row.sent_to) == (
        BEFORE["id"], canonical_json(BEFORE), 2, dt.datetime(2025, 5, 2), None, "")
    assert "–" in row.body  # UTF-8 kept as it is, not \\u escapes

    migrate.downgrade(db.engine, "0006")
    with db.engine.connect() as connection:
        assert connection.execute(select(_outbox().c.statement)).scalar() == BEFORE
    migrate.upgrade(db.engine)
