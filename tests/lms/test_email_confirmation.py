"""Until a person confirms their email address, can they do nothing that counts (not even sign in), and can
they get the confirmation link again without the page telling anyone who has an account?"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.models import Attempt, Role
from lms.services import completions, organisations, password_reset
from lms.services.accounts import hash_password
from tests.builders import PASSWORD, capture_mail, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token, sign_in
from tests.security.conftest import signed_client

SENT = "has an account waiting to be confirmed, we have"


@pytest.fixture
def robin(session):
    organisation = make_organisation(session, make_partnership(session, "Safer Testville"), "Testville Council")
    user = make_user(session, organisation, email="robin@testville.example", confirmed=False)
    session.commit()
    return user


@pytest.fixture
def outbox(monkeypatch):
    return capture_mail(monkeypatch)


def ask_again(client, email: str):
    page = client.get("/send-confirmation-link").get_data(as_text=True)
    return client.post("/send-confirmation-link", data={"csrf_token": csrf_token(page), "email": email})


def test_can_an_unconfirmed_person_not_sign_in_and_is_told_how_to_confirm(client, robin):
    response = sign_in(client, robin.email)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Enter a correct email address and password" in html
    assert 'href="/send-confirmation-link"' in html and "not confirmed your email address yet" in html


def test_does_the_service_itself_refuse_an_unconfirmed_person_an_assessment(session, published, robin):
    with pytest.raises(completions.EmailNotConfirmed):
        completions.start_attempt(session, robin, published.current_version)
    assert session.scalar(select(func.count(Attempt.id))) == 0


def test_can_a_confirmed_person_start_the_assessment(client, session, published):
    user = make_user(session, email="amal@example.org")
    session.commit()
    sign_in(client, user.email)
    page = client.get("/modules/tiny-module/assessment").get_data(as_text=True)
    assert "Start the assessment" in page and "Confirm your email address to take assessments" not in page


def test_does_asking_again_mail_a_working_link(client, session, robin, outbox):
    response = ask_again(client, robin.email)
    assert response.status_code == 200 and SENT in response.get_data(as_text=True)
    link = outbox.link("/confirm-email/", robin.email)
    page = client.get(link).get_data(as_text=True)
    confirmed = client.post(link, data={"csrf_token": csrf_token(page), "password": PASSWORD})
    assert confirmed.headers["Location"] == "/my-training"
    assert client.get("/my-training").status_code == 200, "confirming signs the person in"


@pytest.mark.parametrize("who", ["unknown", "confirmed", "imported"])
def test_does_asking_again_say_the_same_for_every_address_and_send_nothing_needless(client, session, robin, outbox, who):
    if who != "unknown":
        person = make_user(session, email=f"{who}@testville.example", confirmed=who == "confirmed")
        person.password_hash = "!imported" if who == "imported" else person.password_hash
        session.commit()
    address = f"{who}@testville.example"
    answer = ask_again(client, address).get_data(as_text=True)
    assert SENT in answer and outbox == []
    waiting = ask_again(client, robin.email).get_data(as_text=True)
    assert re.sub(r'value="[^"]+"', "", answer.replace(address, "ADDRESS")) == re.sub(r'value="[^"]+"', "", waiting.replace(robin.email, "ADDRESS"))


def test_is_asking_again_limited_per_address(client, session, robin, outbox):
    for _ in range(password_reset.MAIL_LIMIT + 2):
        assert SENT in ask_again(client, robin.email).get_data(as_text=True)
    assert len(outbox) == password_reset.MAIL_LIMIT


def test_does_asking_again_need_its_csrf_token(client, robin, outbox):
    assert client.post("/send-confirmation-link", data={"email": robin.email}).status_code == 400
    assert outbox == []


def test_can_an_unconfirmed_person_not_be_given_a_staff_role(session, robin):
    admin = make_user(session, robin.organisation, Role.SITE_ADMIN)
    with pytest.raises(organisations.AdminError, match="has not confirmed their email address"):
        organisations.set_role(session, robin, Role.ORG_ADMIN, tuple(Role), admin.id)
    organisations.set_role(session, robin, Role.LEARNER, tuple(Role), admin.id)  # staying a learner is fine


def test_are_staff_pages_refused_to_an_unconfirmed_account_that_is_somehow_signed_in(app, session, robin):
    """Defence in depth: even a session minted for an unconfirmed admin opens no admin page."""
    robin.role, robin.password_hash = Role.ORG_ADMIN, hash_password(PASSWORD)
    session.commit()
    client, _token = signed_client(app, robin.id)
    assert client.get("/admin/").status_code == 403
