"""Confirming an email address: the page the emailed link opens, and asking for the link again."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for

from lms import account_mail, mail, signing_in
from lms.auth.forms import ConfirmEmailForm, ResendConfirmationForm
from lms.auth.views import blueprint
from lms.db import db
from lms.services import confirmation
from lms.services.password_reset import ResetLinkError


def _link_invalid(error: ResetLinkError):
    return render_template("auth/confirm_link_invalid.html", expired=error.expired,
                           hours=confirmation.MAX_AGE_SECONDS // 3600), 400


@blueprint.route(confirmation.CONFIRM.path + "<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """A button and the registration password, not the link alone, confirm: mail scanners that open links
    confirm nothing, and only the person who registered can confirm what they registered."""
    secret = current_app.config["SECRET_KEY"]
    try:
        user = confirmation.user_to_confirm(db.session, token, secret)
    except ResetLinkError as error:
        return _link_invalid(error)
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        try:
            confirmed = confirmation.confirm_email(db.session, token, secret, form.password.data)
        except ResetLinkError as error:  # confirmed in another tab a moment ago
            return _link_invalid(error)
        except confirmation.TooManyTries:
            form.password.errors.append("There have been too many wrong passwords for this account. Wait 15 minutes, then try again")
        except confirmation.WrongPassword:
            form.password.errors.append("Enter the password you chose when you created this account. If you did not create it, "
                                        "close this page: nothing will happen")
        else:
            signing_in.start_session(confirmed, remember=False)
            flash("Your email address is confirmed and you are signed in. You can now take assessments.", "success")
            return redirect(url_for("learn.my_training"))
    return render_template("auth/confirm_email.html", form=form, user=user)


@blueprint.route("/send-confirmation-link", methods=["GET", "POST"])
def resend_confirmation():
    """Send a fresh confirmation link to an address whose account is not confirmed yet; the page says the same
    whatever the address, so it tells nobody who has an account."""
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        found = confirmation.resend_for_address(db.session, form.email.data, current_app.config["SECRET_KEY"])
        if found is not None:
            mail.send_soon(account_mail.confirm_address(*found))
        return render_template("auth/confirmation_sent.html", email=form.email.data,
                               hours=confirmation.MAX_AGE_SECONDS // 3600)
    return render_template("auth/resend_confirmation.html", form=form)
