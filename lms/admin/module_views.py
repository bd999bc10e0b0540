"""Modules due for review: site admins see every published module whose review-by date is near or past."""

from __future__ import annotations

from flask import render_template

from lms.admin.views import blueprint
from lms.db import db
from lms.models import Role, utcnow
from lms.permissions import roles_required
from lms.services import module_review
from lms.services.periods import uk_date


@blueprint.route("/modules/review")
@roles_required(Role.SITE_ADMIN)
def review_modules():
    today = uk_date(utcnow())
    return render_template("admin/modules_review.html", due=module_review.due_for_review(db.session, today), today=today,
                           window_days=module_review.REVIEW_LIST_WINDOW.days)
