"""Serving module images from the database, so any app server can answer."""

from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_login import login_required
from sqlalchemy import select

from authoring.assets import asset_problem, media_type
from lms.db import db
from lms.models import ModuleAsset

blueprint = Blueprint("content", __name__)
# Even opened on its own, a file can run nothing, load nothing and reach no cookies: a sandbox with no origin.
ASSET_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"


@blueprint.route("/content/<int:version_id>/assets/<path:name>")
@login_required
def asset(version_id: int, name: str) -> Response:
    """A stored image, typed by its bytes; anything that is not a safe image (planted in the database) is not served."""
    found = db.session.scalar(select(ModuleAsset).where(ModuleAsset.version_id == version_id, ModuleAsset.name == name))
    if found is None or asset_problem(found.data):
        abort(404)
    response = Response(found.data, mimetype=media_type(found.data))
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"  # versions never change
    response.headers["Content-Security-Policy"] = ASSET_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response
