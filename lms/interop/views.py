"""The trainers' SCORM download: a module's current version as a package for another LMS."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

from lms.db import db
from lms.permissions import can_download_packages
from lms.services.interop import scorm_download

blueprint = Blueprint("interop", __name__, template_folder="templates")


@blueprint.route("/modules/<slug>/scorm.zip")
@login_required
def scorm_package(slug: str) -> Response:
    # The package holds the answer key, so only trainers see it; anyone else gets 'not found'.
    if not can_download_packages(current_user):
        abort(404)
    try:
        download = scorm_download(db.session, slug, current_user.organisation.partnership, current_user.id)
    except ValueError as refusal:  # what SCORM 1.2 cannot hold, said by build_package
        return render_template("error.html", title="This module cannot be made into a SCORM package",
                               advice=f"{refusal}. Change the notebook and publish it again."), 422
    if download is None:
        abort(404)
    response = Response(download.data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


from lms.interop import xapi_views  # noqa: E402,F401 - the xAPI outbox pages, on this blueprint
