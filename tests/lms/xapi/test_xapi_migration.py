"""Migration 0007: statements queued or sent before it keep their ids and content, now as kept text, and stay
the statements of their records (never built again under a new id); going back to 0006 gives the JSON column back."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import MetaData, delete, select

from lms import migrate
from lms.db import db, write_transaction
from lms.models import Installation, canonical_json
from tests.builders import take_assessment
from tests.lms.xapi.xapi_builders import outbox, tiny_version, two_learners

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


OLD_NAMESPACE = uuid.UUID("6f1c2b0e-3d55-4c1e-9a53-2b7f0c1d8e41")  # 0006 derived every installation's ids from this


def test_does_upgrading_from_0006_keep_past_statements_so_none_is_built_or_sent_again(app, session, tmp_path):
    """0006 kept statements under ids from its fixed namespace. After 0007 the installation has a random one,
    but a record's statement is found by the record, so export gives the old ids and nothing new is queued."""
    version = tiny_version(session, tmp_path)
    learner, sharer = two_learners(session)
    take_assessment(session, learner, version, False)
    take_assessment(session, sharer, version, True)
    records = [(r.record_kind, r.record_id, r.statement) for r in outbox(session)]
    db.session.remove()
    migrate.downgrade(db.engine, "0006")
    table = _outbox()
    with db.engine.begin() as connection:  # as 0006 kept them: old ids, and all sent already
        connection.execute(table.delete())
        for number, (kind, record_id, statement) in enumerate(records, start=1):
            old_id = str(uuid.uuid5(OLD_NAMESPACE, f"{kind}:{record_id}"))
            connection.execute(table.insert().values(id=number, statement_id=old_id, statement={**statement, "id": old_id},
                                                     created_at=dt.datetime(2025, 5, 1), tries=1, next_try_at=dt.datetime(2025, 5, 1),
                                                     sent_at=dt.datetime(2025, 5, 2), last_error=""))
    migrate.upgrade(db.engine)
    old_ids = sorted(str(uuid.uuid5(OLD_NAMESPACE, f"{kind}:{record_id}")) for kind, record_id, _s in records)

    assert [(r.record_kind, r.record_id) for r in outbox(session)] == [(k, i) for k, i, _s in records]
    for _round in range(2):  # and again after the installation row (its namespace) is lost
        result = app.test_cli_runner().invoke(args=["xapi", "export"])
        assert result.exit_code == 0, result.output
        assert sorted(json.loads(line)["id"] for line in result.stdout.splitlines()) == old_ids
        assert len(outbox(session)) == len(records) and f"{'waiting:':<16}0\n" in app.test_cli_runner().invoke(args=["xapi", "status"]).output
        with write_transaction(session):
            session.execute(delete(Installation))

