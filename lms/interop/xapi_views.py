"""The site admin's view of the xAPI outbox: how many statements wait, which the LRS refused for good and
why, and sending those again (GET asks first, POST acts, as every other admin action)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms.admin.views import _confirm_page
from lms.db import db
from lms.interop.views import blueprint
from lms.models import XapiOutbox
from lms.permissions import can_see_xapi_outbox
from lms.services import xapi


def _site_admin_only() -> None:
    if not can_see_xapi_outbox(current_user):
        abort(403)


@blueprint.route("/admin/xapi")
@login_required
def xapi_outbox():
    _site_admin_only()
    dead = xapi.dead_letters(db.session)
    return render_template("interop/xapi_outbox.html", status=xapi.outbox_status(db.session), dead=dead,
                           described={row.id: xapi.describe(row.body) for row in dead}, problem=xapi.namespace_problem(db.session),
                           endpoint=str(current_app.config.get("XAPI_ENDPOINT") or "").strip(), older_per_run=xapi.OLDER_PER_RUN)


def _chosen(value: str | None) -> XapiOutbox | None:
    """The dead-lettered statement a retry names, if it names one; 404 for one that is not dead-lettered."""
    if not value:
        return None
    row = db.session.scalar(select(XapiOutbox).where(XapiOutbox.statement_id == value)) if xapi.is_statement_id(value) else None
    if row is None or row.dead_at is None:
        abort(404)
    return row


@blueprint.route("/admin/xapi/retry", methods=["GET", "POST"])
@login_required
def retry_xapi():
    """GET asks 'send again?' for one statement (?statement=<id>) or all dead-lettered ones; POST puts them back in the queue."""
    _site_admin_only()
    back = url_for("interop.xapi_outbox")
    chosen = _chosen(request.values.get("statement"))
    count = 1 if chosen else xapi.outbox_status(db.session).dead
    if count == 0:
        flash("No statements are dead-lettered: there is nothing to send again.", "info")
        return redirect(back)
    if request.method == "GET":
        what = f"the statement {chosen.statement_id} ({xapi.describe(chosen.body)})" if chosen else (
            f"all {count} dead-lettered statements" if count > 1 else "the dead-lettered statement")
        return _confirm_page(f"Send {what} again?", "Send again", back, caption="Statements for the learning record store",
                             explain=("Do this once the cause the LRS gave has been fixed. The next run of the sender (lms xapi send) "
                                      "tries again; if the LRS refuses again, it comes back to this list.",),
                             hidden={"statement": chosen.statement_id} if chosen else {}, warning=False)
    if not FlaskForm().validate_on_submit():
        abort(400)
    retried = xapi.retry_dead(db.session, current_user.id, chosen.statement_id if chosen else None, via="web")
    flash(f"{retried} {'statement' if retried == 1 else 'statements'} will be sent again by the next run of the sender.", "success")
    return redirect(back)
