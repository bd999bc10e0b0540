"""Do the migrations build exactly the schema the models describe, and run both ways?"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms import migrate
from lms.db import db
from lms.models import Base


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
