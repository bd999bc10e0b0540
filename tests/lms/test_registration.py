"""Can people join their organisation with a join code or a claimed email domain, without the form telling
anyone whether an address already has an account, and are bad attempts explained?"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from flask import g
from sqlalchemy import func, select

from lms.models import AuditEvent, JoinCode, Role, User, utcnow
from lms.services import organisations, password_reset, registration
from lms.services.accounts import unusable_password
from lms.services.registration import JOIN_CODE_LIMIT, Mail, register
from tests.builders import (
    PASSWORD,
    capture_mail,
    make_department,
    make_email_domain,
    make_join_code,
    make_organisation,
    make_user,
)
from tests.conftest import csrf_token, sign_in

GOOD_PASSWORD = "lantern meadow copper fox"
CHECK_EMAIL = "We have sent an email to"


def post_register(client, address: str = "192.0.2.10", **fields):
    page = client.get("/register").get_data(as_text=True)
    data = {"full_name": "Robin Patel", "email": "robin@example.org", "join_code": "", "password": GOOD_PASSWORD,
            "confirm": GOOD_PASSWORD, "csrf_token": csrf_token(page)}
    data.update(fields)
    return client.post("/register", data=data, environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def council(session):
    organisation = make_organisation(session, name="Testville Council")
    make_join_code(session, organisation, "TESTVILLE-1")
    session.commit()
    return organisation


@pytest.fixture
def outbox(monkeypatch):
    return capture_mail(monkeypatch)


def user_named(session, email: str) -> User | None:
    session.rollback()
    return session.scalar(select(User).where(User.email == email))


def forget_loaded_user() -> None:
    """Flask-Login keeps the loaded user in `g`, which the test's app context shares between requests."""
    g.pop("_login_user", None)


def page_for(html: str, email: str) -> str:
    """The page with the address and the CSRF token taken out, to compare two answers."""
    return re.sub(r'value="[^"]+"', "", html.replace(email, "ADDRESS"))


# --- a new address ---------------------------------------------------------------------------------

def test_does_a_join_code_register_an_unconfirmed_learner_and_email_a_confirmation_link(client, session, council, outbox):
    housing = make_department(session, council, "Housing")
    make_join_code(session, council, "TESTVILLE-HOUSING", department=housing)
    session.commit()
    response = post_register(client, join_code=" testville-housing ", email="Robin@Example.org")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1 class=\"govuk-heading-l\">Check your email</h1>" in html
    assert f"{CHECK_EMAIL} <strong class=\"govuk-!-text-break-word\">Robin@Example.org</strong>" in html
    assert client.get("/my-training").status_code == 302, "registering does not sign anyone in"
    user = user_named(session, "robin@example.org")
    assert user.organisation_id == council.id and user.department_id == housing.id and user.full_name == "Robin Patel"
    assert user.password_hash.startswith("scrypt:") and not user.email_confirmed
    [message] = outbox
    assert message.to == "robin@example.org" and message.subject == "Confirm your email address for Safer Learning"
    assert "works for 48 hours, and only once" in message.body and "/confirm-email/" in message.body
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.registered"))
    assert event.actor_id == user.id and event.detail == {"organisation": council.slug, "via": "join code"}


def test_does_a_claimed_email_domain_let_staff_join_without_a_code(client, session, council, outbox):
    make_email_domain(session, council, "testville.gov.example")
    session.commit()
    assert CHECK_EMAIL in post_register(client, email="robin@TESTVILLE.gov.example").get_data(as_text=True)
    user = user_named(session, "robin@testville.gov.example")
    assert user.organisation_id == council.id and user.department_id is None
    assert outbox.to("robin@testville.gov.example")


def test_does_the_emailed_link_confirm_the_address_only_with_the_button_and_the_chosen_password(client, session, council, outbox):
    post_register(client, join_code="TESTVILLE-1")
    assert sign_in(client, "robin@example.org", GOOD_PASSWORD).status_code == 200, "no sign-in before the address is confirmed"
    link = outbox.link("/confirm-email/")
    page = client.get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Confirm my email address" in html and "Testville Council" in html and "Robin Patel" in html
    assert not user_named(session, "robin@example.org").email_confirmed, "opening the link (a mail scanner might) confirms nothing"
    wrong = client.post(link, data={"csrf_token": csrf_token(html), "password": "not the one chosen"})
    assert wrong.status_code == 200 and "Enter the password you chose" in wrong.get_data(as_text=True)
    assert not user_named(session, "robin@example.org").email_confirmed
    response = client.post(link, data={"csrf_token": csrf_token(html), "password": GOOD_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/my-training"
    assert "Your email address is confirmed and you are signed in" in client.get("/my-training").get_data(as_text=True)
    assert user_named(session, "robin@example.org").email_confirmed
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "user.email_confirmed"))
    again = client.get(link)
    assert again.status_code == 400 and "This link does not work" in again.get_data(as_text=True)


def test_can_someone_who_registered_a_stranger_s_address_not_win_it_when_the_owner_clicks(client, session, council, outbox):
    """The owner opens the link in the mail the registration sent them, but does not know the registrant's
    password, so cannot confirm an account someone else set up (at the owner's employer's domain, say)."""
    post_register(client, join_code="TESTVILLE-1", full_name="Not Robin", password="squatter password 1", confirm="squatter password 1")
    link = outbox.link("/confirm-email/")
    owner = client.application.test_client()
    html = owner.get(link).get_data(as_text=True)
    assert "Not Robin" in html and "register again" in html
    for guess in ("lantern meadow copper fox", "password123456"):
        owner.post(link, data={"csrf_token": csrf_token(html), "password": guess})
    assert not user_named(session, "robin@example.org").email_confirmed


def test_are_wrong_passwords_on_a_confirmation_link_limited(client, session, council, outbox):
    post_register(client, join_code="TESTVILLE-1")
    link = outbox.link("/confirm-email/")
    html = client.get(link).get_data(as_text=True)
    for _ in range(5):
        client.post(link, data={"csrf_token": csrf_token(html), "password": "a wrong guess here"})
    client.post(link, data={"csrf_token": csrf_token(html), "password": GOOD_PASSWORD})
    assert not user_named(session, "robin@example.org").email_confirmed, "even the right password waits once the tries are used"


def test_is_a_late_or_tampered_confirmation_link_refused_with_a_clear_page(client, session, council, outbox, monkeypatch):
    post_register(client, join_code="TESTVILLE-1")
    link = outbox.link("/confirm-email/")
    assert client.get(link[:-3] + "AAA").status_code == 400
    reset_link = "/confirm-email/" + password_reset.make_token(user_named(session, "robin@example.org"), "test-secret")
    assert "This link does not work" in client.get(reset_link).get_data(as_text=True), "a reset token is not a confirmation"
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: 4_000_000_000)
    late = client.get(link)
    assert late.status_code == 400 and "This link has expired" in late.get_data(as_text=True)
    assert "48 hours" in late.get_data(as_text=True)


# --- an address that already has an account --------------------------------------------------------

def test_does_a_registered_address_get_the_same_page_as_a_new_one_and_its_owner_an_email(client, session, council, outbox):
    owner = make_user(session, council, email="robin@example.org")
    session.commit()
    known = post_register(client, join_code="TESTVILLE-1", email="ROBIN@example.org", full_name="Mallory")
    unknown = post_register(client, join_code="TESTVILLE-1", email="newcomer@example.org", full_name="Mallory")
    assert known.status_code == unknown.status_code == 200
    assert page_for(known.get_data(as_text=True), "ROBIN@example.org") == page_for(unknown.get_data(as_text=True), "newcomer@example.org")
    session.rollback()
    assert session.get(User, owner.id).full_name == "Test Person", "nothing about the account changed"
    assert sign_in(client, "robin@example.org", PASSWORD).status_code == 302, "the owner's password still works"
    [note] = outbox.to("robin@example.org")
    assert note.subject.startswith("Someone tried to create") and "/forgot-password" in note.body and "/sign-in" in note.body
    assert "/confirm-email/" not in note.body


def test_is_an_imported_address_left_alone_and_its_owner_told(client, session, council, outbox):
    session.add(User(email="robin@example.org", full_name="Robin Imported", password_hash=unusable_password(),
                     organisation_id=council.id))
    session.commit()
    assert CHECK_EMAIL in post_register(client, join_code="TESTVILLE-1").get_data(as_text=True)
    user = user_named(session, "robin@example.org")
    assert user.full_name == "Robin Imported" and user.password_hash.startswith("!")
    assert [m.subject for m in outbox] == ["Someone tried to create a Safer Learning account with your email address"]


def test_does_registering_again_replace_an_unconfirmed_self_registration(client, session, council, outbox):
    other = make_organisation(session, name="Otherton Council")
    make_join_code(session, other, "OTHERTON-1")
    squatter = session.scalar(select(User).where(User.id == make_user(session, council, Role.ORG_ADMIN, email="robin@example.org",
                                                                      confirmed=False).id))
    session.commit()
    post_register(client, join_code="TESTVILLE-1", full_name="Squatter", password="squatter password 1",
                  confirm="squatter password 1")
    squatter_link = outbox.link("/confirm-email/")
    post_register(owner := client.application.test_client(), join_code="OTHERTON-1")
    user = user_named(session, "robin@example.org")
    assert user.id == squatter.id and user.full_name == "Robin Patel" and user.organisation_id == other.id and not user.email_confirmed
    assert user.role == Role.LEARNER, "a role an admin gave the unconfirmed account does not pass to whoever registers it next"
    assert sign_in(owner, "robin@example.org", "squatter password 1").status_code == 200
    assert "This link does not work" in client.get(squatter_link).get_data(as_text=True)
    assert outbox.link("/confirm-email/") != squatter_link
    assert client.get(outbox.link("/confirm-email/")).status_code == 200
    assert session.scalar(select(func.count(User.id)).where(User.email == "robin@example.org")) == 1


def test_does_registering_then_signing_in_tell_nothing_about_who_has_an_account(client, session, council, outbox):
    """Registering an address with a password of one's own, then signing in with it, fails the same way
    whether the address was new or already somebody's."""
    make_user(session, council, email="taken@example.org")
    session.commit()
    outcomes = {}
    for email in ("taken@example.org", "free@example.org"):
        post_register(client, join_code="TESTVILLE-1", email=email, password="probe password 12", confirm="probe password 12")
        response = sign_in(client, email, "probe password 12")
        outcomes[email] = (response.status_code, "Enter a correct email address and password" in response.get_data(as_text=True))
    assert outcomes["taken@example.org"] == outcomes["free@example.org"] == (200, True)


@pytest.mark.parametrize("existing", ["none", "confirmed", "imported", "unconfirmed"])
def test_does_every_registration_cost_one_password_hash(session, council, monkeypatch, existing):
    if existing != "none":
        user = make_user(session, council, email="robin@example.org", confirmed=existing == "confirmed")
        if existing == "imported":
            user.password_hash = unusable_password()
        session.commit()
    calls = []
    real_scrypt = hashlib.scrypt
    monkeypatch.setattr(hashlib, "scrypt", lambda *args, **kwargs: calls.append(1) or real_scrypt(*args, **kwargs))
    done = register(session, "Robin Patel", "robin@example.org", GOOD_PASSWORD, "TESTVILLE-1")
    assert len(calls) == 1
    assert done.mail is (Mail.ALREADY_REGISTERED if existing in ("confirmed", "imported") else Mail.CONFIRM)


def test_are_registration_emails_to_one_address_limited_while_the_page_stays_the_same(client, session, council, outbox):
    pages = {page_for(post_register(client, join_code="TESTVILLE-1").get_data(as_text=True), "robin@example.org")
             for _ in range(password_reset.MAIL_LIMIT + 2)}
    assert len(pages) == 1
    assert len(outbox.to("robin@example.org")) == password_reset.MAIL_LIMIT


# --- join codes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["NO-SUCH-CODE", "OLD-CODE", "REVOKED-CODE"])
def test_do_unknown_expired_and_revoked_codes_all_get_the_same_answer(client, session, council, code):
    make_join_code(session, council, "OLD-CODE", expires_at=utcnow() - dt.timedelta(minutes=1))
    make_join_code(session, council, "REVOKED-CODE", revoked_at=utcnow() - dt.timedelta(days=1))
    session.commit()
    response = post_register(client, join_code=code)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and registration.CODE_REFUSED in html
    assert "expired" not in html and "no longer" not in html and "not recognised" not in html
    assert 'href="#join_code"' in html and 'id="join_code-error"' in html
    assert user_named(session, "robin@example.org") is None


def test_is_join_code_guessing_throttled_per_client_address(client, session, council, outbox):
    for number in range(JOIN_CODE_LIMIT):
        assert registration.CODE_REFUSED in post_register(client, join_code=f"GUESS-{number}").get_data(as_text=True)
    blocked = post_register(client, join_code="TESTVILLE-1").get_data(as_text=True)
    assert "Too many join codes tried" in blocked and user_named(session, "robin@example.org") is None
    assert CHECK_EMAIL in post_register(client, address="198.51.100.7", join_code="TESTVILLE-1").get_data(as_text=True)


def test_are_generated_join_codes_long_and_random(session, council):
    codes = {organisations.create_join_code(session, council, None).code for _ in range(5)}
    assert len(codes) == 5
    for code in codes:
        assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}", code), code
        assert set(code.replace("-", "")) <= set(organisations.CODE_ALPHABET)
    assert session.scalar(select(func.count(JoinCode.id))) == 6


def test_does_a_join_code_beat_an_email_domain_claimed_by_another_organisation(session, council):
    other = make_organisation(session, name="Other Council")
    make_email_domain(session, other, "example.org")
    done = register(session, "Robin Patel", "robin@example.org", GOOD_PASSWORD, "TESTVILLE-1")
    assert done.user.organisation_id == council.id and done.mail is Mail.CONFIRM


def test_does_an_unclaimed_email_without_a_code_ask_for_a_code(client, council):
    html = post_register(client, email="robin@elsewhere.example").get_data(as_text=True)
    assert "Enter the join code your organisation gave you" in html and 'href="#join_code"' in html


# --- the form ----------------------------------------------------------------------------------------

def test_is_an_empty_form_answered_field_by_field(client):
    page = client.get("/register").get_data(as_text=True)
    html = client.post("/register", data={"csrf_token": csrf_token(page)}).get_data(as_text=True)
    for message in ("Enter your full name", "Enter your email address", "Enter a password", "Enter the password again"):
        assert message in html
    assert "<title>Error: Create an account" in html and 'href="#full_name"' in html


@pytest.mark.parametrize("field, value, message", [
    ("email", "a" * 100_000 + "@example.org", "Email address must be 320 characters or fewer"),
    ("full_name", "R" * 201, "Full name must be 200 characters or fewer"),
    ("join_code", "J" * 33, "Join code must be 32 characters or fewer"),
    ("password", "p" * 257, "Password must be 256 characters or fewer"),
])
def test_is_an_overlong_field_refused_by_its_length_with_a_clear_message(client, council, field, value, message):
    fields = {"password": value, "confirm": value} if field == "password" else {field: value}
    html = post_register(client, **{"join_code": "TESTVILLE-1", **fields}).get_data(as_text=True)
    assert message in html and f'href="#{field}"' in html


def test_are_the_costly_checks_skipped_for_an_overlong_value(client, council, monkeypatch):
    monkeypatch.setattr("wtforms.validators.Email.__call__", lambda *a: pytest.fail("the email format was checked"))
    monkeypatch.setattr("lms.auth.forms.password_problem", lambda *a: pytest.fail("the password policy was checked"))
    html = post_register(client, email="a" * 100_000 + "@example.org", password="p" * 300, confirm="p" * 300).get_data(as_text=True)
    assert "Email address must be 320 characters or fewer" in html and "Password must be 256 characters or fewer" in html


def test_is_a_four_megabyte_email_refused_at_once_without_a_server_error(client):
    page = client.get("/register").get_data(as_text=True)
    response = client.post("/register", data={"email": "a" * 4_000_000, "csrf_token": csrf_token(page)})
    assert response.status_code in (400, 413) and "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("password, message", [
    ("short", "Password must be 12 characters or more"),
    ("password1234", "Password is too easy to guess"),
    ("ROBIN@example.org", "Password must not be your email address"),
])
def test_is_a_weak_password_refused_with_the_reason(client, session, council, password, message):
    html = post_register(client, join_code="TESTVILLE-1", password=password, confirm=password).get_data(as_text=True)
    assert message in html and 'href="#password"' in html


def test_are_mismatched_passwords_refused(client, session, council):
    html = post_register(client, join_code="TESTVILLE-1", confirm="lantern meadow copper cat").get_data(as_text=True)
    assert "Passwords do not match" in html and 'href="#confirm"' in html


def test_does_the_password_page_say_the_minimum_length(client):
    assert "Must be at least 12 characters" in client.get("/register").get_data(as_text=True)


def test_are_home_and_sign_in_pages_linked_to_registration(client):
    assert 'href="/register"' in client.get("/").get_data(as_text=True)
    assert 'href="/register"' in client.get("/sign-in").get_data(as_text=True)


def test_can_the_owner_register_over_a_strangers_registration_an_admin_deactivated(client, session, council, outbox):
    """An admin deactivating a stranger's unconfirmed registration must not lock the address's real owner out."""
    stranger = make_user(session, council, email="robin@example.org", confirmed=False)
    stranger.full_name, stranger.active = "Not Robin", False
    session.commit()
    post_register(client, join_code="TESTVILLE-1")
    user = user_named(session, "robin@example.org")
    assert user.active and user.full_name == "Robin Patel" and user.confirmation_sent_at is not None
    assert outbox.link("/confirm-email/", "robin@example.org")


def test_does_the_confirmation_page_say_to_wait_once_the_tries_are_used(client, session, council, outbox):
    post_register(client, join_code="TESTVILLE-1")
    link = outbox.link("/confirm-email/")
    html = client.get(link).get_data(as_text=True)
    for _ in range(5):
        client.post(link, data={"csrf_token": csrf_token(html), "password": "a wrong guess here"})
    waiting = client.post(link, data={"csrf_token": csrf_token(html), "password": GOOD_PASSWORD}).get_data(as_text=True)
    assert "too many wrong passwords" in waiting and "Wait 15 minutes" in waiting
