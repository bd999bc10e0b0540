"""Until a person confirms their email address, can they read the training but not take an assessment,
and can they get the confirmation link again?"""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import func, select

from lms.models import Attempt
from lms.services import completions, password_reset
from tests.builders import capture_mail, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token, sign_in

NOTICE = "Confirm your email address to take assessments"


@pytest.fixture
def robin(session):
    organisation = make_organisation(session, make_partnership(session, "Safer Testville"), "Testville Council")
    user = make_user(session, organisation, email="robin@testville.example", confirmed=False)
    session.commit()
    return user


@pytest.fixture
def outbox(monkeypatch):
    return capture_mail(monkeypatch)


def resend(client, page: str = "/my-training", **data):
    token = csrf_token(client.get(page).get_data(as_text=True))
    g.pop("_login_user", None)  # the test's app context is shared between requests
    return client.post("/send-confirmation-link", data={"csrf_token": token, "next": page, **data})


def test_can_an_unconfirmed_person_sign_in_and_read_the_lessons(client, session, published, robin):
    assert sign_in(client, robin.email).status_code == 302
    training = client.get("/my-training").get_data(as_text=True)
    assert NOTICE in training and "Send the confirmation link again" in training and 'action="/send-confirmation-link"' in training
    assert client.get("/modules/tiny-module/pages/1").status_code == 200


def test_is_the_assessment_refused_until_the_address_is_confirmed(client, session, published, robin):
    sign_in(client, robin.email)
    page = client.get("/modules/tiny-module/assessment").get_data(as_text=True)
    assert NOTICE in page and "Start the assessment" not in page
    response = client.post("/modules/tiny-module/assessment", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 403 and NOTICE in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Attempt.id))) == 0


def test_does_the_service_itself_refuse_an_unconfirmed_person(session, published, robin):
    with pytest.raises(completions.EmailNotConfirmed):
        completions.start_attempt(session, robin, published.current_version)
    assert session.scalar(select(func.count(Attempt.id))) == 0


def test_can_a_confirmed_person_start_the_assessment(client, session, published):
    user = make_user(session, email="amal@example.org")
    session.commit()
    sign_in(client, user.email)
    page = client.get("/modules/tiny-module/assessment").get_data(as_text=True)
    assert NOTICE not in page and "Start the assessment" in page
    assert NOTICE not in client.get("/my-training").get_data(as_text=True)


def test_does_send_again_mail_a_working_link_and_come_back_to_the_page(client, session, published, robin, outbox):
    sign_in(client, robin.email)
    response = resend(client, "/modules/tiny-module/assessment")
    assert response.status_code == 302 and response.headers["Location"] == "/modules/tiny-module/assessment"
    assert "We have sent a new confirmation link to robin@testville.example" in client.get(response.headers["Location"]).get_data(as_text=True)
    link = outbox.link("/confirm-email/", "robin@testville.example")
    g.pop("_login_user", None)
    confirm = client.post(link, data={"csrf_token": csrf_token(client.get(link).get_data(as_text=True))})
    assert confirm.headers["Location"] == "/my-training", "a signed-in person goes back to their training"
    g.pop("_login_user", None)
    assert "Start the assessment" in client.get("/modules/tiny-module/assessment").get_data(as_text=True)


def test_is_send_again_limited_per_address(client, session, robin, outbox):
    sign_in(client, robin.email)
    for _ in range(password_reset.MAIL_LIMIT):
        resend(client)
    html = client.get(resend(client).headers["Location"]).get_data(as_text=True)
    assert "Wait 15 minutes, then ask again" in html
    assert len(outbox) == password_reset.MAIL_LIMIT


def test_does_send_again_need_a_signed_in_post_with_its_csrf_token(client, session, robin, outbox):
    anonymous = client.post("/send-confirmation-link", data={"csrf_token": csrf_token(client.get("/sign-in").get_data(as_text=True))})
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in")
    sign_in(client, robin.email)
    assert client.post("/send-confirmation-link", data={}).status_code == 400
    assert client.get("/send-confirmation-link").status_code == 405
    assert outbox == []


def test_does_send_again_refuse_to_leave_the_site(client, session, robin, outbox):
    sign_in(client, robin.email)
    assert resend(client, next="https://evil.example/").headers["Location"] == "/my-training"


def test_is_a_confirmed_person_told_there_is_nothing_to_send(client, session, outbox):
    user = make_user(session, email="amal@example.org")
    session.commit()
    sign_in(client, user.email)
    response = resend(client)
    assert "already confirmed" in client.get(response.headers["Location"]).get_data(as_text=True) and outbox == []
