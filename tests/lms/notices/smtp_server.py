"""A real SMTP server on 127.0.0.1 for the notice tests (aiosmtpd), recording every message it accepts.

    server = SmtpServer(); server.start()
    app.config.update(server.mail_config)        # MAIL_BACKEND=smtp at this server
    server.refuse("amal@example.org")            # 550 at RCPT for that address, until server.accept(...)
    server.refuse("amal@example.org", 451, "4.3.0 try again later", times=1)   # a temporary refusal, once
    server.messages                              # [Received(email, message_id, recipients, envelope_from)]
    server.hold_replies()                        # keep each message but answer nothing (a worker killed mid-send)
    server.stop()

Tests use the `smtp_server` fixture (tests/lms/notices/conftest.py), which starts and stops it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from lms import mail


@dataclass(frozen=True)
class Received:
    """One message the server accepted."""

    email: EmailMessage
    message_id: str
    recipients: tuple[str, ...]
    envelope_from: str
    raw: bytes = b""  # the message as it came over the wire (headers folded or encoded as the sender wrote them)

    @property
    def subject(self) -> str:
        return str(self.email["Subject"])

    def part(self, content_type: str) -> str:
        """The text of the body part of this type ('text/plain' or 'text/html'), or ''."""
        found = self.email.get_body(preferencelist=(content_type.split("/")[1],))
        return found.get_content() if found is not None and found.get_content_type() == content_type else ""


@dataclass
class _Refusal:
    code: int
    text: str
    times: int | None  # how many more times to refuse; None: until accept()


class _Handler:
    """aiosmtpd's hooks: refuse chosen recipients at RCPT, keep what DATA brings."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address: str, rcpt_options) -> str:
        refusal = self.server._refusal_for(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope) -> str:
        raw = envelope.original_content or envelope.content
        email = message_from_bytes(raw, policy=policy.default)
        self.server._keep(Received(email, str(email["Message-ID"] or ""), tuple(envelope.rcpt_tos), envelope.mail_from, raw))
        while self.server._holding.is_set():
            await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, smtp, session, envelope) -> str:
        return self.server.quit_reply


class SmtpServer:
    """aiosmtpd's Controller on a free port of 127.0.0.1, with refusals tests can switch on and off."""

    def __init__(self) -> None:
        self.host, self.port = "127.0.0.1", _free_port()
        self.messages: list[Received] = []
        self.quit_reply = "221 Bye"  # what QUIT is answered with; a server may grumble here after taking the message
        self._refusals: dict[str, _Refusal] = {}
        self._lock = threading.Lock()
        self._holding, self._arrived = threading.Event(), threading.Condition()
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, server_hostname="smtp.test")

    @property
    def mail_config(self) -> dict:
        """The app settings that send mail here (all of them: also what `deliver_due(settings=...)` takes)."""
        return {**mail.DEFAULTS, "MAIL_BACKEND": "smtp", "MAIL_SERVER": self.host, "MAIL_PORT": self.port, "MAIL_TIMEOUT": 10,
                "MAIL_SENDER": "Safer Learning <no-reply@safer-learning.test>"}

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._holding.clear()
        self._controller.stop()

    def hold_replies(self) -> None:
        """Keep each message that arrives but give no answer to it until release(): the sender cannot know it went."""
        self._holding.set()

    def release(self) -> None:
        self._holding.clear()

    def wait_for(self, count: int, timeout: float = 30) -> bool:
        """Whether `count` messages have arrived within `timeout` seconds."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)

    def refuse(self, address: str, code: int = 550, text: str = "5.1.1 no such user", times: int | None = None) -> None:
        """Answer RCPT TO for this address with `code text`: every time until accept(), or the next `times` times."""
        with self._lock:
            self._refusals[address.lower()] = _Refusal(code, text, times)

    def accept(self, address: str) -> None:
        with self._lock:
            self._refusals.pop(address.lower(), None)

    def to(self, address: str) -> list[Received]:
        """The messages accepted for this address."""
        with self._lock:
            return [m for m in self.messages if address.lower() in (r.lower() for r in m.recipients)]

    def _refusal_for(self, address: str) -> str | None:
        with self._lock:
            refusal = self._refusals.get(address.lower())
            if refusal is None:
                return None
            if refusal.times is not None:
                refusal.times -= 1
                if refusal.times <= 0:
                    del self._refusals[address.lower()]
            return f"{refusal.code} {refusal.text}"

    def _keep(self, received: Received) -> None:
        with self._lock:
            self.messages.append(received)
        with self._arrived:
            self._arrived.notify_all()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
