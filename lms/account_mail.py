"""The emails about a person's account (confirm your address, set or reset your password, someone tried to
register with your address): what each says, and the link in it. Sending is lms.mail's job."""

from __future__ import annotations

from flask import current_app, render_template

from lms.mail import Message
from lms.models import User
from lms.services import confirmation, password_reset
from lms.services.password_reset import LinkKind


def _site() -> tuple[str, str]:
    return current_app.config["SITE_URL"].rstrip("/"), current_app.config["SITE_NAME"]


def _link_message(user: User, kind: LinkKind, token: str, subject: str, template: str) -> Message:
    site_url, site_name = _site()
    body = render_template(template, user=user, link=kind.url(site_url, token), site_name=site_name,
                           hours=kind.max_age // 3600, minutes=kind.max_age // 60, days=kind.max_age // 86400)
    return Message(user.email, subject.format(site=site_name), body)


def confirm_address(user: User, token: str) -> Message:
    """Sent at registration, and when the person asks again: the link that confirms their address."""
    return _link_message(user, confirmation.CONFIRM, token, "Confirm your email address for {site}", "auth/confirm_email.txt")


def set_password(user: User) -> Message:
    """Sent to each person an administrator imports: choose a password, which also confirms the address."""
    token = password_reset.make_token(user, current_app.config["SECRET_KEY"], password_reset.SET_PASSWORD)
    return _link_message(user, password_reset.SET_PASSWORD, token, "Set your {site} password", "auth/set_password_email.txt")


def reset_password(user: User, token: str) -> Message:
    """Sent when someone asks to reset the password of an account with this address."""
    return _link_message(user, password_reset.RESET, token, "Reset your {site} password", "auth/reset_email.txt")


def already_registered(user: User, sign_in_url: str, reset_url: str) -> Message:
    """Sent instead of a confirmation when the address already has an account, so the form itself says nothing."""
    _site_url, site_name = _site()
    body = render_template("auth/already_registered_email.txt", user=user, site_name=site_name,
                           sign_in_url=sign_in_url, reset_url=reset_url)
    return Message(user.email, f"Someone tried to create a {site_name} account with your email address", body)
