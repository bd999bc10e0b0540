"""On PostgreSQL, a request's reads run outside a database transaction; its writes, in write_transaction.

Every write in lms/ goes through `write_transaction` (nothing else commits), which ends whatever the
request had open and takes a connection in a real transaction, so writes stay atomic and locks taken
with SELECT ... FOR UPDATE are held until its commit. Everything a request reads before or after
that needs no transaction of its own: PostgreSQL's default isolation, read committed, gives every
statement its own snapshot even inside one, so reading statement by statement sees exactly what it
saw before, and saves BEGIN and ROLLBACK, two round trips per page. A lesson page then costs its two
queries; a submission its reads and one write transaction. SQLite keeps its transaction: BEGIN costs
no round trip there, and a read transaction is what gives a page's reads one snapshot.

Nothing is connected until the request's first query, so pages that read nothing (the site's
information pages, sign-in, not found) still answer while the database is down. While reading this
way the session does not autoflush: a change made to a loaded object outside `write_transaction` is
still thrown away at the end of the request, as it was inside a transaction that was rolled back.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from lms.db import db, outside_transaction

READ_ONLY = "lms_read_outside_transaction"  # in Session.info: reads before the first write need no transaction


def _read_outside_transactions() -> None:
    if outside_transaction(db.engine):
        session = db.session()
        if not session.in_transaction():  # a test holding the app context open between requests keeps its own
            session.info[READ_ONLY] = True


def _connect_for_reading(state: ORMExecuteState) -> None:
    """At the request's first query, take the connection outside a transaction (once per request)."""
    session = state.session
    if session.info.pop(READ_ONLY, False) and not session.in_transaction():
        session.autoflush = False  # write_transaction turns it back on
        session.connection(execution_options=outside_transaction(session.get_bind()))


def init_app(app: Flask) -> None:
    """First of the request hooks: Flask-Login's user loader and every view read in this mode."""
    app.before_request_funcs.setdefault(None, []).insert(0, _read_outside_transactions)
    if not event.contains(Session, "do_orm_execute", _connect_for_reading):
        event.listen(Session, "do_orm_execute", _connect_for_reading)
