"""Does every form, sent empty or with bad values, say what is wrong in GOV.UK words that name the field?

A person must never see a library's own wording ("This field is required.", "Not a valid choice.",
"Field cannot be longer than 200 characters.", anything about a "CSRF token"), and every error summary
link must lead to a box on the page.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from flask import abort

from lms.models import Role
from tests.builders import date_boxes, make_organisation, make_partnership, make_training_session, make_user
from tests.conftest import csrf_token
from tests.lms.reporting_builders import make_module, signed_in

LIBRARY_WORDING = re.compile(r"This field is required|Not a valid|Invalid (?:Choice|email)|Field cannot be|Field must be|"
                             r"CSRF|Invalid input|Not a valid date value", re.IGNORECASE)


@pytest.fixture
def place(session):
    organisation = make_organisation(session, make_partnership(session, "Home"), "Alpha Council")
    make_user(session, organisation, Role.SITE_ADMIN, email="site@alpha.example")
    module = make_module(session, "Hate crime")
    training = make_training_session(session, module, organisation, dt.date(2025, 11, 20))
    session.commit()
    return {"org": organisation.id, "session": training.id}


def sent(client, path: str, data: dict[str, str]) -> str:
    """What a person sees after filling in `data` on the page at `path` and sending it."""
    token = csrf_token(client.get(path).get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, **data})
    assert response.status_code == 200, f"{path} did not show the form again"
    return response.get_data(as_text=True)


def assert_explained(page: str, *messages: str) -> None:
    """The page is titled "Error: ...", shows each message, links only to boxes it has, and uses no library wording."""
    text = html.unescape(page)
    assert re.search(r"<title>\s*Error: ", page), "the title does not start with Error:"
    for message in messages:
        assert message in text, f"missing: {message}"
    summary = page[page.index('class="govuk-error-summary"'):page.index("</ul>", page.index('class="govuk-error-summary"'))]
    for target in re.findall(r'href="#([^"]+)"', summary):
        assert f'id="{target}"' in page, f"the error summary links to #{target}, which is not on the page"
    assert not LIBRARY_WORDING.search(re.sub(r"<[^>]+>", " ", text)), LIBRARY_WORDING.search(text)


TOO_LONG = "x" * 201
ADMIN_FORMS = [
    ("/admin/partnerships/new", {}, ["Enter the partnership's name"]),
    ("/admin/partnerships/new", {"name": TOO_LONG}, ["Partnership name must be 200 characters or fewer"]),
    ("/admin/organisations/new", {}, ["Enter the organisation's name", "Choose the partnership"]),
    ("/admin/organisations/new", {"name": "Beta", "type": "spaceship", "partnership": "99999"},
     ["Choose the type of organisation", "Choose the partnership"]),
    ("/admin/organisations/{org}/edit", {"name": "", "type": ""}, ["Enter the organisation's name", "Choose the type of organisation"]),
    ("/admin/organisations/{org}/departments/new", {}, ["Enter the department's name"]),
    ("/admin/organisations/{org}/join-codes/new", {"expires_on-day": "1", "expires_on-year": "2099"},
     ["Expiry date must include a month"]),
    ("/admin/organisations/{org}/join-codes/new", {**date_boxes("expires_on", "2099-02-30"), "code": "C" * 33, "department": "99999"},
     ["Expiry date must be a real date", "Join code must be 32 characters or fewer", "Choose a department from the list"]),
    ("/admin/organisations/{org}/domains/new", {}, ["Enter the email domain"]),
    ("/admin/organisations/{org}/assignments/new", {}, ["Choose a module"]),
    ("/admin/organisations/{org}/assignments/new", {"due_on-day": "x", "due_on-month": "3", "due_on-year": "2099", "module": "nope"},
     ["Due date must be a real date", "Choose a module"]),
    ("/admin/organisations/{org}/people/import", {}, ["Choose a CSV file to import"]),
    ("/admin/sessions/new", {"delivering_organisation": ""},
     ["Choose the module the session covered", "Enter the date the session was delivered", "Enter where the session was held",
      "Choose the organisation that delivered the session"]),
    ("/admin/sessions/new", {"delivered_on-day": "20", "delivered_on-month": "11", "delivered_on-year": "25", "venue": TOO_LONG},
     ["Date delivered must have a year with 4 numbers", "Venue must be 200 characters or fewer"]),
    ("/admin/sessions/{session}/correct", {"delivered_on-month": "Smarch", "venue": "", "reason": ""},
     ["Date delivered must include a day and year", "Enter where the session was held", "Enter why you are correcting the session"]),
    ("/admin/sessions/{session}/withdraw", {"reason": ""}, ["Enter why you are withdrawing the session"]),
    ("/admin/sessions/{session}/withdraw", {"reason": "y" * 501}, ["The reason must be 500 characters or fewer"]),
    ("/admin/api-tokens", {"months": "7"}, ["Enter a name that says who uses the token", "Choose what the token can read",
                                            "Choose how long the token works"]),
]


@pytest.mark.parametrize(("path", "data", "messages"), ADMIN_FORMS)
def test_does_each_admin_form_name_the_field_in_error(app, place, path, data, messages):
    client = signed_in(app, "site@alpha.example")
    assert_explained(sent(client, path.format(**place), data), *messages)


ACCOUNT_FORMS = [
    ("/sign-in", {}, ["Enter your email address", "Enter your password"]),
    ("/sign-in", {"email": "not-an-email", "password": "x"}, ["Enter an email address in the correct format"]),
    ("/register", {}, ["Enter your full name", "Enter your email address", "Enter a password", "Enter the password again"]),
    ("/register", {"full_name": TOO_LONG, "email": "a@b", "join_code": "J" * 33, "password": "x", "confirm": "y"},
     ["Full name must be 200 characters or fewer", "Enter an email address in the correct format",
      "Join code must be 32 characters or fewer", "Passwords do not match"]),
    ("/forgot-password", {}, ["Enter your email address"]),
    ("/send-confirmation-link", {"email": "@@"}, ["Enter an email address in the correct format"]),
]


@pytest.mark.parametrize(("path", "data", "messages"), ACCOUNT_FORMS)
def test_does_each_account_form_name_the_field_in_error(client, path, data, messages):
    assert_explained(sent(client, path, data), *messages)


def test_does_a_date_error_link_to_the_box_in_error_and_mark_only_that_box(app, place):
    client = signed_in(app, "site@alpha.example")
    page = sent(client, f"/admin/organisations/{place['org']}/join-codes/new", {"expires_on-day": "1", "expires_on-year": "2099"})
    assert 'href="#expires_on-month"' in page
    marked = re.findall(r'class="[^"]*govuk-input--error[^"]*"\s+id="([^"]+)"', page)
    assert marked == ["expires_on-month"]
    assert 'value="1"' in page and 'value="2099"' in page  # what was typed stays


def test_is_a_form_sent_without_its_security_token_explained_in_plain_words(client):
    response = client.post("/sign-in", data={"email": "someone@alpha.example", "password": "secret"})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Your session has expired" in page and "CSRF" not in page


@pytest.mark.parametrize("status", [409, 410, 415, 422, 501])
def test_does_an_unusual_refusal_still_speak_plainly(app, status):
    @app.route(f"/refuse-{status}")
    def refuse():
        abort(status)

    page = html.unescape(app.test_client().get(f"/refuse-{status}").get_data(as_text=True))
    assert "There is a problem" in page or "Sorry, there is a problem" in page
    assert not re.search(r"Conflict|Gone|Unsupported Media Type|Unprocessable|Not Implemented", page)
