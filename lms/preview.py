"""`authoring preview`: one notebook served through the LMS's own pages, rebuilt whenever it is saved.

The preview runs on a throwaway SQLite database with a signed-in preview learner, so trainers see
exactly what learners see. Placeholders show their own names, so trainers can see where local
details will appear. Every page also carries a preview box (check's warnings, a link to the outline)
and a same-origin script, preview-reload.js, that asks /preview/changed every second and reloads the
page once the notebook is saved; without JavaScript the box says to reload after saving. None of
this exists in the real LMS: only this app adds the box, the script tag and the endpoints, and the script
lives beside the preview's templates (templates/preview/static), not in the LMS's static folder.

The preview signs its visitor in on its own, so it answers only requests addressed to this computer
(Host 127.0.0.1, localhost or [::1], any port): a web page whose name an attacker points at 127.0.0.1
(DNS rebinding) sends its own name as Host and gets a plain 400, never the unpublished module.
"""

from __future__ import annotations

import logging
import re
import secrets
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, Response, jsonify, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_user
from markupsafe import escape

from authoring import build, load
from authoring.outline import PageOutline, outline
from authoring.placeholders import PLACEHOLDERS
from authoring.vocabulary import for_notebook, using
from lms import create_app, migrate
from lms.db import db, write_transaction
from lms.models import Organisation, OrganisationType, Partnership, User
from lms.services.accounts import create_user
from lms.services.bundles import PublishError
from lms.services.publishing import publish

log = logging.getLogger(__name__)
MAIN_OPENS = '<main class="govuk-main-wrapper" id="main-content">'  # base.html's; the preview box goes straight inside it
OWN_ENDPOINTS = ("static", "preview_changed", "preview_script")  # answered even while the module has problems
SCRIPT_FOLDER = Path(__file__).parent / "templates" / "preview" / "static"  # packaged with the templates; the LMS never serves it
LOCAL_HOST = re.compile(r"(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?", re.IGNORECASE | re.ASCII)


@dataclass
class PreviewState:
    """What the preview last built: the notebook's modification time, module id, outline and problems."""

    notebook: Path
    build_dir: Path
    mtime: float = -1.0
    module_id: str = ""
    title: str = ""
    outline: list[PageOutline] = field(default_factory=list)
    assessment_last: bool = False  # the last page is the assessment, served at /modules/<id>/assessment
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # shown on every page, so they are seen while previewing
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
    app.after_request(lambda response: _add_preview_box(state, response))
    app.add_url_rule("/preview", "preview_home", lambda: _home(state))
    app.add_url_rule("/preview/changed", "preview_changed", lambda: _changed(state))
    app.add_url_rule("/preview/static/preview-reload.js", "preview_script",
                     lambda: send_from_directory(SCRIPT_FOLDER, "preview-reload.js", mimetype="text/javascript"))
    app.wsgi_app = _local_hosts_only(app.wsgi_app)  # outermost: nothing of the app runs for another Host
    return app


def is_local_host(host: str) -> bool:
    """Whether a Host header names this computer: 127.0.0.1, localhost or [::1], with or without a port."""
    return LOCAL_HOST.fullmatch(host) is not None


def _local_hosts_only(wsgi_app):
    """Refuse, with a plain 400, any request whose Host is not this computer (DNS rebinding)."""
    def guarded(environ, start_response):
        if not is_local_host(environ.get("HTTP_HOST", "")):
            body = b"400 Bad Request: the preview answers only http://127.0.0.1 or http://localhost on this computer.\n"
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                                               ("Cache-Control", "no-store")])
            return [body]
        return wsgi_app(environ, start_response)
    return guarded


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
    if request.endpoint in OWN_ENDPOINTS:
        return None
    _rebuild_if_saved(state)
    if not current_user.is_authenticated:
        login_user(db.session.query(User).filter_by(email="preview@localhost").one())
    if state.problems:
        return render_template("preview/problems.html", state=state), 200
    return None


def _rebuild_if_saved(state: PreviewState) -> None:
    with state.lock:
        mtime = _mtime(state.notebook)
        if mtime == state.mtime:
            return
        state.mtime = mtime
        report = build([state.notebook], state.build_dir, force=True)  # forced: an unchanged save still reports its warnings
        shown = [str(p).replace(str(state.notebook), state.notebook.name) for p in report.problems]  # the file name, not its path
        state.problems = [text for text, p in zip(shown, report.problems, strict=True) if p.is_error]
        state.warnings = [text for text, p in zip(shown, report.problems, strict=True) if not p.is_error]
        if state.notebook.exists():
            module = load(state.notebook)
            state.title, state.outline = module.settings.title, outline(module)
            state.assessment_last = any(q.scored for q in module.questions)
        if report.built:
            _publish(state, report.built[0])


def _publish(state: PreviewState, bundle: Path) -> None:
    """Publish the built module into the preview's database; a refusal is shown as a problem page, never a server error."""
    try:
        with using(for_notebook(state.notebook)):
            publish(db.session, bundle)
    except PublishError as error:
        shown = str(error).replace(str(state.build_dir), "the built module").replace(str(state.notebook), state.notebook.name)
        state.problems = [f"{state.notebook.name}: check and build accept it, but the LMS could not publish it: {shown}. "
                          "Please report this (it is a fault in authoring); meanwhile change the part named and save"]
        log.warning("preview could not publish %s: %s", state.notebook, error)
        return
    state.module_id = bundle.name
    log.info("preview rebuilt %s", state.notebook)


def _mtime(notebook: Path) -> float:
    return notebook.stat().st_mtime if notebook.exists() else 0.0


def _home(state: PreviewState):
    return render_template("preview/home.html", state=state)


def _changed(state: PreviewState):
    """Whether the notebook was saved since the page asking was built: preview-reload.js reloads when it was."""
    try:
        since = float(request.args.get("since", ""))
    except ValueError:
        return jsonify(error="give ?since= the mtime the page was built from"), 400
    mtime = _mtime(state.notebook)
    response = jsonify(changed=mtime != since, mtime=repr(mtime))
    response.headers["Cache-Control"] = "no-store"
    return response


def _add_preview_box(state: PreviewState, response: Response) -> Response:
    """Put the preview box at the top of every page and, on pages fetched with GET, the reload script."""
    if response.mimetype != "text/html" or response.direct_passthrough or 300 <= response.status_code < 400:
        return response
    page = response.get_data(as_text=True)
    if MAIN_OPENS not in page:
        return response
    box = render_template("preview/_status.html", state=state)
    if request.method == "GET":  # reloading a page that answered a form would send the form again
        box += (f'<script src="{url_for("preview_script")}" data-since="{escape(repr(state.mtime))}" '
                f'data-changed-url="{url_for("preview_changed")}" defer></script>')
    response.set_data(page.replace(MAIN_OPENS, MAIN_OPENS + box, 1))
    return response


def serve_preview(notebook: Path, host: str = "127.0.0.1", port: int = 5001) -> None:
    """Run the preview server until interrupted."""
    app = create_preview_app(notebook)
    print(f"Previewing {notebook} at http://{host}:{port}/preview — the page reloads itself when you save the notebook")  # noqa: T201
    app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)
