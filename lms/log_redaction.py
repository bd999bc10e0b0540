"""Request logs without the secrets in emailed links.

A reset, set-password, confirmation or unsubscribe link carries its token in the path, so a request log (Werkzeug's
development server, gunicorn's access log) would write out a usable link. This filter removes the token
from every record those loggers write, and the query (an authorization code and state) of the single
sign-on callback. A proxy in front (nginx) keeps its own access log: see
docs/operations.md for the matching log format.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

from flask import Flask

from lms.services.confirmation import CONFIRM
from lms.services.notices.preferences import UNSUBSCRIBE_PATH
from lms.services.password_reset import RESET, SET_PASSWORD
from lms.services.sso.client import CALLBACK_PATH

REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")
_SECRET_PATH = re.compile("(" + "|".join(re.escape(path) for path in (RESET.path, SET_PASSWORD.path, CONFIRM.path, UNSUBSCRIBE_PATH))
                          + r")[^\s?\"'#]+")
_SSO_CALLBACK_QUERY = re.compile("(" + re.escape(CALLBACK_PATH) + r"\?)[^\s\"'#]+")
REMOVED = "[secret removed]"


def redact(text: str) -> str:
    """The text with the token of every emailed-link path replaced (percent-encoded paths are decoded first)."""
    if "%" in text and (_SECRET_PATH.search(unquote(text)) or _SSO_CALLBACK_QUERY.search(unquote(text))):
        text = unquote(text)
    text = _SECRET_PATH.sub(lambda match: match.group(1) + REMOVED, text)
    return _SSO_CALLBACK_QUERY.sub(lambda match: match.group(1) + REMOVED, text)


class RedactLinkSecrets(logging.Filter):
    """Rewrites a record's message, formatted once, with the link tokens removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def init_app(_app: Flask) -> None:
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactLinkSecrets) for f in logger.filters):
            logger.addFilter(RedactLinkSecrets())
