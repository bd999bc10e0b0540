"""`/healthz`: what a load balancer asks before it sends a server requests.

It answers 200 only when this server can reach the database and the schema there is not older than
this code expects. A schema this code does not know is taken to be newer (the "expand" step of a
rolling deployment has run before the old servers were replaced) and is healthy: old code must keep
working on an expanded schema. Nothing about the error is shown, only logged: the endpoint is public.
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
    """"current", "newer" (unknown here: expanded for the next release) or "behind" (needs `lms db upgrade`)."""
    head, known = _known_revisions()
    if revision == head:
        return "current"
    return "behind" if revision is None or revision in known else "newer"


@blueprint.route("/healthz")
def healthz():
    try:
        with db.engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        log.exception("health check: the database did not answer")
        return jsonify(status="unavailable", database="unreachable"), 503
    state = schema_state(revision)
    if state == "behind":
        log.error("health check: the database schema (%s) is older than this code; run `lms db upgrade`", revision)
        return jsonify(status="unavailable", database="ok", schema=state), 503
    return jsonify(status="ok", database="ok", schema=state)
