"""What the notice tests share: a real SMTP server on 127.0.0.1 (see smtp_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lms.notices.smtp_server import SmtpServer


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A running aiosmtpd server recording what it receives; `app.config.update(smtp_server.mail_config)` sends there."""
    server = SmtpServer().start()
    yield server
    server.stop()
