"""`/healthz`: what a load balancer asks before it sends a server requests.

It answers 200 only when this server can reach the database and the schema there is not older than
this code expects. A later revision number than this code's newest is taken to be newer (the "expand"
step of a rolling deployment has run before the old servers were replaced) and is healthy: old code
must keep working on an expanded schema. A revision that is not one of ours at all is not. Nothing
about the error is shown, only logged: the endpoint is public.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from alembic.script import ScriptDirectory
from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lms import migrate
from lms.db import db

blueprint = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _known_revisions() -> tuple[str, tuple[str, ...]]:
    """(this code's head, every revision this code has), read once per process from the migration scripts."""
    scripts = ScriptDirectory.from_config(migrate._config())
    return scripts.get_current_head(), tuple(script.revision for script in scripts.walk_revisions())


def schema_state(revision: str | None) -> str:
    """"current"; "behind" (needs `lms db upgrade`); "newer" (a later number than this code's newest: the
    next release's expand step has run); or "unknown" (not one of ours: a wrong database, or a branch's)."""
    head, known = _known_revisions()
    if revision == head:
        return "current"
    if revision is None or revision in known:
        return "behind"
    later = revision.isdigit() and head.isdigit() and len(revision) == len(head) and revision > head
    return "newer" if later else "unknown"


def _unavailable(**details: str):
    return _no_store(jsonify(status="unavailable", **details), 503)


def _no_store(response, status: int = 200):
    response.headers["Cache-Control"] = "no-store"  # a proxy must never answer for the server
    return response, status


@blueprint.route("/healthz")
def healthz():
    try:
        with db.engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        log.exception("health check: the database did not answer")
        return _unavailable(database="unreachable")
    try:
        state = schema_state(revision)
    except Exception:  # the migration scripts themselves cannot be read: this server's install is broken
        log.exception("health check: this server cannot read its own migration scripts")
        return _unavailable(database="ok", schema="unreadable")
    if state in ("behind", "unknown"):
        log.error("health check: the database schema is %r, %s; this code's newest is %r", revision,
                  "older than this code: run `lms db upgrade`" if state == "behind" else "not one this code knows: check LMS_DATABASE_URL",
                  _known_revisions()[0])
        return _unavailable(database="ok", schema=state)
    return _no_store(jsonify(status="ok", database="ok", schema=state))
