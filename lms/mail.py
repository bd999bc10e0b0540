"""Sending email through the configured backend: the log (the default, for machines without mail) or SMTP."""

from __future__ import annotations

import logging
import smtplib
import threading
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
MAIL_THREAD = "lms-mail"


@dataclass
class Message:
    to: str
    subject: str
    body: str


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


def _settings() -> dict:
    return {name: setting(name) for name in DEFAULTS}


def send(message: Message, settings: dict | None = None) -> bool:
    """Send one message; a failure is logged, never shown to the person, so pages give nothing away."""
    settings = settings or _settings()
    backend = str(settings["MAIL_BACKEND"]).lower()
    if backend == "log":
        log.info("email (MAIL_BACKEND=log, not sent)\nTo: %s\nSubject: %s\n\n%s", message.to, message.subject, message.body)
        return True
    if backend != "smtp":
        log.error("MAIL_BACKEND %r is not 'log' or 'smtp'; the message to %s was not sent", backend, message.to)
        return False
    try:
        _send_smtp(message, settings)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send email to %s through %s", message.to, settings["MAIL_SERVER"])
        return False
    return True


def send_soon(message: Message) -> threading.Thread | None:
    """Send without keeping the request waiting for the mail server.

    A page that waited for SMTP only when an account exists would answer more slowly for registered
    emails, and so tell strangers who has an account. The log backend is instant and stays in line.
    """
    settings = _settings()
    if str(settings["MAIL_BACKEND"]).lower() != "smtp":
        send(message, settings)
        return None
    thread = threading.Thread(target=send, args=(message, settings), name=MAIL_THREAD, daemon=True)
    thread.start()
    return thread


def _send_smtp(message: Message, settings: dict) -> None:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = settings["MAIL_SENDER"], message.to, message.subject
    email.set_content(message.body)
    connect = smtplib.SMTP_SSL if settings["MAIL_USE_SSL"] else smtplib.SMTP
    with connect(settings["MAIL_SERVER"], int(settings["MAIL_PORT"]), timeout=float(settings["MAIL_TIMEOUT"])) as server:
        if settings["MAIL_USE_TLS"] and not settings["MAIL_USE_SSL"]:
            server.starttls()
        if settings["MAIL_USERNAME"]:
            server.login(settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"])
        server.send_message(email)
