"""Request size limits: over-large input is refused at once (413 or 414), before anything costly reads it.

Werkzeug 3.1 applies MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS to multipart forms only, and reads a
whole url-encoded form (or any other body) up to MAX_CONTENT_LENGTH, so a 4 MB email field would reach
the validators. Here any body that is not a file upload has the much smaller MAX_FORM_SIZE, and the query
string has MAX_QUERY_LENGTH. The numbers themselves are set in lms.config.
"""

from __future__ import annotations

from flask import Flask, Request, abort, current_app, request


class LimitedRequest(Request):
    """A request whose body may be as large as MAX_CONTENT_LENGTH only when it is a file upload."""

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if self.mimetype == "multipart/form-data" or not current_app:
            return limit
        small = current_app.config.get("MAX_FORM_SIZE")
        return small if limit is None or (small is not None and small < limit) else limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def _refuse_long_query() -> None:
    """A web address longer than any link the site makes: 414, before a view parses it."""
    limit = current_app.config.get("MAX_QUERY_LENGTH")
    if limit is not None and len(request.query_string) > limit:
        abort(414)


NUL_REFUSED = "What you sent contains a character that cannot be stored (a NUL byte). Remove it and try again."


def _refuse_nul() -> None:
    """No text we keep may hold a NUL byte: PostgreSQL cannot store one, so refuse it in the address or a form
    field (not in uploaded files, which are checked by what reads them) with a 400 that says why."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH"):
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in value for value in values):
        abort(400, NUL_REFUSED)


def init_app(app: Flask) -> None:
    app.request_class = LimitedRequest
    checks = app.before_request_funcs.setdefault(None, [])
    checks[:0] = [_refuse_long_query, _refuse_nul]  # before CSRFProtect reads the form
