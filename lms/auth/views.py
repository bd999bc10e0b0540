"""Accounts: signing in and out, registering with a join code or email domain, resetting a password."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from lms import account_mail, mail, signing_in
from lms.auth.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from lms.db import db
from lms.models import SingleSignOn
from lms.services import confirmation, password_reset, registration, throttling
from lms.services.passwords import HINT as PASSWORD_HINT
from lms.services.sso import settings as sso_settings

blueprint = Blueprint("auth", __name__, template_folder="templates")

def locked_message(wait: dt.timedelta | None) -> str:
    """What a person who must wait before signing in again is told, with how long."""
    seconds = max(1, int(wait.total_seconds())) if wait else 60
    how_long = f"{seconds} seconds" if seconds < 90 else f"{round(seconds / 60)} minutes"
    return f"Too many failed attempts to sign in. Wait {how_long}, then try again, or reset your password"


def safe_next(target: str | None) -> str:
    """Only a path on this site, so a crafted link cannot send someone elsewhere after sign-in.

    Browsers read a backslash as a slash ("/\\evil.example" is another site), and a control character
    would either split the Location header (a 500) or be dropped by the browser, so both are refused.
    """
    if (not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(c) < 32 or 127 <= ord(c) < 160 or c in "\u2028\u2029" for c in target)):
        return url_for("learn.my_training")
    try:
        on_site = not urlsplit(target).netloc and not urlsplit(target).scheme
    except ValueError:
        on_site = False
    return target if on_site else url_for("learn.my_training")


def client_address() -> str | None:
    """The browser's address: behind LMS_PROXY_HOPS trusted proxies, taken from X-Forwarded-For."""
    hops = int(current_app.config.get("PROXY_HOPS", 0))
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    if hops > 0 and forwarded:
        return forwarded[-min(hops, len(forwarded))]
    return request.remote_addr


@blueprint.route("/sign-in", methods=["GET", "POST"])
def login():
    """Password sign-in, or off to the organisation's own provider when the address's domain has single sign-on."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.my_training"))
    form = LoginForm()
    with_organisation = "with_organisation" in request.form
    if form.validate_on_submit():
        provider = sso_settings.provider_for_email(db.session, form.email.data)
        if provider is not None and (with_organisation or not form.password.data):
            return sso_views.begin(provider, form.email.data, request.args.get("next"))
        if with_organisation:
            form.email.errors.append(NO_SINGLE_SIGN_ON.format(domain=sso_settings.email_domain(form.email.data)))
        elif form.password.data:
            return _password_sign_in(form, provider if provider is not None and provider.required else None)
    if form.is_submitted() and not form.password.data and not with_organisation:
        form.password.errors = [*form.password.errors, "Enter your password"]
    return render_template("auth/login.html", form=form)


NO_SINGLE_SIGN_ON = ("No organisation here signs in with its own account for {domain}: check the address, or enter "
                     "your password and select “Sign in” (or create an account)")


def _password_sign_in(form: LoginForm, required: SingleSignOn | None):
    """A password sign-in; where single sign-on is required, only for those sso_settings.password_allowed lets in."""
    attempt = throttling.sign_in(db.session, form.email.data, form.password.data, client_address(),
                                 may_sign_in=lambda person: sso_settings.password_allowed(person, required))
    if attempt.user is not None:
        signing_in.start_session(attempt.user, remember=form.remember.data)
        return redirect(safe_next(request.args.get("next")))
    if attempt.locked:
        form.password.errors.append(locked_message(attempt.wait))
    elif required is not None:
        form.email.errors.append(sso_settings.where_to_sign_in(required))
    else:
        form.password.errors.append("Enter a correct email address and password")
    return render_template("auth/login.html", form=form)


@blueprint.route("/sign-out", methods=["POST"])
@login_required
def logout():
    provider_id = session.get(sso_views.SIGNED_IN_WITH)
    signing_in.end_session(current_user._get_current_object())
    if provider_id is not None:  # begun at the organisation's provider: a page offers to sign out there too
        session[sso_views.SIGNED_OUT_OF] = provider_id
        return redirect(url_for("auth.signed_out"))
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@blueprint.route("/register", methods=["GET", "POST"])
def register():
    """Every valid registration ends on the same page, whatever the address already has: see lms.services.registration."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.my_training"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            done = registration.register(db.session, form.full_name.data, form.email.data, form.password.data,
                                         form.join_code.data or "", address=client_address())
        except registration.RegistrationError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            if done.send:
                mail.send_soon(_registration_mail(done))
            return render_template("auth/check_email.html", email=form.email.data,
                                   hours=confirmation.MAX_AGE_SECONDS // 3600)
    return render_template("auth/register.html", form=form, password_hint=PASSWORD_HINT)


def _registration_mail(done: registration.Registration) -> mail.Message:
    """A confirmation link for a new (or replaced) account; otherwise a note to the address's owner."""
    if done.mail is registration.Mail.CONFIRM:
        return account_mail.confirm_address(done.user, confirmation.confirmation_token(done.user, current_app.config["SECRET_KEY"]))
    site_url = current_app.config["SITE_URL"].rstrip("/")
    return account_mail.already_registered(done.user, site_url + url_for("auth.login"), site_url + url_for("auth.forgot_password"))


@blueprint.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        required = sso_settings.required_for(db.session, form.email.data)
        reset = password_reset.request_reset(db.session, form.email.data, current_app.config["SECRET_KEY"])
        if reset is not None and sso_settings.password_allowed(reset.user, required):
            mail.send_soon(account_mail.reset_password(reset.user, reset.token))
        # The same page for every address: where single sign-on is required it says so first (most there have no password).
        return render_template("auth/forgot_password_sent.html", email=form.email.data,
                               required=sso_settings.where_to_sign_in(required) if required else "")
    return render_template("auth/forgot_password.html", form=form)


@blueprint.route(password_reset.RESET.path + "<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _choose_password(token, password_reset.RESET)


@blueprint.route(password_reset.SET_PASSWORD.path + "<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Where an imported person chooses their first password (and so confirms their address)."""
    return _choose_password(token, password_reset.SET_PASSWORD)


def _link_invalid(kind: password_reset.LinkKind, error: password_reset.ResetLinkError):
    return render_template("auth/reset_link_invalid.html", expired=error.expired, first=kind is password_reset.SET_PASSWORD,
                           hours=kind.max_age // 3600), 400


def _choose_password(token: str, kind: password_reset.LinkKind):
    """Choose a password through an emailed link of this kind; the link then stops working."""
    secret = current_app.config["SECRET_KEY"]
    try:
        user = password_reset.user_for_token(db.session, token, secret, kind)
    except password_reset.ResetLinkError as error:
        return _link_invalid(kind, error)
    form = ResetPasswordForm(email=user.email)
    if form.validate_on_submit():
        try:
            password_reset.reset_password(db.session, token, form.password.data, secret, kind)
        except password_reset.ResetLinkError as error:  # used in another tab a moment ago
            return _link_invalid(kind, error)
        logout_user()
        flash("Your password has been changed. Sign in with your new password." if kind is password_reset.RESET
              else "Your password is set. Sign in with it to start your training.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, password_hint=PASSWORD_HINT,
                           first=kind is password_reset.SET_PASSWORD)


# Confirming an email address and single sign-on have their own modules on this blueprint.
from lms.auth import confirmation_views, sso_views  # noqa: E402,F401
