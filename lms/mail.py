"""Sending email through the configured backend: the log (the default, for machines without mail), files in
instance/mail/ (for the demo, which has no mail server) or SMTP.

Two ways in: `send` never raises (account emails, where a page must give nothing away), and `deliver`
raises MailError with the server's answer (the notice outbox records it and tries again later)."""

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
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
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
    message_id: str = ""  # e.g. notice_message_id(...); empty: a fresh one per sending


class MailError(Exception):
    """A message the backend could not send; str() is the answer to record (e.g. "550 5.1.1 no such user"),
    never the password or a link's secret."""


class MailOutcomeUnknown(MailError):
    """The message was handed to the server but no answer came (a timeout, a dropped connection): it may have
    gone, so sending it again could send it twice."""


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


def current_settings() -> dict:
    """The app's mail settings, read once so a background thread or worker can send without the app."""
    settings = {name: setting(name) for name in DEFAULTS}
    settings["MAIL_DIR"] = settings["MAIL_DIR"] or os.path.join(current_app.instance_path, "mail")
    return settings



def sender_domain(settings: dict) -> str:
    """The domain of MAIL_SENDER, for Message-IDs; "localhost" when it has none."""
    address = parseaddr(str(settings["MAIL_SENDER"]))[1]
    return address.rpartition("@")[2] or "localhost"


def notice_message_id(notice_id: int, settings: dict) -> str:
    """The one Message-ID a notice ever has: a second copy of it, however it came about, shows as a duplicate."""
    return f"<notice-{notice_id}@{sender_domain(settings)}>"


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
    extra = "".join(f"{name}: {value}\n" for name, value in message.headers.items())
    note = "\n(This message also has an HTML part, not shown here.)\n" if message.html else ""
    text = f"From: {settings['MAIL_SENDER']}\nTo: {message.to}\nSubject: {message.subject}\n{extra}\n{message.body}\n{note}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    log.info("email to %s written to %s", message.to, path)


# Headers folded only past RFC 5322's 998-character limit: at the default 78, a long List-Unsubscribe link is
# broken up or encoded, and mail providers no longer see the one-click link (nor a subject without a stray space).
WIRE_POLICY = email_policy.default.clone(max_line_length=998)


def as_email(message: Message, settings: dict) -> EmailMessage:
    """The message as MIME: plain text first, then the HTML alternative when there is one (clients show the last they can)."""
    email = EmailMessage(policy=WIRE_POLICY)
    email["From"], email["To"], email["Subject"] = settings["MAIL_SENDER"], message.to, message.subject
    email["Date"] = formatdate(localtime=False, usegmt=True)
    email["Message-ID"] = message.message_id or make_msgid(domain=sender_domain(settings))
    for name, value in message.headers.items():
        email[name] = value
    email.set_content(message.body)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email


def _send_smtp(message: Message, settings: dict) -> None:
    email = as_email(message, settings)
    connect = smtplib.SMTP_SSL if settings["MAIL_USE_SSL"] else smtplib.SMTP
    server = connect(settings["MAIL_SERVER"], int(settings["MAIL_PORT"]), timeout=float(settings["MAIL_TIMEOUT"]))
    try:
        if settings["MAIL_USE_TLS"] and not settings["MAIL_USE_SSL"]:
            server.starttls()
        if settings["MAIL_USERNAME"]:
            server.login(settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"])
        server.data = _unknown_if_unanswered(server.data)  # send_message calls self.data once the recipients are accepted
        server.send_message(email)
    except BaseException:
        server.close()
        raise
    _say_goodbye(server)


def _say_goodbye(server: smtplib.SMTP) -> None:
    """QUIT after the server took the message: whatever it answers now, the message is on its way (an error
    here, counted as a failure, would send it again)."""
    try:
        server.quit()
    except (OSError, smtplib.SMTPException):
        server.close()


def _unknown_if_unanswered(data: Callable) -> Callable:
    """SMTP's DATA step, where a lost connection, a timeout or a reply that is not an SMTP answer (not a refusal)
    leaves it unknown whether the message went."""
    def send_data(content):
        try:
            return data(content)
        except smtplib.SMTPDataError as error:
            if 400 <= error.smtp_code < 600:
                raise  # a refusal: the message did not go
            raise MailOutcomeUnknown(f"an answer the mail server should not give after the message ({error.smtp_code})") from error
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            raise MailOutcomeUnknown(f"no answer from the mail server after the message was sent ({error or type(error).__name__})") from error
    return send_data


BACKENDS: dict[str, Callable[[Message, dict], None]] = {"log": _send_log, "file": _send_file, "smtp": _send_smtp}


def _answer(error: Exception, settings: dict) -> str:
    """What the server (or the system) said, as one line to record: the code and text of an SMTP reply."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(_reply(code, reply) for code, reply in error.recipients.values())
    elif isinstance(error, smtplib.SMTPResponseException):
        text = _reply(error.smtp_code, error.smtp_error)
    elif isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException):
        text = f"could not reach the mail server {settings['MAIL_SERVER']}:{settings['MAIL_PORT']}: {error}"
    else:
        text = str(error) or type(error).__name__
    if settings.get("MAIL_PASSWORD"):
        text = text.replace(str(settings["MAIL_PASSWORD"]), "[password removed]")
    return " ".join(redact_links(text).split())[:1000]


def _reply(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"


def deliver(message: Message, settings: dict | None = None) -> None:
    """Send one message or raise MailError saying why not, for callers that record failures and retry."""
    settings = settings or current_settings()
    backend = str(settings["MAIL_BACKEND"]).lower()
    if backend not in BACKENDS:
        raise MailError(f"MAIL_BACKEND {backend!r} is not one of {', '.join(BACKENDS)}")
    try:
        BACKENDS[backend](message, settings)
    except MailOutcomeUnknown as error:
        raise MailOutcomeUnknown(_answer(error, settings)) from error.__cause__
    except (OSError, smtplib.SMTPException, ValueError) as error:  # ValueError: a header the email package refuses
        raise MailError(_answer(error, settings)) from error


def send(message: Message, settings: dict | None = None) -> bool:
    """Send one message; a failure is logged, never shown to the person, so pages give nothing away."""
    settings = settings or current_settings()
    try:
        deliver(message, settings)
    except MailError as error:
        if error.__cause__ is None:
            log.error("%s; the message to %s was not sent", error, message.to)
        else:
            log.exception("could not send email to %s by %s: %s", message.to, str(settings["MAIL_BACKEND"]).lower(), error)
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
    settings = current_settings()
    if str(settings["MAIL_BACKEND"]).lower() != "smtp":
        _send_each(messages, settings)
        return None
    thread = threading.Thread(target=_send_each, args=(messages, settings), name=MAIL_THREAD, daemon=True)
    thread.start()
    return thread


def send_soon(message: Message) -> threading.Thread | None:
    """One message, sent as send_all_soon sends."""
    return send_all_soon([message])
