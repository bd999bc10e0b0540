"""Serving module images from the database, so any app server can answer."""

from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_login import login_required
from sqlalchemy import select

from lms.db import db
from lms.models import ModuleAsset

blueprint = Blueprint("content", __name__)


@blueprint.route("/content/<int:version_id>/assets/<path:name>")
@login_required
def asset(version_id: int, name: str) -> Response:
    found = db.session.scalar(select(ModuleAsset).where(ModuleAsset.version_id == version_id, ModuleAsset.name == name))
    if found is None:
        abort(404)
    response = Response(found.data, mimetype=found.media_type)
    # Versions never change, so the browser may keep the file; SVGs cannot run script as an image.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
