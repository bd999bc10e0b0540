"""The database engine and session: SQLite tuned for concurrent workers, or PostgreSQL by URL."""

from __future__ import annotations

import logging
import os
import select as io_select
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import Engine, create_engine, event, exc, make_url
from sqlalchemy.orm import Session, scoped_session, sessionmaker

IMMEDIATE = "lms_begin_immediate"
PRIVATE = 0o600  # the database holds personal data: only the site's own user may read it
POOLERS = ("", "session", "transaction")  # what LMS_DATABASE_POOLER may say sits between the app and PostgreSQL
log = logging.getLogger(__name__)


def make_engine(url: str, pooler: str = "", **options: Any) -> Engine:
    """An engine for the URL; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs.

    `pooler` is "transaction" when PostgreSQL is reached through PgBouncer in transaction pooling mode.
    """
    connect_args = pooler_connect_args(url, pooler)
    if not url.startswith("sqlite"):
        engine = create_engine(url, connect_args=connect_args, **options)
        # Instead of pool_pre_ping's round trip on every checkout: a connection the server has closed
        # (restart, failover, terminated backend) is replaced before a request can use it.
        event.listen(engine, "checkout", _refuse_closed_connection)
        return engine
    _make_private(url)
    engine = create_engine(url, connect_args={"timeout": 10}, **options)

    @event.listens_for(engine, "connect")
    def _tune(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN itself
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=10000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A write that first reads must take the write lock up front, or WAL refuses it under contention.
        immediate = connection.get_execution_options().get(IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def pooler_connect_args(url: str, pooler: str) -> dict[str, Any]:
    """The driver's arguments for the pooler in front of PostgreSQL.

    psycopg 3 prepares a statement on the server once a connection has run it 5 times, and then runs
    it by name. Behind a pooler in transaction mode the next transaction may get another server
    connection, where that name means nothing ("prepared statement ... does not exist") or another
    statement ("... already exists"), so preparing is turned off. Other drivers do not prepare.
    """
    if pooler not in POOLERS:
        raise ValueError(f"LMS_DATABASE_POOLER is {pooler!r}: leave it empty, or set it to 'transaction' "
                         "when PgBouncer in transaction pooling mode sits in front of PostgreSQL")
    if pooler == "transaction" and make_url(url).get_dialect().driver == "psycopg":
        return {"prepare_threshold": None}
    return {}


def _make_private(url: str) -> None:
    """Create the SQLite file readable by its owner only, or tighten one that is looser, before SQLite opens it.

    SQLite creates the -wal and -shm files with the database file's permissions, so they follow; ones
    left from before with looser permissions are tightened too.
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:") or "mode=memory" in url:
        return
    try:
        os.close(os.open(database, os.O_RDONLY | os.O_CREAT, PRIVATE))
    except OSError:
        return  # a folder that does not exist or cannot be written: SQLite's own error says so
    for path in (database, f"{database}-wal", f"{database}-shm", f"{database}-journal"):
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
            if mode & 0o077:
                os.chmod(path, PRIVATE)
                log.warning("%s could be read by other users (mode %04o): changed to %04o", path, mode, PRIVATE)
        except FileNotFoundError:
            continue
        except OSError as error:  # owned by another user: say so, and let the site start
            log.warning("could not make %s readable by its owner only: %s", path, error)


def closed_by_server(dbapi_connection: Any) -> bool:
    """Whether a pooled, idle connection was closed by the server: its socket is then readable (EOF or a
    FATAL message). A local poll() of the socket, without the round trip that a "SELECT 1" ping costs."""
    if getattr(dbapi_connection, "closed", False):
        return True
    poller = io_select.poll()  # poll, not select: no limit on the descriptor's number
    poller.register(dbapi_connection.fileno(), io_select.POLLIN)
    return bool(poller.poll(0))


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    if closed_by_server(dbapi_connection):
        raise exc.DisconnectionError("the database server closed this connection")  # the pool then opens a new one


def outside_transaction(engine: Engine) -> dict[str, Any]:
    """Execution options for reads outside a transaction, or {} where they are not worth it.

    PostgreSQL: SQLAlchemy's AUTOCOMMIT level (psycopg then sends no BEGIN, and ROLLBACK costs nothing).
    SQLite: none. BEGIN is no round trip there, a read transaction gives the page one snapshot, and
    SQLAlchemy's isolation switch would leave sqlite3 in its implicit-transaction mode afterwards.
    """
    return {} if engine.dialect.name == "sqlite" else {"isolation_level": "AUTOCOMMIT"}


class Database:
    """One engine and a request-scoped session, bound to the app in `init_app`."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session = scoped_session(sessionmaker(expire_on_commit=False))

    def init_app(self, app: Flask) -> None:
        if self.engine is not None:
            self.engine.dispose()
        self.session.remove()
        self.engine = make_engine(app.config["DATABASE_URL"], pooler=app.config.get("DATABASE_POOLER") or "")
        self.session.configure(bind=self.engine)
        app.extensions["lms_db"] = self
        app.teardown_appcontext(lambda _exc: self.session.remove())


db = Database()


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """A transaction that will write: committed on success, rolled back on error.

    Any read-only transaction already open is ended first, so that on SQLite the write lock is
    taken at BEGIN (BEGIN IMMEDIATE) instead of failing half way under concurrent writers.
    """
    if isinstance(session, scoped_session):
        session = session()
    session.autoflush = True  # off while a request read outside a transaction (lms.read_requests)
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={IMMEDIATE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
