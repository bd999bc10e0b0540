"""Safer Learning LMS: the Flask application factory."""

from __future__ import annotations

import logging
import os

from flask import Flask

from lms import limits, parsing, read_requests
from lms.config import configure
from lms.db import db
from lms.extensions import csrf, login_manager


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, database, security, then one blueprint per area."""
    app = Flask(__name__, instance_path=os.environ.get("LMS_INSTANCE_PATH") or None, instance_relative_config=True)
    configure(app, test_config)
    logging.basicConfig(level=app.config.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limits.init_app(app)
    read_requests.init_app(app)
    parsing.init_app(app)  # before any blueprint adds an <int:...> route

    from lms import commands, errors, jobs, log_redaction, security, signing_in, templating
    from lms.admin.views import blueprint as admin
    from lms.auth.views import blueprint as auth
    from lms.certificates.views import blueprint as certificates
    from lms.content.views import blueprint as content
    from lms.health import blueprint as health
    from lms.interop.views import blueprint as interop
    from lms.learn.views import blueprint as learn
    from lms.notices.views import blueprint as notices
    from lms.reports.views import api as reports_api
    from lms.reports.views import blueprint as reports
    from lms.site_pages.views import blueprint as site_pages

    security.init_app(app)
    log_redaction.init_app(app)
    signing_in.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    commands.init_app(app)
    jobs.init_app(app)
    for blueprint in (health, auth, learn, content, certificates, admin, reports, reports_api, interop, site_pages, notices):
        app.register_blueprint(blueprint)
    return app
