"""Accounts: signing in and out, registering with a join code or email domain, resetting a password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from lms import mail
from lms.auth.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from lms.db import db
from lms.services import password_reset, registration, throttling
from lms.services.passwords import HINT as PASSWORD_HINT

blueprint = Blueprint("auth", __name__, template_folder="templates")

LOCKED = (f"Too many failed attempts to sign in. Wait {throttling.LOCKOUT.seconds // 60} minutes, then try again, "
          "or reset your password")


def safe_next(target: str | None) -> str:
    """Only a path on this site, so a crafted link cannot send someone elsewhere after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("learn.my_training")


def client_address() -> str | None:
    """The browser's address: behind LMS_PROXY_HOPS trusted proxies, taken from X-Forwarded-For."""
    hops = int(current_app.config.get("PROXY_HOPS", 0))
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    if hops > 0 and forwarded:
        return forwarded[-min(hops, len(forwarded))]
    return request.remote_addr


@blueprint.route("/sign-in", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("learn.my_training"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = throttling.sign_in(db.session, form.email.data, form.password.data, client_address())
        if attempt.user is not None:
            login_user(attempt.user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append(LOCKED if attempt.locked else "Enter a correct email address and password")
    return render_template("auth/login.html", form=form)


@blueprint.route("/sign-out", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@blueprint.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("learn.my_training"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = registration.register(db.session, form.full_name.data, form.email.data, form.password.data, form.join_code.data or "")
        except registration.RegistrationError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            login_user(user)
            flash(f"Your account has been created. You have joined {user.organisation.name}.", "success")
            return redirect(url_for("learn.my_training"))
    return render_template("auth/register.html", form=form, password_hint=PASSWORD_HINT)


@blueprint.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        reset = password_reset.request_reset(db.session, form.email.data, current_app.config["SECRET_KEY"])
        if reset is not None:
            link = current_app.config["SITE_URL"].rstrip("/") + url_for("auth.reset_password", token=reset.token)
            body = render_template("auth/reset_email.txt", user=reset.user, link=link,
                                   minutes=password_reset.MAX_AGE_SECONDS // 60)
            mail.send_soon(mail.Message(reset.user.email, f"Reset your {current_app.config['SITE_NAME']} password", body))
        return render_template("auth/forgot_password_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@blueprint.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    secret = current_app.config["SECRET_KEY"]
    try:
        user = password_reset.user_for_token(db.session, token, secret)
    except password_reset.ResetLinkError as error:
        return render_template("auth/reset_link_invalid.html", expired=error.expired), 400
    form = ResetPasswordForm(email=user.email)
    if form.validate_on_submit():
        try:
            password_reset.reset_password(db.session, token, form.password.data, secret)
        except password_reset.ResetLinkError as error:  # used in another tab a moment ago
            return render_template("auth/reset_link_invalid.html", expired=error.expired), 400
        logout_user()
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, password_hint=PASSWORD_HINT)
