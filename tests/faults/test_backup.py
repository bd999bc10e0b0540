"""Can a backup taken while the site is in use be restored into a new instance with the same report numbers?"""

from __future__ import annotations

import shutil
import threading
from urllib.parse import parse_qs

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import create_app, migrate
from lms.db import db, make_engine, write_transaction
from lms.models import AuditEvent, Completion, User
from lms.services import completions
from lms.services.periods import current_period
from lms.services.reports import training_counts
from tests.faults.conftest import learners_of_new_organisation

WRITES = 5_000  # the busy writer's upper bound; it normally stops as soon as the backup is done


def _pass_all(learners) -> None:
    for learner in learners:
        form = {name: values for name, values in parse_qs(learner.passing_form).items() if name != "csrf_token"}
        completions.submit_attempt(db.session, learner.attempt_id, db.session.get(User, learner.user_id), form)


def test_is_a_backup_taken_under_writes_restored_with_the_same_counts(sqlite_app, tmp_path):
    _pass_all(learners_of_new_organisation(sqlite_app, 12))
    _pass_all(learners_of_new_organisation(sqlite_app, 5))
    period = current_period()
    counts = training_counts(db.session, period)
    assert sum(row.people_trained for row in counts) == 17
    db.session.commit()

    stop, written = threading.Event(), []
    writer_engine = make_engine(sqlite_app.config["DATABASE_URL"])

    def keep_writing() -> None:
        """Another process's worth of writes (audit events) while the backup runs."""
        with Session(writer_engine) as session:
            for number in range(WRITES):
                if stop.is_set():
                    break
                with write_transaction(session):
                    session.add(AuditEvent(action="test.busy", subject=f"write {number}"))
                written.append(number)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    out = tmp_path / "backups" / "lms-backup.sqlite3"
    try:
        result = sqlite_app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    finally:
        stop.set()
        writer.join(timeout=30)
        writer_engine.dispose()
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output
    assert written, "the writer never wrote while the backup ran"

    # Restore as docs/operations.md says: the copy becomes a new instance's database file.
    instance = tmp_path / "restored"
    instance.mkdir()
    shutil.copyfile(out, instance / "lms.sqlite3")
    restored = create_app({"DATABASE_URL": f"sqlite:///{instance / 'lms.sqlite3'}", "SECRET_KEY": "restored", "TESTING": True})
    with restored.app_context():
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        assert training_counts(db.session, period) == counts
        assert db.session.scalar(select(func.count(Completion.id))) == 17
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "test.busy")) <= len(written)
        db.session.remove()


def test_does_a_backup_refuse_to_overwrite_an_earlier_one(sqlite_app, tmp_path):
    earlier = tmp_path / "earlier.sqlite3"
    earlier.write_bytes(b"an earlier backup")
    result = sqlite_app.test_cli_runner().invoke(args=["backup", "--out", str(earlier)])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert earlier.read_bytes() == b"an earlier backup"


def test_is_a_postgresql_site_told_to_use_pg_dump(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": "postgresql+psycopg://lms@127.0.0.1:9/not-contacted", "SECRET_KEY": "x", "TESTING": True})
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "x.sqlite3")])
    assert result.exit_code != 0
    assert "pg_dump --format=custom" in result.output and "pg_restore" in result.output
    assert not (tmp_path / "x.sqlite3").exists()
