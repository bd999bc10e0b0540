"""Does mail go where it is configured to, and does a link's secret never reach the log?"""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from lms import mail

LINK = "http://127.0.0.1:5000/reset-password/eyJ1c2VyIjoiYWJjIn0.ZmFrZQ.c2lnbmF0dXJlLXBhcnQ"
BODY = f"Hello Amal,\n\nTo choose a new password, open this link:\n\n{LINK}\n\nThe link works for 60 minutes."


def test_does_the_log_backend_keep_the_message_but_not_the_secret_in_its_link(app, caplog):
    caplog.set_level(logging.INFO, logger="lms.mail")
    with app.app_context():
        assert mail.send(mail.Message("amal@example.org", "Reset your password", BODY))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "To: amal@example.org" in logged and "Subject: Reset your password" in logged
    assert "http://127.0.0.1:5000/reset-password/[link secret removed from the log]" in logged
    assert "eyJ1c2VyIjoiYWJjIn0" not in logged and "c2lnbmF0dXJlLXBhcnQ" not in logged


@pytest.mark.parametrize("text, kept", [
    ("https://lms.example/confirm-email/abcdefghijklmnopqrstuvwxyz0123", "https://lms.example/confirm-email/"),
    ("https://lms.example/x?token=abcdefghijklmnopqrstuvwxyz", "https://lms.example/x?token="),
    ("Sign in at https://lms.example/sign-in", "https://lms.example/sign-in"),
])
def test_are_link_secrets_removed_and_short_paths_kept(text, kept):
    redacted = mail.redact_links(text)
    assert kept in redacted and "abcdefghijklmnop" not in redacted


def test_does_the_file_backend_write_each_message_readable_by_its_owner_only(app):
    app.config["MAIL_BACKEND"] = "file"
    with app.app_context():
        assert mail.send(mail.Message("amal@example.org", "Reset your password", BODY))
        assert mail.send(mail.Message("robin@example.org", "Confirm", "Second"))
        folder = app.instance_path + "/mail"
    files = sorted(Path(folder).iterdir())
    assert len(files) == 2
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    text = files[0].read_text(encoding="utf-8")
    assert "To: amal@example.org\nSubject: Reset your password\n" in text and LINK in text, "the mailbox keeps the whole link"


def test_does_the_file_backend_use_a_configured_folder(app, tmp_path):
    app.config.update(MAIL_BACKEND="file", MAIL_DIR=str(tmp_path / "outbox"))
    with app.app_context():
        mail.send_all_soon([mail.Message("a@example.org", "One", "1"), mail.Message("b@example.org", "Two", "2")])
    assert len(list((tmp_path / "outbox").iterdir())) == 2


def test_is_an_unknown_backend_reported_and_nothing_sent(app, caplog):
    app.config["MAIL_BACKEND"] = "pigeon"
    with app.app_context(), caplog.at_level(logging.ERROR, logger="lms.mail"):
        assert not mail.send(mail.Message("amal@example.org", "Hello", "Body"))
    assert "'pigeon' is not one of log, file, smtp" in caplog.text


def test_is_a_file_backend_that_cannot_write_logged_not_raised(app, tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    app.config.update(MAIL_BACKEND="file", MAIL_DIR=str(blocker))
    with app.app_context(), caplog.at_level(logging.ERROR, logger="lms.mail"):
        assert not mail.send(mail.Message("amal@example.org", "Hello", "Body"))
    assert "could not send email to amal@example.org by file" in caplog.text


def test_do_request_logs_keep_no_usable_link_token(app, client, caplog):
    """The development server and gunicorn log each request's path; a reset or confirmation path holds its token."""
    token = "eyJ1c2VyIjoiYWJjIn0.Zz9x1w.secretSIGNATUREpartHERE1234"
    for logger_name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        with caplog.at_level(logging.INFO, logger=logger_name):
            logging.getLogger(logger_name).info('127.0.0.1 - - "GET %s HTTP/1.1" 200 -', f"/reset-password/{token}")
            logging.getLogger(logger_name).info('"GET /confirm-email/%s HTTP/1.1" 200', token)
            logging.getLogger(logger_name).info('"GET /set-password/%s?x=1 HTTP/1.1" 200', token)
            logging.getLogger(logger_name).info('"GET /confirm%%2Demail/%s HTTP/1.1" 200', token)
            logging.getLogger(logger_name).info('"POST /unsubscribe/%s HTTP/1.1" 200', token)  # mail scanners open it too
            logging.getLogger(logger_name).info('"GET /sign-in/organisation/callback?code=%s&state=x HTTP/1.1" 302', token)
    assert caplog.records and token not in caplog.text and "/reset-password/[secret removed]" in caplog.text
    assert "/set-password/[secret removed]?x=1" in caplog.text and "/unsubscribe/[secret removed]" in caplog.text
    assert "/sign-in/organisation/callback?[secret removed] HTTP/1.1" in caplog.text  # a single sign-on's one-time code
