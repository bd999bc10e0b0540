"""`authoring preview`: one notebook served through the LMS's own pages, rebuilt whenever it is saved.

The preview runs on a throwaway SQLite database with a signed-in preview learner, so trainers see
exactly what learners see. Placeholders show their own names, so trainers can see where local
details will appear.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, flash, redirect, render_template_string, request, url_for
from flask_login import current_user, login_user

from authoring import build
from authoring.placeholders import PLACEHOLDERS
from lms import create_app, migrate
from lms.db import db, write_transaction
from lms.models import Organisation, OrganisationType, Partnership, User
from lms.services.accounts import create_user
from lms.services.publishing import publish

log = logging.getLogger(__name__)
PROBLEMS_PAGE = """{% extends "base.html" %}{% block title %}Problems in the module{% endblock %}{% block content %}
<h1 class="govuk-heading-l">The module has problems</h1>
<p class="govuk-body">Fix these in the notebook and save it; this page reloads the module when you do.</p>
<ul class="govuk-list govuk-list--bullet">{% for problem in problems %}<li>{{ problem }}</li>{% endfor %}</ul>
{% endblock %}"""


@dataclass
class PreviewState:
    """What the preview last built: the notebook's modification time, module id and problems."""

    notebook: Path
    build_dir: Path
    mtime: float = -1.0
    module_id: str = ""
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # shown above every page, so they are seen while previewing
    lock: threading.Lock = field(default_factory=threading.Lock)


def create_preview_app(notebook: Path, workdir: Path | None = None) -> Flask:
    """An LMS app that serves only this notebook, rebuilt on every change."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="lms-preview-"))
    workdir.mkdir(parents=True, exist_ok=True)
    app = create_app({"DATABASE_URL": f"sqlite:///{workdir / 'preview.sqlite3'}", "SECRET_KEY": secrets.token_hex(16),
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False, "SITE_NAME": "Safer Learning preview"})
    state = PreviewState(notebook.resolve(), workdir / "build")
    with app.app_context():
        migrate.upgrade(db.engine)
        _preview_learner()
    app.before_request(lambda: _before_request(state))
    app.add_url_rule("/preview", "preview_home", lambda: _home(state))
    return app


def _preview_learner() -> None:
    """A partnership whose local details are the placeholders' own names, and a learner in it."""
    with write_transaction(db.session):
        partnership = Partnership(slug="preview", name="Preview Partnership", settings={n: f"[{n}: {d}]" for n, d in PLACEHOLDERS.items()})
        db.session.add(partnership)
        db.session.flush()
        organisation = Organisation(slug="preview", name="Preview Organisation", type=OrganisationType.LOCAL_AUTHORITY, partnership_id=partnership.id)
        db.session.add(organisation)
        db.session.flush()
        create_user(db.session, "preview@localhost", "Preview Learner", secrets.token_urlsafe(16), organisation, confirmed=True)


def _before_request(state: PreviewState):
    _rebuild_if_saved(state)
    if not current_user.is_authenticated:
        login_user(db.session.query(User).filter_by(email="preview@localhost").one())
    if request.endpoint in ("static",):
        return None
    if state.problems:
        return render_template_string(PROBLEMS_PAGE, problems=state.problems), 200
    for warning in state.warnings:
        flash(f"Check warns: {warning}", "info")
    return None


def _rebuild_if_saved(state: PreviewState) -> None:
    with state.lock:
        mtime = state.notebook.stat().st_mtime if state.notebook.exists() else 0.0
        if mtime == state.mtime:
            return
        state.mtime = mtime
        report = build([state.notebook], state.build_dir)
        shown = [str(p).replace(str(state.notebook), state.notebook.name) for p in report.problems]  # the file name, not its path
        state.problems = [text for text, p in zip(shown, report.problems, strict=True) if p.is_error]
        state.warnings = [text for text, p in zip(shown, report.problems, strict=True) if not p.is_error]
        if report.built:
            publish(db.session, report.built[0])
            state.module_id = report.built[0].name
            log.info("preview rebuilt %s", state.notebook)


def _home(state: PreviewState):
    return redirect(url_for("learn.module", slug=state.module_id))


def serve_preview(notebook: Path, host: str = "127.0.0.1", port: int = 5001) -> None:
    """Run the preview server until interrupted."""
    app = create_preview_app(notebook)
    print(f"Previewing {notebook} at http://{host}:{port}/preview — save the notebook and reload the page to see changes")  # noqa: T201
    app.run(host=host, port=port, debug=False, use_reloader=False)
