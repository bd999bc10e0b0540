"""Can people sign in and out, and does a failed sign-in give nothing away?"""

from __future__ import annotations

from lms.models import Role
from tests.builders import make_user
from tests.conftest import csrf_token, sign_in

GENERIC = "Enter a correct email address and password"


def test_does_the_right_password_sign_in_and_sign_out_end_the_session(client, session):
    make_user(session, email="amal@example.org")
    session.commit()
    response = sign_in(client, "AMAL@example.org ")
    assert response.status_code == 302 and response.headers["Location"] == "/my-training"
    page = client.get("/my-training").get_data(as_text=True)
    assert "Test Person" in page
    client.post("/sign-out", data={"csrf_token": csrf_token(page)})
    assert client.get("/my-training").status_code == 302


def test_do_a_wrong_password_and_an_unknown_email_get_the_same_message(client, session):
    make_user(session, email="amal@example.org")
    session.commit()
    wrong_password = sign_in(client, "amal@example.org", "not the password").get_data(as_text=True)
    unknown_email = sign_in(client, "nobody@example.org", "not the password").get_data(as_text=True)
    assert GENERIC in wrong_password and GENERIC in unknown_email
    assert "There is a problem" in wrong_password and 'href="#password"' in wrong_password
    assert client.get("/my-training").status_code == 302


def test_is_an_empty_form_answered_field_by_field(client):
    page = client.get("/sign-in").get_data(as_text=True)
    html = client.post("/sign-in", data={"csrf_token": csrf_token(page)}).get_data(as_text=True)
    assert "Enter your email address" in html and "Enter your password" in html
    assert html.count("govuk-error-message") == 2 and "<title>Error: Sign in" in html


def test_can_a_deactivated_user_not_sign_in(client, session):
    user = make_user(session, email="left@example.org")
    user.active = False
    session.commit()
    assert GENERIC in sign_in(client, "left@example.org").get_data(as_text=True)


def test_does_next_only_send_people_to_this_site(client, session):
    make_user(session, email="amal@example.org", role=Role.LEARNER)
    session.commit()
    page = client.get("/sign-in?next=https://evil.example/").get_data(as_text=True)
    response = client.post("/sign-in?next=https://evil.example/", data={"email": "amal@example.org", "password": "correct horse battery staple", "csrf_token": csrf_token(page)})
    assert response.headers["Location"] == "/my-training"


def test_does_every_page_carry_the_security_headers(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff" and response.headers["X-Frame-Options"] == "DENY"


def test_is_an_unknown_page_a_plain_not_found(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)
