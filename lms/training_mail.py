"""The emails about a person's training: what each says. Sending is lms.mail's job."""

from __future__ import annotations

from flask import current_app, render_template, url_for

from lms.mail import Message
from lms.models import Module, User


def retry_allowed(user: User, module: Module, trainer: User) -> Message:
    """Sent when a trainer or admin lets a held-back learner try an assessment again, so they know to come back."""
    site_url, site_name = current_app.config["SITE_URL"].rstrip("/"), current_app.config["SITE_NAME"]
    link = site_url + url_for("learn.assessment", slug=module.slug)
    body = render_template("learn/retry_allowed_email.txt", user=user, module=module, trainer=trainer, link=link, site_name=site_name)
    return Message(user.email, f"You can try the {module.title} assessment again", body)
