"""Do the migrations build exactly the schema the models describe, run both ways, and keep every row?"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Integer, LargeBinary, MetaData, String, Table, select, text
from sqlalchemy.schema import sort_tables

from lms import migrate
from lms.db import db
from lms.models import Base
from lms.services import reports
from lms.services.periods import Period, fy_quarter
from lms.services.reports.scope import ReportScope


def test_do_the_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert differences == []


def test_can_the_schema_be_taken_down_and_up_again(app):
    """Runs on the test database itself (SQLite or PostgreSQL), then leaves it at the newest schema."""
    migrate.downgrade(db.engine, "base")
    assert migrate.current_revision(db.engine) is None
    migrate.upgrade(db.engine)
    assert migrate.current_revision(db.engine) == migrate.head_revision()


# --- upgrading a populated database keeps every row ---------------------------------------------------

ENUM_VALUES = {"role": "learner", "type": "local_authority", "channel": "e-learning"}  # stored enums: only valid values
JSON_LISTS = {"questions", "blocks"}


# Columns a later migration turns into others, each tested on its own below.
REPLACED = {("attempt", "option_order"), ("xapi_outbox", "statement")}  # 0005: becomes `drawn`, with a seed; 0007: `body`, its text


def _value(table: Table, column: Column, row: int) -> object:
    """A plausible, distinct value for one column of row `row` (1 or 2); foreign keys point at row `row` too."""
    if column.foreign_keys or column.primary_key and isinstance(column.type, Integer):
        return row
    if column.name in ENUM_VALUES:
        return ENUM_VALUES[column.name]
    kind = column.type
    if isinstance(kind, Boolean):
        return row == 1
    if isinstance(kind, Integer):
        return 10 + row
    if isinstance(kind, DateTime):
        return dt.datetime(2025, 5, row, 9, 30, 15)
    if isinstance(kind, Date):
        return dt.date(2025, 5, row)
    if isinstance(kind, JSON):
        return [{"row": row}] if column.name in JSON_LISTS else {"row": row, "text": "kept"}
    if isinstance(kind, LargeBinary):
        return bytes([row]) * 8
    if isinstance(kind, String):
        return f"{row}-{table.name}-{column.name}"[: kind.length or 200]
    raise AssertionError(f"no test value for {table.name}.{column.name} ({kind!r})")


def _fill_new_tables(connection, filled: dict[str, list[dict]]) -> None:
    """Two rows in every table not filled yet; nullable foreign keys are set after, to break cycles."""
    metadata = MetaData()
    metadata.reflect(connection)
    for table in sort_tables(metadata.tables.values(), skip_fn=lambda fk: fk.parent.nullable):  # those are set afterwards
        if table.name in filled or table.name == "alembic_version":
            continue
        rows = [{c.name: _value(table, c, n) for c in table.columns} for n in (1, 2)]
        later = [c.name for c in table.columns if c.foreign_keys and c.nullable]
        connection.execute(table.insert(), [{k: (None if k in later else v) for k, v in row.items()} for row in rows])
        filled[table.name] = rows
    for name, rows in filled.items():
        table = metadata.tables[name]
        for column in (c for c in table.columns if c.foreign_keys and c.nullable and c.name in rows[0]):  # not later columns
            for row in rows:
                keys = [table.c[k.name] == row[k.name] for k in table.primary_key.columns]
                connection.execute(table.update().where(*keys).values({column.name: row[column.name]}))


def test_does_upgrading_a_populated_database_from_the_first_migration_keep_every_row(app):
    """Rows go in at 0001 and in each later revision's new tables; at head every one is there, unchanged."""
    db.session.remove()
    migrate.downgrade(db.engine, "base")
    revisions = [r.revision for r in reversed(list(ScriptDirectory(str(migrate.MIGRATIONS)).walk_revisions()))]
    assert revisions[0] == "0001"
    filled: dict[str, list[dict]] = {}
    for revision in revisions:
        migrate.upgrade(db.engine, revision)
        with db.engine.begin() as connection:
            _fill_new_tables(connection, filled)
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    assert {"user_account", "completion", "attempt", "module_version", "audit_event"} <= filled.keys()

    metadata = MetaData()
    with db.engine.connect() as connection:
        metadata.reflect(connection)
        for name, rows in filled.items():
            table = metadata.tables[name]
            key = [table.c[c.name] for c in table.primary_key.columns]
            found = [dict(r._mapping) for r in connection.execute(select(table).order_by(*key))]
            assert len(found) == len(rows), f"{name}: {len(found)} rows after the upgrade, {len(rows)} before"
            for before, after in zip(rows, found, strict=True):
                kept = {k: v for k, v in before.items() if (name, k) not in REPLACED}
                assert {k: after[k] for k in kept} == kept, f"{name} changed in the upgrade"


def test_does_upgrading_to_0004_keep_existing_people_tokens_and_claims_working(app):
    """People who set their own password count as confirmed; imported ones do not; tokens get a year; claims stay approved."""
    db.session.remove()
    migrate.downgrade(db.engine, "0003")
    metadata = MetaData()
    with db.engine.begin() as connection:
        metadata.reflect(connection)
        t = metadata.tables
        connection.execute(t["partnership"].insert().values(id=1, slug="p", name="P", settings={}, created_at=dt.datetime(2025, 1, 1)))
        connection.execute(t["organisation"].insert().values(id=1, partnership_id=1, slug="o", name="O", type="local_authority",
                                                             xapi_shares_email=False, created_at=dt.datetime(2025, 1, 1)))
        people = [(1, "real@o.example", "scrypt:32768:8:1$salt$hash"), (2, "imported@o.example", "!never-set")]
        for user_id, email, password_hash in people:
            connection.execute(t["user_account"].insert().values(
                id=user_id, email=email, full_name="Someone", password_hash=password_hash, organisation_id=1, role="learner",
                active=True, public_id=f"00000000-0000-0000-0000-00000000000{user_id}", created_at=dt.datetime(2025, 2, user_id)))
        connection.execute(t["api_token"].insert().values(id=1, name="BI", token_hash="a" * 64, partnership_id=1,
                                                          created_at=dt.datetime(2025, 3, 1)))
        connection.execute(t["email_domain"].insert().values(id=1, organisation_id=1, domain="o.example", created_at=dt.datetime(2025, 1, 1)))
    migrate.upgrade(db.engine)
    metadata = MetaData()
    with db.engine.connect() as connection:
        metadata.reflect(connection)
        t = metadata.tables
        confirmed = dict(connection.execute(select(t["user_account"].c.email, t["user_account"].c.email_confirmed_at)).all())
        assert confirmed == {"real@o.example": dt.datetime(2025, 2, 1), "imported@o.example": None}
        assert set(connection.execute(select(t["user_account"].c.session_generation)).scalars()) == {0}
        assert connection.execute(select(t["api_token"].c.expires_at)).scalar() == dt.datetime(2026, 3, 1)
        claim = connection.execute(select(t["email_domain"].c.status, t["email_domain"].c.reviewed_at)).one()
        assert tuple(claim) == ("approved", None)


def test_does_upgrading_to_0005_keep_each_attempt_s_questions_option_order_and_mark(app):
    """An attempt from before question pools keeps the questions and option order it showed, and its mark."""
    db.session.remove()
    migrate.downgrade(db.engine, "0004")
    with db.engine.begin() as connection:
        metadata = MetaData()
        metadata.reflect(connection)
        filled: dict[str, list[dict]] = {}
        _fill_new_tables(connection, filled)
        attempt = metadata.tables["attempt"]
        connection.execute(attempt.update().where(attempt.c.id == 1).values(
            option_order={"q-first": ["b", "a"], "q-second": ["c", "d", "e"]}, answers={"q-first": ["a"]}, score=50))
    migrate.upgrade(db.engine)
    with db.engine.connect() as connection:
        metadata = MetaData()
        metadata.reflect(connection)
        rows = {r.id: r for r in connection.execute(select(metadata.tables["attempt"]))}
    assert rows[1].drawn == [{"question": "q-first", "options": ["b", "a"]}, {"question": "q-second", "options": ["c", "d", "e"]}]
    assert rows[1].answers == {"q-first": ["a"]} and rows[1].score == 50
    assert len(rows[1].seed) == 32 and rows[1].seed != rows[2].seed


# --- 0010: every report count is the same after the partnership stamps are filled ---------------------

QUARTERS_0009 = (20243, 20244, 20251, 20252)
PARTNERSHIPS_0009 = {1: "york", 2: "north-yorkshire", 3: "london"}
ORGANISATIONS_0009 = {  # id: (home partnership, type)
    1: (1, "local_authority"), 2: (1, "voluntary_sector"), 3: (2, "local_authority"), 4: (2, "police"), 5: (3, "local_authority"), 6: (3, "business"),
}


def _fill_0009(connection) -> None:
    """Partnerships, organisations, people, e-learning passes across quarters and face-to-face sessions, as 0009 stores them."""
    t = MetaData()
    t.reflect(connection)
    t, made, rng = t.tables, dt.datetime(2024, 1, 1), random.Random(10)
    connection.execute(t["partnership"].insert(), [{"id": p, "slug": s, "name": s.title(), "settings": {}, "created_at": made}
                                                   for p, s in PARTNERSHIPS_0009.items()])
    connection.execute(t["organisation"].insert(), [{"id": o, "partnership_id": p, "slug": f"org-{o}", "name": f"Organisation {o}", "type": kind,
                                                     "xapi_shares_email": False, "created_at": made} for o, (p, kind) in ORGANISATIONS_0009.items()])
    people = [{"id": u, "email": f"person{u}@example.org", "full_name": f"Person {u}", "password_hash": "!", "organisation_id": u % 6 + 1,
               "role": "site_admin" if u == 1 else "learner", "active": True, "public_id": f"00000000-0000-4000-8000-{u:012d}", "created_at": made}
              for u in range(1, 25)]
    connection.execute(t["user_account"].insert(), people)
    connection.execute(t["module"].insert(), [{"id": m, "slug": f"module-{m}", "title": f"Module {m}", "priority_area": "", "created_at": made}
                                              for m in (1, 2)])
    passes, sequences = [], Counter()
    for number in range(1, 301):
        person, module = rng.choice(people), rng.choice((1, 2))
        moment = dt.datetime(2024, 10, 1) + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        sequences[(person["id"], module)] += 1
        passes.append({"id": number, "user_id": None if number % 50 == 0 else person["id"], "organisation_id": person["organisation_id"],
                       "module_id": module, "channel": "e-learning", "sequence": sequences[(person["id"], module)], "completed_at": moment,
                       "fy_quarter": fy_quarter(moment)})
    connection.execute(t["completion"].insert(), passes)
    sessions, audience = [], []
    for number in range(1, 31):
        day = dt.date(2024, 10, 1) + dt.timedelta(days=rng.randrange(365))
        delivering = rng.choice([1, 3, 5])
        home = [o for o, (p, _k) in ORGANISATIONS_0009.items() if p == ORGANISATIONS_0009[delivering][0]]
        lines = {o: rng.randint(1, 30) for o in (home if number % 5 else [1, 2, 3, 4])}  # every fifth: a site admin's, for York and North Yorkshire
        sessions.append({"id": number, "module_id": rng.choice((1, 2)), "delivered_on": day, "fy_quarter": fy_quarter(day), "venue": "Hall",
                         "delivering_organisation_id": delivering, "trainer_id": 1 if number % 5 == 0 else None, "attendee_count": sum(lines.values()),
                         "created_at": made, "withdrawn_at": made if number == 7 else None, "withdrawal_reason": "Recorded twice" if number == 7 else ""})
        audience += [{"session_id": number, "organisation_id": o, "attendee_count": n} for o, n in lines.items()]
    connection.execute(t["training_session"].insert(), sessions)
    connection.execute(t["session_audience"].insert(), audience)


COUNTS_0009 = """
SELECT c.organisation_id, c.module_id, 'e-learning', count(*), count(DISTINCT c.user_id) FROM completion c
JOIN organisation o ON o.id = c.organisation_id
WHERE c.fy_quarter = :quarter AND c.channel = 'e-learning' AND (:partnership = 0 OR o.partnership_id = :partnership)
GROUP BY c.organisation_id, c.module_id
UNION ALL
SELECT a.organisation_id, s.module_id, 'face-to-face', count(DISTINCT s.id), sum(a.attendee_count) FROM session_audience a
JOIN training_session s ON s.id = a.session_id JOIN organisation o ON o.id = a.organisation_id
WHERE s.fy_quarter = :quarter AND s.withdrawn_at IS NULL AND (:partnership = 0 OR o.partnership_id = :partnership)
GROUP BY a.organisation_id, s.module_id
"""


def _counts_at_0009(connection) -> dict[tuple[int, int], dict]:
    """Every count the reports showed at 0009, by (partnership or 0 for everything, quarter): the rule then was the home partnership."""
    return {(p, q): {(org, f"module-{module}", channel): (sessions, int(people))
                     for org, module, channel, sessions, people in connection.execute(text(COUNTS_0009), {"quarter": q, "partnership": p})}
            for p in (0, *PARTNERSHIPS_0009) for q in QUARTERS_0009}


def _counts_through_the_reports() -> dict[tuple[int, int], dict]:
    counts = {}
    for p in (0, *PARTNERSHIPS_0009):
        for q in QUARTERS_0009:
            scope = ReportScope("everything") if p == 0 else ReportScope("one", partnership_id=p)
            rows = reports.training_counts(db.session, Period(q, q, "quarter"), scope=scope)
            counts[(p, q)] = {(r.organisation_id, r.module_slug, r.channel): (r.sessions_delivered, r.people_trained) for r in rows}
    db.session.remove()
    return counts


def _assert_stamped_with_the_home_partnership() -> None:
    with db.engine.connect() as connection:
        for table, organisation in (("completion", "organisation_id"), ("training_session", "delivering_organisation_id"),
                                    ("session_audience", "organisation_id")):
            rows = connection.execute(text(f"SELECT x.partnership_id, o.partnership_id FROM {table} x "  # noqa: S608 - names above
                                           f"JOIN organisation o ON o.id = x.{organisation}")).all()
            assert rows and all(stamp == home for stamp, home in rows), f"{table}: a row not stamped with its organisation's home"


def test_does_upgrading_a_populated_database_to_0010_keep_every_report_count(app):
    """Counts by partnership and for everything, four quarters, taken at 0009, are the report's at 0010, and again after down and up."""
    db.session.remove()
    migrate.downgrade(db.engine, "0009")
    with db.engine.begin() as connection:
        _fill_0009(connection)
    with db.engine.connect() as connection:
        before = _counts_at_0009(connection)
    assert sum(len(lines) for lines in before.values()) > 60
    for quarter in QUARTERS_0009:  # each audience line of the site admin's York and North Yorkshire sessions counts in one partnership
        assert before[(0, quarter)] == {k: v for p in PARTNERSHIPS_0009 for k, v in before[(p, quarter)].items()}
    migrate.upgrade(db.engine, "0010")
    _assert_stamped_with_the_home_partnership()
    assert _counts_through_the_reports() == before
    migrate.downgrade(db.engine, "0009")
    with db.engine.connect() as connection:
        assert _counts_at_0009(connection) == before
    migrate.upgrade(db.engine)
    _assert_stamped_with_the_home_partnership()
    assert _counts_through_the_reports() == before
