"""Sending email through the configured backend: the log (the default, for machines without mail), files in
instance/mail/ (for the demo, which has no mail server) or SMTP."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

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
    "MAIL_DIR": "",  # the file backend's folder; empty means instance/mail/
}
MAIL_THREAD = "lms-mail"
# The secret part of a link: a long run of token characters after a slash or "=". Logs are read by more
# people, and kept longer, than mailboxes, so a link to reset a password must never be usable from one.
_SECRET_IN_LINK = re.compile(r"(https?://\S*?[/=])[A-Za-z0-9_.~-]{16,}")


@dataclass
class Message:
    to: str
    subject: str
    body: str  # the plain-text part, always present
    html: str = ""  # an HTML alternative, when the message has one
    headers: dict[str, str] = field(default_factory=dict)  # e.g. List-Unsubscribe


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


def _settings() -> dict:
    settings = {name: setting(name) for name in DEFAULTS}
    settings["MAIL_DIR"] = settings["MAIL_DIR"] or os.path.join(current_app.instance_path, "mail")
    return settings


def redact_links(text: str) -> str:
    """The text with the secret part of every link replaced, so what is logged cannot be used."""
    return _SECRET_IN_LINK.sub(r"\1[link secret removed from the log]", text)


def _send_log(message: Message, settings: dict) -> None:
    log.info("email (MAIL_BACKEND=log, not sent)\nTo: %s\nSubject: %s\n\n%s", message.to, message.subject, redact_links(message.body))


def _send_file(message: Message, settings: dict) -> None:
    """One file per message, readable by its owner only: the demo's mailbox."""
    folder = Path(settings["MAIL_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"{stamp}-{secrets.token_hex(3)}.txt"
    text = f"From: {settings['MAIL_SENDER']}\nTo: {message.to}\nSubject: {message.subject}\n\n{message.body}\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    log.info("email to %s written to %s", message.to, path)


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


BACKENDS: dict[str, Callable[[Message, dict], None]] = {"log": _send_log, "file": _send_file, "smtp": _send_smtp}


def send(message: Message, settings: dict | None = None) -> bool:
    """Send one message; a failure is logged, never shown to the person, so pages give nothing away."""
    settings = settings or _settings()
    backend = str(settings["MAIL_BACKEND"]).lower()
    if backend not in BACKENDS:
        log.error("MAIL_BACKEND %r is not one of %s; the message to %s was not sent", backend, ", ".join(BACKENDS), message.to)
        return False
    try:
        BACKENDS[backend](message, settings)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send email to %s by %s", message.to, backend)
        return False
    return True


def _send_each(messages: list[Message], settings: dict) -> None:
    for message in messages:
        send(message, settings)


def send_all_soon(messages: list[Message]) -> threading.Thread | None:
    """Send without keeping the request waiting for the mail server, in one background thread.

    A page that waited for SMTP only when an account exists would answer more slowly for registered
    emails, and so tell strangers who has an account. The log and file backends are instant and stay in line.
    """
    if not messages:
        return None
    settings = _settings()
    if str(settings["MAIL_BACKEND"]).lower() != "smtp":
        _send_each(messages, settings)
        return None
    thread = threading.Thread(target=_send_each, args=(messages, settings), name=MAIL_THREAD, daemon=True)
    thread.start()
    return thread


def send_soon(message: Message) -> threading.Thread | None:
    """One message, sent as send_all_soon sends."""
    return send_all_soon([message])
