"""Is the SQLite database readable by the site's own user only: the database, its WAL and SHM files
(which SQLite creates with the database file's permissions), and every backup of it?"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from lms.db import make_engine
from lms.services.backup import backup_sqlite


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask (022), under which files are created readable by everyone unless the code says otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _write(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    with engine.connect() as connection:  # keep a connection open so the WAL and SHM files exist
        connection.execute(text("SELECT x FROM t")).all()
        files = {name: _mode(path.with_name(path.name + name)) for name in ("", "-wal", "-shm")}
    engine.dispose()
    assert files == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


def test_are_a_new_database_and_its_wal_and_shm_files_readable_by_their_owner_only(tmp_path, open_umask):
    _write(tmp_path / "lms.sqlite3")


def test_is_an_existing_database_with_looser_permissions_tightened_on_start(tmp_path, open_umask, caplog):
    path = tmp_path / "lms.sqlite3"
    for name in ("", "-wal", "-shm"):
        path.with_name(path.name + name).touch(mode=0o644)
        os.chmod(path.with_name(path.name + name), 0o644)
    with caplog.at_level(logging.WARNING, logger="lms.db"):
        _write(path)
    assert any("0600" in record.getMessage() and str(path) in record.getMessage() for record in caplog.records)


def test_is_a_backup_readable_by_its_owner_only(tmp_path, open_umask):
    source = tmp_path / "lms.sqlite3"
    _write(source)
    engine = make_engine(f"sqlite:///{source}")
    out = tmp_path / "backups" / "copy.sqlite3"
    assert backup_sqlite(engine, out) > 0
    engine.dispose()
    assert _mode(out) == 0o600
