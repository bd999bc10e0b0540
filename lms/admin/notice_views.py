"""The site admin's view of the notice outbox: how many reminder and digest emails are in each state, the
ones that need a person (refused until the last try, or interrupted mid-send) and why, and sending them
again (GET asks first, POST acts, as every other admin action)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from lms import jobs
from lms.admin.views import _confirm_page, blueprint
from lms.db import db
from lms.models import Notice
from lms.parsing import parse_id
from lms.permissions import can_see_notice_outbox
from lms.services.notices import attention, outbox
from lms.services.notices.outbox import MAX_TRIES

CAPTION = "Emails about training"


def _site_admin_only() -> None:
    if not can_see_notice_outbox(current_user):
        abort(403)


@blueprint.route("/notices")
@login_required
def notices():
    _site_admin_only()
    return render_template("admin/notices.html", counts=attention.outbox_counts(db.session),
                           waiting=attention.needing_attention(db.session), max_tries=MAX_TRIES,
                           kind_name=attention.kind_name, mail_sends=outbox.mail_sends(), stale_days=outbox.STALE_AFTER.days)


def _chosen(value: str | None) -> Notice | None:
    """The failed or interrupted notice a request names, if it names one; 404 for any other."""
    if not value:
        return None
    notice_id = parse_id(value)
    notice = attention.attention_notice(db.session, notice_id) if notice_id else None
    return notice or abort(404)


def _question(chosen: Notice | None, failed: int) -> tuple[str, tuple[str, ...]]:
    """The heading and explanation of the 'send again?' page."""
    if chosen is None:
        return (f"Send all {failed} failed emails again?" if failed > 1 else "Send the failed email again?",
                ("Do this once the cause the mail server gave has been fixed, such as its settings or a person's address. "
                 "Emails a worker was interrupted sending are not included: send each of those on its own.",))
    heading = f"Send “{chosen.email_subject}” to {chosen.user.full_name} again?"
    if chosen.status == "interrupted":
        return heading, ("A worker stopped while sending this email, so it may have arrived already. "
                         "Sending it again could give them a second copy.", f"It goes to {chosen.user.email}.")
    return heading, (f"It goes to {chosen.user.email}. If that address is wrong, change it first.",)


@blueprint.route("/notices/send-again", methods=["GET", "POST"])
@login_required
def send_notice_again():
    """GET asks 'send again?' for one notice (?notice=<id>) or every failed one; POST makes them due now."""
    _site_admin_only()
    back = url_for("admin.notices")
    chosen = _chosen(request.values.get("notice"))
    failed = attention.outbox_counts(db.session)["failed"]
    if chosen is None and failed == 0:
        flash("No emails have failed: there is nothing to send again.", "info")
        return redirect(back)
    if request.method == "GET":
        heading, explain = _question(chosen, failed)
        return _confirm_page(heading, "Send again", back, caption=CAPTION, explain=explain,
                             hidden={"notice": str(chosen.id)} if chosen else {}, warning=chosen is not None and chosen.status == "interrupted")
    if not FlaskForm().validate_on_submit():
        abort(400)
    if chosen is not None:
        attention.send_again(db.session, chosen.id, current_user.id)
        count = 1
    else:
        count = attention.send_failed_again(db.session, current_user.id)
    jobs.soon("deliver_notices")  # wake the sender now; its minutely run is the backstop
    flash(f"{count} {'email' if count == 1 else 'emails'} will be sent again within a few minutes.", "success")
    return redirect(back)
