"""Confirming an email address: the page the emailed link opens, and asking for the link again."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from lms import account_mail, mail
from lms.auth.views import blueprint, safe_next
from lms.db import db
from lms.services import confirmation
from lms.services.password_reset import ResetLinkError


def _link_invalid(error: ResetLinkError):
    return render_template("auth/confirm_link_invalid.html", expired=error.expired,
                           hours=confirmation.MAX_AGE_SECONDS // 3600), 400


@blueprint.route(confirmation.CONFIRM.path + "<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """A button, not the link itself, confirms: mail scanners that open links cannot confirm for anyone."""
    secret = current_app.config["SECRET_KEY"]
    try:
        user = confirmation.user_to_confirm(db.session, token, secret)
    except ResetLinkError as error:
        return _link_invalid(error)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            confirmation.confirm_email(db.session, token, secret)
        except ResetLinkError as error:  # confirmed in another tab a moment ago
            return _link_invalid(error)
        if current_user.is_authenticated:
            flash("Your email address is confirmed. You can now take assessments.", "success")
            return redirect(url_for("learn.my_training"))
        flash("Your email address is confirmed. Sign in to start your training.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/confirm_email.html", form=form, email=user.email)


@blueprint.route("/send-confirmation-link", methods=["POST"])
@login_required
def resend_confirmation():
    """Send the signed-in person a fresh confirmation link, a few times a window at most."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    if user.email_confirmed:
        flash("Your email address is already confirmed.", "success")
    else:
        token = confirmation.resend_token(db.session, user, current_app.config["SECRET_KEY"])
        if token is None:
            flash(f"We have sent several links to {user.email} recently. Wait 15 minutes, then ask again.", "info")
        else:
            mail.send_soon(account_mail.confirm_address(user, token))
            flash(f"We have sent a new confirmation link to {user.email}. It works for "
                  f"{confirmation.MAX_AGE_SECONDS // 3600} hours.", "success")
    return redirect(safe_next(request.form.get("next")))
