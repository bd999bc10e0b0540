"""Can people join their organisation with a join code or a claimed email domain, and are bad attempts explained?"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lms.models import AuditEvent, User, utcnow
from lms.services.registration import RegistrationError, register
from tests.builders import make_department, make_email_domain, make_join_code, make_organisation, make_user
from tests.conftest import csrf_token

GOOD_PASSWORD = "lantern meadow copper fox"


def post_register(client, **fields):
    page = client.get("/register").get_data(as_text=True)
    data = {"full_name": "Robin Patel", "email": "robin@example.org", "join_code": "", "password": GOOD_PASSWORD,
            "confirm": GOOD_PASSWORD, "csrf_token": csrf_token(page)}
    data.update(fields)
    return client.post("/register", data=data)


@pytest.fixture
def council(session):
    organisation = make_organisation(session, name="Testville Council")
    session.commit()
    return organisation


def user_named(session, email: str) -> User | None:
    session.rollback()
    return session.scalar(select(User).where(User.email == email))


def test_does_a_join_code_register_a_learner_into_its_organisation_and_department(client, session, council):
    housing = make_department(session, council, "Housing")
    make_join_code(session, council, "TESTVILLE-HOUSING", department=housing)
    session.commit()
    response = post_register(client, join_code=" testville-housing ", email="Robin@Example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/my-training"
    training = client.get("/my-training").get_data(as_text=True)
    assert "Your account has been created. You have joined Testville Council." in training
    user = user_named(session, "robin@example.org")
    assert user.organisation_id == council.id and user.department_id == housing.id and user.full_name == "Robin Patel"
    assert user.password_hash.startswith("scrypt:") and GOOD_PASSWORD not in user.password_hash
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.registered"))
    assert event.actor_id == user.id and event.detail == {"organisation": council.slug, "via": "join code"}


def test_does_a_claimed_email_domain_let_staff_join_without_a_code(client, session, council):
    make_email_domain(session, council, "testville.gov.example")
    session.commit()
    assert post_register(client, email="robin@TESTVILLE.gov.example").status_code == 302
    user = user_named(session, "robin@testville.gov.example")
    assert user.organisation_id == council.id and user.department_id is None


def test_is_an_empty_form_answered_field_by_field(client):
    page = client.get("/register").get_data(as_text=True)
    html = client.post("/register", data={"csrf_token": csrf_token(page)}).get_data(as_text=True)
    for message in ("Enter your full name", "Enter your email address", "Enter a password", "Enter the password again"):
        assert message in html
    assert "<title>Error: Create an account" in html and 'href="#full_name"' in html


@pytest.mark.parametrize("code, message", [
    ("NO-SUCH-CODE", "Join code not recognised"),
    ("OLD-CODE", "This join code has expired"),
    ("REVOKED-CODE", "This join code is no longer in use"),
])
def test_is_a_wrong_expired_or_revoked_join_code_refused_at_its_field(client, session, council, code, message):
    make_join_code(session, council, "OLD-CODE", expires_at=utcnow() - dt.timedelta(minutes=1))
    make_join_code(session, council, "REVOKED-CODE", revoked_at=utcnow() - dt.timedelta(days=1))
    session.commit()
    response = post_register(client, join_code=code)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert 'href="#join_code"' in html and 'id="join_code-error"' in html
    assert user_named(session, "robin@example.org") is None


def test_does_an_unclaimed_email_without_a_code_ask_for_a_code(client, council):
    html = post_register(client, email="robin@elsewhere.example").get_data(as_text=True)
    assert "Enter the join code your organisation gave you" in html and 'href="#join_code"' in html


def test_does_a_registered_email_point_to_sign_in_or_reset(client, session, council):
    make_join_code(session, council, "TESTVILLE-1")
    make_user(session, council, email="robin@example.org")
    session.commit()
    html = post_register(client, join_code="TESTVILLE-1", email="ROBIN@example.org").get_data(as_text=True)
    assert "An account already exists for this email address" in html and 'href="#email"' in html
    assert 'href="/forgot-password"' in html


def test_is_a_registered_email_not_revealed_to_someone_without_a_valid_code(client, session, council):
    make_user(session, council, email="robin@example.org")
    session.commit()
    html = post_register(client, join_code="GUESS", email="robin@example.org").get_data(as_text=True)
    assert "already exists" not in html and "Join code not recognised" in html


@pytest.mark.parametrize("password, message", [
    ("short", "Password must be 12 characters or more"),
    ("password1234", "Password is too easy to guess"),
    ("ROBIN@example.org", "Password must not be your email address"),
])
def test_is_a_weak_password_refused_with_the_reason(client, session, council, password, message):
    make_join_code(session, council, "TESTVILLE-1")
    session.commit()
    html = post_register(client, join_code="TESTVILLE-1", password=password, confirm=password).get_data(as_text=True)
    assert message in html and 'href="#password"' in html


def test_are_mismatched_passwords_refused(client, session, council):
    make_join_code(session, council, "TESTVILLE-1")
    session.commit()
    html = post_register(client, join_code="TESTVILLE-1", confirm="lantern meadow copper cat").get_data(as_text=True)
    assert "Passwords do not match" in html and 'href="#confirm"' in html


def test_does_the_password_page_say_the_minimum_length(client):
    assert "Must be at least 12 characters" in client.get("/register").get_data(as_text=True)


def test_does_a_join_code_beat_an_email_domain_claimed_by_another_organisation(session, council):
    other = make_organisation(session, name="Other Council")
    make_email_domain(session, other, "example.org")
    make_join_code(session, council, "TESTVILLE-1")
    user = register(session, "Robin Patel", "robin@example.org", GOOD_PASSWORD, "TESTVILLE-1")
    assert user.organisation_id == council.id


def test_does_the_same_email_registered_twice_at_once_fail_cleanly(session, council):
    make_join_code(session, council, "TESTVILLE-1")
    register(session, "Robin Patel", "robin@example.org", GOOD_PASSWORD, "TESTVILLE-1")
    with pytest.raises(RegistrationError) as raised:
        register(session, "Robin Patel", "Robin@example.org", GOOD_PASSWORD, "TESTVILLE-1")
    assert raised.value.field == "email"


def test_are_home_and_sign_in_pages_linked_to_registration(client):
    assert 'href="/register"' in client.get("/").get_data(as_text=True)
    assert 'href="/register"' in client.get("/sign-in").get_data(as_text=True)
