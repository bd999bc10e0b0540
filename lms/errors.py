"""Error pages in plain words: never a traceback for a user."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("There is a problem with the request", "Go back, reload the page and try again."),
    403: ("You do not have access to this page", "If you think you should, ask your organisation's administrator."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Page not found", "Use the links on the site rather than typing the address."),
    413: ("What you sent is too long", "Shorten what you typed in the form (or choose a smaller file), then send it again."),
    414: ("The web address is too long", "Use the links on the site rather than a typed or pasted address."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Your answers and progress that were saved are kept."),
    503: ("Sorry, the service is unavailable", "Try again in a few minutes. Your answers and progress that were saved are kept."),
}


def _own_advice(error: HTTPException) -> str | None:
    """What the view said when it refused (`abort(400, "...")`), in place of Werkzeug's generic English."""
    said = error.description
    return said if isinstance(said, str) and said and said != type(error).description else None


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("error.html", title="Your session has expired",
                               advice="Go back, reload the page, and send the form again."), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        title, advice = MESSAGES.get(code) or MESSAGES[400 if code < 500 else 500]  # never Werkzeug's English name
        return render_template("error.html", title=title, advice=_own_advice(error) or advice), code

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        """The database cannot be reached (down, restarting, out of connections): 503, which balancers and people read as 'for now'."""
        log.exception("the database could not be used")
        title, advice = MESSAGES[503]
        return render_template("error.html", title=title, advice=advice), 503

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unhandled error")
        title, advice = MESSAGES[500]
        return render_template("error.html", title=title, advice=advice), 500
