"""Can people reset a forgotten password by a link that expires, works once, and gives nothing away?"""

from __future__ import annotations

import logging
import re
import threading

import pytest
from sqlalchemy import select

from lms import mail
from lms.models import AuditEvent
from lms.services import password_reset, throttling
from tests.builders import capture_mail, make_user
from tests.conftest import csrf_token, sign_in

NEW_PASSWORD = "harbour violet tramline"
SAME_ANSWER = "If amal@example.org has an account, we have sent it a link to reset the password."


def ask_for_link(client, email: str) -> str:
    page = client.get("/forgot-password").get_data(as_text=True)
    return client.post("/forgot-password", data={"email": email, "csrf_token": csrf_token(page)}).get_data(as_text=True)


@pytest.fixture
def outbox(monkeypatch):
    return capture_mail(monkeypatch)


def choose_password(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"password": password, "confirm": confirm or password, "csrf_token": csrf_token(page)})


@pytest.fixture
def amal(session):
    user = make_user(session, email="amal@example.org")
    session.commit()
    return user


def test_does_the_forgot_page_say_the_same_whether_or_not_the_email_exists(client, amal, outbox):
    known = ask_for_link(client, "amal@example.org")
    unknown = ask_for_link(client, "nobody@example.org").replace("nobody@example.org", "amal@example.org")
    assert SAME_ANSWER in known and re.sub(r'value="[^"]+"', "", known) == re.sub(r'value="[^"]+"', "", unknown)
    assert [m.to for m in outbox] == ["amal@example.org"], "only the registered address gets an email"


def test_can_a_learner_reset_their_password_through_the_emailed_link(client, session, amal, outbox):
    ask_for_link(client, "amal@example.org")
    [message] = outbox
    assert message.to == "amal@example.org" and "works for 60 minutes, and only once" in message.body
    response = choose_password(client, outbox.link("/reset-password/"))
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert "Your password has been changed" in client.get("/sign-in").get_data(as_text=True)
    assert sign_in(client, "amal@example.org").status_code == 200, "the old password no longer works"
    assert sign_in(client, "amal@example.org", NEW_PASSWORD).status_code == 302
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.actor_id == amal.id)) == "user.password_reset"


def test_does_a_used_link_stop_working(client, amal, outbox):
    ask_for_link(client, "amal@example.org")
    path = outbox.link("/reset-password/")
    choose_password(client, path)
    response = client.get(path)
    assert response.status_code == 400 and "This link does not work" in response.get_data(as_text=True)


def test_does_an_expired_link_get_a_clear_page(client, amal, app, monkeypatch):
    with app.app_context():
        token = password_reset.make_token(amal, app.config["SECRET_KEY"])
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: 4_000_000_000)  # long after the link was made
    response = client.get(f"/reset-password/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "This link has expired" in html and 'href="/forgot-password"' in html


def test_does_a_tampered_link_get_a_clear_page(client, amal, app):
    with app.app_context():
        token = password_reset.make_token(amal, app.config["SECRET_KEY"])
    for broken in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "not-a-token", password_reset.make_token(amal, "another key")):
        response = client.get(f"/reset-password/{broken}")
        assert response.status_code == 400 and "This link does not work" in response.get_data(as_text=True)


def test_is_a_weak_new_password_refused(client, amal, app):
    with app.app_context():
        token = password_reset.make_token(amal, app.config["SECRET_KEY"])
    html = choose_password(client, f"/reset-password/{token}", "password1234").get_data(as_text=True)
    assert "Password is too easy to guess" in html and 'href="#password"' in html
    html = choose_password(client, f"/reset-password/{token}", "amal@example.org").get_data(as_text=True)
    assert "Password must not be your email address" in html


def test_does_a_reset_lift_a_sign_in_lock(client, amal, app):
    for _ in range(throttling.EMAIL_LIMIT):
        sign_in(client, "amal@example.org", "wrong password")
    with app.app_context():
        token = password_reset.make_token(amal, app.config["SECRET_KEY"])
    choose_password(client, f"/reset-password/{token}")
    assert sign_in(client, "amal@example.org", NEW_PASSWORD).status_code == 302


def test_is_an_empty_forgot_form_answered_at_its_field(client):
    page = client.get("/forgot-password").get_data(as_text=True)
    html = client.post("/forgot-password", data={"csrf_token": csrf_token(page)}).get_data(as_text=True)
    assert "Enter your email address" in html and 'href="#email"' in html


class RecordingSMTP:
    """Stands in for an SMTP server connection, keeping what would have been sent."""

    sent: list = []

    def __init__(self, host, port, timeout):
        self.address = (host, port)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        self.tls = True

    def login(self, username, password):
        self.credentials = (username, password)

    def data(self, content):  # what send_message hands the message to on a real connection
        return 250, b"OK"

    def send_message(self, message):
        RecordingSMTP.sent.append((self.address, getattr(self, "tls", False), getattr(self, "credentials", None), message))

    def quit(self):
        self.closed = True

    def close(self):
        self.closed = True


def test_does_the_smtp_backend_send_through_the_configured_server(app, monkeypatch):
    monkeypatch.setattr("smtplib.SMTP", RecordingSMTP)
    RecordingSMTP.sent = []
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="mail.example.org", MAIL_PORT=587, MAIL_USE_TLS=True,
                      MAIL_USERNAME="lms", MAIL_PASSWORD="secret", MAIL_SENDER="Safer Learning <lms@example.org>")
    with app.app_context():
        assert mail.send(mail.Message("amal@example.org", "Hello", "Body text"))
    (address, tls, credentials, message), = RecordingSMTP.sent
    assert address == ("mail.example.org", 587) and tls and credentials == ("lms", "secret")
    assert message["To"] == "amal@example.org" and message["From"] == "Safer Learning <lms@example.org>"
    assert message.get_content().strip() == "Body text"


def wait_for_mail() -> None:
    for thread in threading.enumerate():
        if thread.name == mail.MAIL_THREAD:
            thread.join(timeout=10)


def test_does_a_mail_failure_leave_the_forgot_page_unchanged(client, amal, app, caplog):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)
    with caplog.at_level(logging.ERROR, logger="lms.mail"):
        html = ask_for_link(client, "amal@example.org")
        wait_for_mail()
    assert SAME_ANSWER in html
    assert any("could not send email" in r.getMessage() for r in caplog.records)


def test_does_a_slow_mail_server_not_hold_up_the_page_for_a_registered_email(client, amal, app, monkeypatch):
    """The answer must come as fast for a registered email as for an unknown one, or it tells who has an account."""
    release, delivered = threading.Event(), []

    class SlowSMTP(RecordingSMTP):
        def send_message(self, message):
            release.wait(timeout=10)
            delivered.append(message["To"])

    monkeypatch.setattr("smtplib.SMTP", SlowSMTP)
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="mail.example.org", MAIL_PORT=25)
    html = ask_for_link(client, "amal@example.org")
    assert SAME_ANSWER in html and delivered == []  # answered while the mail server is still busy
    release.set()
    wait_for_mail()
    assert delivered == ["amal@example.org"]


def test_are_reset_emails_to_one_address_limited_without_the_page_saying_so(client, amal, outbox):
    pages = {re.sub(r'value="[^"]+"', "", ask_for_link(client, "amal@example.org")) for _ in range(password_reset.MAIL_LIMIT + 2)}
    assert len(pages) == 1 and SAME_ANSWER in pages.pop()
    assert len(outbox) == password_reset.MAIL_LIMIT


def test_does_a_password_reset_confirm_an_imported_person_who_never_set_a_password(client, session, outbox):
    robin = make_user(session, email="robin@example.org", confirmed=False)
    robin.password_hash = "!imported"
    session.commit()
    ask_for_link(client, "robin@example.org")
    choose_password(client, outbox.link("/reset-password/"))
    session.refresh(robin)
    assert robin.email_confirmed, "the link proved that Robin reads mail at this address, and an admin added Robin"


def test_is_an_unconfirmed_self_registration_never_reset_into_use(client, session, outbox):
    """Whoever registered the address chose its organisation; resetting would hand its owner an account someone
    else set up. The page says the same as for any address, and no link is sent."""
    make_user(session, email="robin@example.org", confirmed=False)
    session.commit()
    assert "If robin@example.org has an account" in ask_for_link(client, "robin@example.org")
    assert outbox == []


def test_does_a_reset_link_not_work_as_a_set_password_link(client, amal, app):
    with app.app_context():
        token = password_reset.make_token(amal, app.config["SECRET_KEY"])
    assert client.get(f"/set-password/{token}").status_code == 400
    assert client.get(f"/reset-password/{token}").status_code == 200
