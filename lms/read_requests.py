"""Requests that only read run their queries outside a database transaction.

A GET or HEAD page reads a few rows and writes nothing, or hands its one write to `write_transaction`
(every write in lms/ goes through it: nothing else commits). In a transaction each such page also pays
for BEGIN and ROLLBACK, two more round trips to PostgreSQL per page. PostgreSQL's default isolation,
read committed, gives every statement its own snapshot even inside a transaction, so reading
statement by statement sees exactly what it saw before. `write_transaction` commits this read phase
and takes a new connection in a real transaction, so writes stay atomic and locks taken with
SELECT ... FOR UPDATE are held until its commit.
"""

from __future__ import annotations

from flask import Flask, request

from lms.db import db, outside_transaction

SAFE_METHODS = frozenset({"GET", "HEAD"})
NO_SESSION = frozenset({"static", "health.healthz"})  # these never read through the request's session


def _read_outside_a_transaction() -> None:
    # A session already in a transaction (a test holding the app context open between requests) keeps it.
    if request.method in SAFE_METHODS and request.endpoint not in NO_SESSION and not db.session().in_transaction():
        db.session.connection(execution_options=outside_transaction(db.engine))


def init_app(app: Flask) -> None:
    """First of the request hooks: Flask-Login's user loader and every view read in this mode."""
    app.before_request_funcs.setdefault(None, []).insert(0, _read_outside_a_transaction)
