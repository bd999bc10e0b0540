"""Sending email through the configured backend: the log (the default, for machines without mail) or SMTP."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)

DEFAULTS = {
    "MAIL_BACKEND": "log",
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_SENDER": "Safer Learning <no-reply@localhost>",
    "MAIL_TIMEOUT": 10,
}


@dataclass
class Message:
    to: str
    subject: str
    body: str


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


def send(message: Message) -> bool:
    """Send one message; a failure is logged, never shown to the person, so pages give nothing away."""
    backend = str(setting("MAIL_BACKEND")).lower()
    if backend == "log":
        log.info("email (MAIL_BACKEND=log, not sent)\nTo: %s\nSubject: %s\n\n%s", message.to, message.subject, message.body)
        return True
    if backend != "smtp":
        log.error("MAIL_BACKEND %r is not 'log' or 'smtp'; the message to %s was not sent", backend, message.to)
        return False
    try:
        _send_smtp(message)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send email to %s through %s", message.to, setting("MAIL_SERVER"))
        return False
    return True


def _send_smtp(message: Message) -> None:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = setting("MAIL_SENDER"), message.to, message.subject
    email.set_content(message.body)
    connect = smtplib.SMTP_SSL if setting("MAIL_USE_SSL") else smtplib.SMTP
    with connect(setting("MAIL_SERVER"), int(setting("MAIL_PORT")), timeout=float(setting("MAIL_TIMEOUT"))) as server:
        if setting("MAIL_USE_TLS") and not setting("MAIL_USE_SSL"):
            server.starttls()
        if setting("MAIL_USERNAME"):
            server.login(setting("MAIL_USERNAME"), setting("MAIL_PASSWORD"))
        server.send_message(email)
