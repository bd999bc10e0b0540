"""Consistent online backups: SQLite's backup API copies a live database page by page, safely.

PostgreSQL has its own tool for this (pg_dump); `POSTGRESQL_ADVICE` says how to use it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine

log = logging.getLogger(__name__)

POSTGRESQL_ADVICE = """This site runs on PostgreSQL: back it up with PostgreSQL's own pg_dump, which takes a
consistent snapshot while the site is in use:

    pg_dump --format=custom --file lms-$(date +%Y%m%d-%H%M).dump "postgresql://USER@HOST/DATABASE"

Restore it into a new, empty database, then point LMS_DATABASE_URL at that database:

    createdb lms_restored && pg_restore --no-owner --dbname "postgresql://USER@HOST/lms_restored" FILE.dump"""


class BackupError(RuntimeError):
    """A backup that could not be taken; the message says why in plain words."""


def backup_sqlite(engine: Engine, out: Path) -> int:
    """Copy the live SQLite database into a new file `out`, check the copy, and return its size in bytes.

    The backup API copies a consistent snapshot even while workers write (it restarts if a page it
    copied changes), so the site need not stop.
    """
    if engine.dialect.name != "sqlite":
        raise BackupError(POSTGRESQL_ADVICE)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:  # created readable by its owner only, like the database it copies
        os.close(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise BackupError(f"{out} already exists: choose a new file name, so no earlier backup is overwritten") from None
    source = engine.raw_connection()
    target = sqlite3.connect(out)
    try:
        source.driver_connection.backup(target, pages=256)
        problems = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if problems != "ok":
        out.unlink()
        raise BackupError(f"the copy failed its integrity check ({problems}); nothing was kept")
    size = out.stat().st_size
    log.info("backed up the database to %s (%d bytes)", out, size)
    return size
