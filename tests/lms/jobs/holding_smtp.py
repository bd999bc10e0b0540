"""The notice tests' real SMTP server, able to hold one address's message mid-send so a test can stop or
kill the worker that is sending it."""

from __future__ import annotations

import asyncio
import threading

from tests.lms.notices.smtp_server import SmtpServer, _Handler


class _Holding(_Handler):
    async def handle_DATA(self, smtp, session, envelope) -> str:
        server = self.server
        if server.held in (address.lower() for address in envelope.rcpt_tos):
            server.arrived.set()
            while not server.released.is_set():  # the client has sent the whole message and waits for the answer
                await asyncio.sleep(0.05)
        return await super().handle_DATA(smtp, session, envelope)


class HoldingSmtpServer(SmtpServer):
    """An SmtpServer that answers the DATA of `held` only after `released` is set; `arrived` says it came."""

    def __init__(self, held: str) -> None:
        super().__init__()
        self.held = held.lower()
        self.arrived, self.released = threading.Event(), threading.Event()
        self._controller.handler = _Holding(self)

    def stop(self) -> None:
        self.released.set()
        super().stop()
