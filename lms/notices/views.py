"""A person's notification settings, and the page an unsubscribe link in an email opens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms import permissions
from lms.db import db
from lms.extensions import csrf
from lms.models import User
from lms.notices.forms import REMINDER_HINTS, NotificationSettingsForm, UnsubscribeForm
from lms.services.notices import preferences
from lms.services.password_reset import ResetLinkError

blueprint = Blueprint("notices", __name__, template_folder="templates")

# The optional switches shown only to the people whose role gets that email; the rule lives in lms.permissions.
ROLE_SWITCHES = {"admin_digest": permissions.gets_admin_digest, "quarterly_figures": permissions.gets_quarterly_figures}
ONE_CLICK = ("List-Unsubscribe", "One-Click")  # RFC 8058: what a mail client POSTs to a List-Unsubscribe URL


def _settings_form(user: User, saved) -> NotificationSettingsForm:
    """The form filled with what is saved, without the switches for emails this person never gets."""
    form = NotificationSettingsForm(obj=saved)
    for name, gets in ROLE_SWITCHES.items():
        if not gets(user):
            del form[name]
    return form


@blueprint.route("/account/notifications", methods=["GET", "POST"])
@login_required
def settings():
    """How reminders arrive and which optional emails come; mandatory reminders themselves cannot be switched off."""
    saved = preferences.preferences_for(db.session, [current_user.id])[current_user.id]
    form = _settings_form(current_user, saved)
    if form.validate_on_submit():
        chosen = {name: form[name].data if name in form else getattr(saved, name) for name in preferences.CHOICES}
        preferences.save_preferences(db.session, current_user, **chosen)
        flash("Your notification settings have been saved", "success")
        return redirect(url_for("notices.settings"))
    return render_template("notice_pages/settings.html", form=form, hints=REMINDER_HINTS)


def _link_invalid(error: ResetLinkError):
    return render_template("notice_pages/link_invalid.html", expired=error.expired,
                           days=preferences.MAX_AGE_SECONDS // (24 * 60 * 60)), 400


def _is_one_click() -> bool:
    return request.method == "POST" and request.form.get(ONE_CLICK[0]) == ONE_CLICK[1]


@blueprint.route(preferences.LINKS["optional_reminders"].path + "<unsubscribe_token>", methods=["GET", "POST"])
@csrf.exempt  # checked below for every POST except a mail client's one-click request
def unsubscribe(unsubscribe_token: str):
    """GET asks (mail scanners open links, so opening one changes nothing); POST, from our button or from a
    mail client's one-click unsubscribe, turns the email off. Works without signing in: the link says who.

    RFC 8058's one-click POST comes from the mail provider's servers with no cookie and no CSRF token, so it
    cannot carry one. Letting it through is safe: CSRF protects what a cookie authorises, and here the
    signed token in the URL is the only authority (a forger would need the secret link itself); and all it
    can do is switch off one optional email, which its owner can switch back on. Every other POST is checked.
    """
    if request.method == "POST" and not _is_one_click():
        csrf.protect()
    try:
        user, switch = preferences.read_token(db.session, unsubscribe_token)
        done = preferences.unsubscribe(db.session, unsubscribe_token) if request.method == "POST" else None
    except ResetLinkError as error:
        return _link_invalid(error)
    if _is_one_click():
        return "You will no longer get these emails.\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
    already_off = not getattr(preferences.preferences_for(db.session, [user.id])[user.id], switch)
    return render_template("notice_pages/unsubscribe.html", form=UnsubscribeForm(), user=user, switch=switch, done=done,
                           already_off=already_off and done is None)
