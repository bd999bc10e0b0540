"""Does lms.mail send a notice's HTML and headers to a real SMTP server, and say what the server answered?"""

from __future__ import annotations

import pytest

from lms import mail
from tests.lms.notices.outbox_builders import HTML

HEADERS = {"List-Unsubscribe": "<https://lms.example/notices/unsubscribe/abc>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _message(**changes) -> mail.Message:
    values = {"to": "amal@example.org", "subject": "Safeguarding adults is due", "body": "Plain words first.", "html": HTML, "headers": HEADERS}
    return mail.Message(**{**values, **changes})


def test_does_a_message_with_html_arrive_as_text_then_html_with_its_headers(app, smtp_server):
    app.config.update(smtp_server.mail_config)
    with app.app_context():
        mail.deliver(_message(message_id=mail.notice_message_id(42, mail.current_settings())))
    [received] = smtp_server.messages
    assert received.recipients == ("amal@example.org",)
    assert received.email.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in received.email.iter_parts()] == ["text/plain", "text/html"]
    assert received.part("text/plain").strip() == "Plain words first."
    assert "<strong>Safeguarding adults</strong>" in received.part("text/html")
    assert received.email["List-Unsubscribe"] == HEADERS["List-Unsubscribe"]
    assert received.email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received.message_id == "<notice-42@safer-learning.test>"


def test_does_an_account_email_stay_plain_text_with_a_fresh_message_id(app, smtp_server):
    app.config.update(smtp_server.mail_config)
    with app.app_context():
        assert mail.send(mail.Message("amal@example.org", "Confirm", "One"))
        assert mail.send(mail.Message("amal@example.org", "Confirm", "Two"))
    first, second = smtp_server.messages
    assert first.email.get_content_type() == "text/plain"
    assert first.message_id.endswith("@safer-learning.test>") and first.message_id != second.message_id


@pytest.mark.parametrize("code, text", [(550, "5.1.1 no such user"), (451, "4.3.0 try again later")])
def test_does_deliver_raise_with_the_server_s_answer_when_the_address_is_refused(app, smtp_server, code, text):
    app.config.update(smtp_server.mail_config)
    smtp_server.refuse("amal@example.org", code, text)
    with app.app_context(), pytest.raises(mail.MailError) as refused:
        mail.deliver(_message())
    assert str(refused.value) == f"{code} {text}"
    assert smtp_server.messages == []


def test_does_send_still_never_raise_when_the_server_refuses(app, smtp_server):
    app.config.update(smtp_server.mail_config)
    smtp_server.refuse("amal@example.org")
    with app.app_context():
        assert mail.send(_message()) is False


def test_is_a_mail_server_that_is_not_there_reported_without_the_password(app, smtp_server):
    app.config.update(smtp_server.mail_config, MAIL_PORT=1, MAIL_USERNAME="lms", MAIL_PASSWORD="hunter2-secret")
    with app.app_context(), pytest.raises(mail.MailError) as unreachable:
        mail.deliver(_message())
    assert str(unreachable.value).startswith("could not reach the mail server 127.0.0.1:1")
    assert "hunter2" not in str(unreachable.value)


def test_is_an_unknown_backend_an_error_deliver_raises(app):
    app.config["MAIL_BACKEND"] = "pigeon"
    with app.app_context(), pytest.raises(mail.MailError, match="'pigeon' is not one of log, file, smtp"):
        mail.deliver(_message())


def test_is_a_header_with_a_line_break_refused_not_sent(app, smtp_server):
    app.config.update(smtp_server.mail_config)
    with app.app_context(), pytest.raises(mail.MailError):
        mail.deliver(_message(subject="Due\r\nBcc: everyone@example.org"))
    assert smtp_server.messages == []


def test_does_the_file_backend_keep_the_text_and_say_there_is_an_html_part(app, tmp_path):
    app.config.update(MAIL_BACKEND="file", MAIL_DIR=str(tmp_path / "mail"))
    with app.app_context():
        mail.deliver(_message())
    [written] = (tmp_path / "mail").iterdir()
    text = written.read_text(encoding="utf-8")
    assert "Plain words first." in text and "<strong>" not in text
    assert "This message also has an HTML part" in text
    assert "List-Unsubscribe: <https://lms.example/notices/unsubscribe/abc>" in text


def test_is_a_message_the_server_took_but_never_answered_for_an_unknown_outcome(app, smtp_server):
    app.config.update(smtp_server.mail_config, MAIL_TIMEOUT=1)
    smtp_server.hold_replies()
    with app.app_context(), pytest.raises(mail.MailOutcomeUnknown, match="no answer from the mail server after the message was sent"):
        mail.deliver(_message())
    smtp_server.release()
    assert len(smtp_server.messages) == 1, "the server has it: sending it again could send it twice"


LONG_LINK = "https://learning.saferyork.example/unsubscribe/" + "eyJ1c2VyIjoiMzE3MDA3NzMtMTUxYy00MGI1LWE3YzItZDUzYThjZjE4ODE0In0" * 2


def test_does_a_long_unsubscribe_link_cross_the_wire_as_one_plain_link(app, smtp_server):
    """Mail providers read List-Unsubscribe as <URL>; an encoded or broken-up header would hide the one-click link."""
    app.config.update(smtp_server.mail_config)
    subject = "Reminder: your Serious and organised crime awareness training needs a refresher by 20 January 2027"
    with app.app_context():
        mail.deliver(_message(subject=subject, headers={**HEADERS, "List-Unsubscribe": f"<{LONG_LINK}>"}))
    [received] = smtp_server.messages
    raw_headers = received.raw.split(b"\r\n\r\n", 1)[0].decode()
    assert f"List-Unsubscribe: <{LONG_LINK}>\r\n" in raw_headers + "\r\n"
    assert "=?utf-8?" not in raw_headers
    assert f"Subject: {subject}\r\n" in raw_headers + "\r\n"
    assert str(received.email["Subject"]) == subject


@pytest.mark.parametrize("grumble", ["421 4.3.2 Service shutting down", "500 5.5.1 Unknown command"])
def test_is_a_message_the_server_took_sent_once_whatever_it_says_to_quit(app, session, smtp_server, grumble):
    """The server answered 250 to the message, then grumbled at QUIT: the message went, so it is sent, not retried."""
    from lms.models import Notice
    from lms.services.notices.outbox import deliver_due
    from tests.lms.notices.outbox_builders import draft, learners, written

    smtp_server.quit_reply = grumble
    [amal] = learners(session, 1)
    written(session, [draft(amal)])
    assert deliver_due(session, settings=smtp_server.mail_config).sent == 1
    session.expire_all()
    assert session.query(Notice).one().status == "sent"
    assert len(smtp_server.messages) == 1
