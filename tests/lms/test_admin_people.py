"""Can an organisation admin find a person among many, open their page and change their role, department and
status there, each change on its own page, with a confirmation before anything is revoked or removed?"""

from __future__ import annotations

import re

import pytest
from flask import g
from sqlalchemy import select

from lms.models import ApiToken, Assignment, AuditEvent, EmailDomain, JoinCode, Role, utcnow
from lms.services.api_tokens import token_hash
from tests.builders import (
    make_assignment,
    make_department,
    make_email_domain,
    make_join_code,
    make_organisation,
    make_partnership,
    make_user,
)
from tests.conftest import csrf_token
from tests.lms.reporting_builders import make_module, signed_in
from tests.security.test_authorisation import ESCAPED_MARKUP


@pytest.fixture
def council(session):
    organisation = make_organisation(session, make_partnership(session, "Home"), "Alpha Council")
    admin = make_user(session, organisation, Role.ORG_ADMIN, email="admin@alpha.example")
    admin.full_name, admin.email_confirmed_at = "Ada Admin", utcnow()
    session.commit()
    return organisation, admin


def as_admin(app, admin):
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    return signed_in(app, admin.email)


def text_of(client, path: str) -> str:
    g.pop("_login_user", None)
    response = client.get(path)
    assert response.status_code == 200, f"{path} gave {response.status_code}"
    page = response.get_data(as_text=True)
    assert not ESCAPED_MARKUP.search(page), f"{path} shows markup as text: {ESCAPED_MARKUP.search(page)[0]}"
    return page


def main_of(page: str) -> str:
    """The page's main content, without the header's sign-out form."""
    return page[page.index("<main"):page.index("</main>")]


def post(client, path: str, **fields):
    token = csrf_token(text_of(client, path))
    g.pop("_login_user", None)
    return client.post(path, data={"csrf_token": token, **fields})


def test_does_searching_find_a_person_by_part_of_their_name_or_email(app, session, council):
    organisation, admin = council
    make_user(session, organisation, email="robin.patel@alpha.example").full_name = "Robin Patel"
    make_user(session, organisation, email="sam@alpha.example").full_name = "Sam Jones"
    session.commit()
    client = as_admin(app, admin)
    people = f"/admin/organisations/{organisation.id}/people"
    by_name = text_of(client, f"{people}?q=patel")
    assert "Robin Patel" in by_name and "Sam Jones" not in by_name and "1 person matching ‘patel’" in by_name
    assert "Sam Jones" in text_of(client, f"{people}?q=SAM%40alpha")
    nobody = text_of(client, f"{people}?q=nobody-here")
    assert "No one matches ‘nobody-here’" in nobody and "Clear search" in nobody


def test_is_the_list_one_row_per_person_with_no_forms_or_buttons(app, session, council):
    organisation, admin = council
    housing = make_department(session, organisation, "Housing")
    person = make_user(session, organisation, Role.TRAINER, email="tia@alpha.example")
    person.full_name, person.department_id = "Tia Trainer", housing.id
    session.commit()
    page = text_of(as_admin(app, admin), f"/admin/organisations/{organisation.id}/people")
    row = re.search(rf'<th scope="row"[^>]*><a [^>]*href="/admin/people/{person.id}">Tia Trainer</a>(.*?)</tr>', page, re.S)
    assert row and all(value in row[1] for value in ("tia@alpha.example", "Trainer", "Housing", "Active"))
    main = main_of(page)
    assert 'method="post"' not in main and main.count("<button") == 1 and ">Search</button>" in main, "no per-row forms or buttons"


def test_are_fifty_people_shown_a_page_at_a_time(app, session, council):
    organisation, admin = council
    for number in range(1, 52):
        make_user(session, organisation, email=f"person{number:02d}@alpha.example").full_name = f"Person {number:02d}"
    session.commit()  # 52 people with the admin
    client = as_admin(app, admin)
    people = f"/admin/organisations/{organisation.id}/people"
    first = text_of(client, people)
    assert "1 to 50 of 52 people" in first and "Person 49" in first and "Person 50" not in first
    assert f'href="{people}?page=2" rel="next"' in first and 'aria-current="page">1</a>' in first
    second = text_of(client, f"{people}?page=2")
    assert "51 to 52 of 52 people" in second and "Person 50" in second and "Person 51" in second and "Person 01" not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "51 to 52 of 52" in text_of(client, f"{people}?page=99"), "a page past the end shows the last page"
    assert "1 to 50 of 52" in text_of(client, f"{people}?page=abc")
    searched = text_of(client, f"{people}?q=person")
    assert f'href="{people}?q=person&amp;page=2"' in searched, "the search is kept from page to page"


def test_can_an_admin_change_a_persons_role_and_department_from_their_page(app, session, council):
    organisation, admin = council
    housing = make_department(session, organisation, "Housing")
    person = make_user(session, organisation, email="lee@alpha.example")
    person.full_name, person.email_confirmed_at = "Lee Learner", utcnow()
    session.commit()
    client = as_admin(app, admin)
    page = text_of(client, f"/admin/people/{person.id}")
    for what in ("role", "department"):
        assert f'href="/admin/people/{person.id}/{what}">Change<span class="govuk-visually-hidden"> {what}</span></a>' in page
    assert f'href="/admin/people/{person.id}/active">Deactivate<span class="govuk-visually-hidden"> Lee Learner</span></a>' in page
    role_page = text_of(client, f"/admin/people/{person.id}/role")
    assert "What is Lee Learner&#39;s role?" in role_page and 'value="learner" checked' in role_page
    assert post(client, f"/admin/people/{person.id}/role", role="trainer").headers["Location"] == f"/admin/people/{person.id}"
    assert post(client, f"/admin/people/{person.id}/department", department=str(housing.id)).status_code == 302
    session.refresh(person)
    assert (person.role, person.department_id) == (Role.TRAINER, housing.id)
    assert "Lee Learner is now in Housing" in text_of(client, f"/admin/people/{person.id}")
    assert post(client, f"/admin/people/{person.id}/department", department="none").status_code == 302
    session.refresh(person)
    assert person.department_id is None
    assert [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == [
        "user.role_changed", "user.department_changed", "user.department_changed"]


@pytest.mark.parametrize(("what", "value", "message"), [
    ("role", "", "Select a role"), ("role", "site_admin", "Select a role"), ("role", "wizard", "Select a role"),
    ("department", "", "Select a department, or No department"), ("department", "999", "Select a department, or No department"),
])
def test_is_a_bad_choice_answered_with_our_own_message(app, session, council, what, value, message):
    organisation, admin = council
    person = make_user(session, organisation, email="lee@alpha.example")
    make_department(session, organisation, "Housing")
    session.commit()
    response = post(as_admin(app, admin), f"/admin/people/{person.id}/{what}", **{what: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Error:" in page and f'<a href="#{what}">{message}</a>' in page
    assert "Not a valid choice" not in page and "govuk-form-group--error" in page
    session.refresh(person)
    assert (person.role, person.department_id) == (Role.LEARNER, None)


def test_is_another_organisations_department_refused(app, session, council):
    organisation, admin = council
    person = make_user(session, organisation, email="lee@alpha.example")
    make_department(session, organisation, "Housing")
    theirs = make_department(session, make_organisation(session, name="Beta Council"), "Theirs")
    session.commit()
    client = as_admin(app, admin)
    token = csrf_token(text_of(client, f"/admin/people/{person.id}/department"))
    page = client.post(f"/admin/people/{person.id}/department", data={"csrf_token": token, "department": str(theirs.id)})
    assert "Select a department, or No department" in page.get_data(as_text=True)
    session.refresh(person)
    assert person.department_id is None


def test_does_deactivating_ask_first_and_cancel_change_nothing(app, session, council):
    organisation, admin = council
    person = make_user(session, organisation, email="lee@alpha.example")
    person.full_name = "Lee Learner"
    session.commit()
    client = as_admin(app, admin)
    confirm = text_of(client, f"/admin/people/{person.id}/active")
    assert "<h1 class=\"govuk-heading-l\">Are you sure you want to deactivate Lee Learner?</h1>" in confirm
    assert 'class="govuk-button govuk-button--warning" data-module="govuk-button">Deactivate account</button>' in confirm
    assert f'<a class="govuk-link" href="/admin/people/{person.id}">Cancel</a>' in confirm
    text_of(client, f"/admin/people/{person.id}")  # following Cancel
    session.refresh(person)
    assert person.active, "showing the question changes nothing"
    assert post(client, f"/admin/people/{person.id}/active", active="0").headers["Location"] == f"/admin/people/{person.id}"
    session.refresh(person)
    assert not person.active
    again = text_of(client, f"/admin/people/{person.id}/active")
    assert "Reactivate Lee Learner?" in again and "govuk-button--warning" not in again
    post(client, f"/admin/people/{person.id}/active", active="1")
    session.refresh(person)
    assert person.active


@pytest.mark.parametrize("role", [Role.PARTNERSHIP_LEAD, Role.SITE_ADMIN])
def test_can_an_org_admin_see_but_not_change_a_lead_or_site_admin(app, session, council, role):
    organisation, admin = council
    senior = make_user(session, organisation, role, email="senior@alpha.example")
    session.commit()
    client = as_admin(app, admin)
    page = text_of(client, f"/admin/people/{senior.id}")
    assert "senior@alpha.example" in page and "Change" not in page and "Only a site admin can change a" in page
    for what in ("role", "department", "active"):
        g.pop("_login_user", None)
        assert client.get(f"/admin/people/{senior.id}/{what}").status_code == 403
    own = text_of(client, f"/admin/people/{admin.id}")
    assert "This is your own account" in own and f"/admin/people/{admin.id}/active" not in own


def test_is_another_organisations_person_not_found(app, session, council):
    _organisation, admin = council
    stranger = make_user(session, make_organisation(session, name="Beta Council"), email="stranger@beta.example")
    session.commit()
    client = as_admin(app, admin)
    for path in ("", "/role", "/department", "/active"):
        g.pop("_login_user", None)
        assert client.get(f"/admin/people/{stranger.id}{path}").status_code == 404


def _things(session, organisation):
    module = make_module(session, "Hate crime")
    code = make_join_code(session, organisation, "ALPHA-STAFF-1")
    domain = make_email_domain(session, organisation, "alpha.example")
    assignment = make_assignment(session, module, organisation)
    session.commit()
    return code, domain, assignment


@pytest.mark.parametrize(("kind", "heading", "button"), [
    ("code", "Are you sure you want to revoke join code ALPHA-STAFF-1?", "Revoke join code"),
    ("domain", "Are you sure you want to remove the email domain alpha.example?", "Remove domain"),
    ("assignment", "Are you sure you want to remove the assignment of Hate crime for everyone in the organisation?", "Remove assignment"),
])
def test_does_each_organisation_action_ask_first_then_act(app, session, council, kind, heading, button):
    organisation, admin = council
    code, domain, assignment = _things(session, organisation)
    path = {"code": f"/admin/join-codes/{code.id}/revoke", "domain": f"/admin/domains/{domain.id}/remove",
            "assignment": f"/admin/assignments/{assignment.id}/remove"}[kind]
    client = as_admin(app, admin)
    organisation_page = text_of(client, f"/admin/organisations/{organisation.id}")
    assert f'href="{path}"' in organisation_page and 'method="post"' not in main_of(organisation_page), "a link, not a form"
    confirm = text_of(client, path)
    assert heading.replace("'", "&#39;") in confirm and f">{button}</button>" in confirm
    assert f'<a class="govuk-link" href="/admin/organisations/{organisation.id}">Cancel</a>' in confirm
    session.expire_all()
    assert session.get(JoinCode, code.id).revoked_at is None and session.get(EmailDomain, domain.id) and session.get(Assignment, assignment.id)
    assert post(client, path).headers["Location"] == f"/admin/organisations/{organisation.id}"
    session.expire_all()
    done = {"code": session.get(JoinCode, code.id).revoked_at is not None, "domain": session.get(EmailDomain, domain.id) is None,
            "assignment": session.get(Assignment, assignment.id) is None}
    assert done[kind] and sum(done.values()) == 1


def test_does_revoking_an_api_token_ask_first(app, session, council):
    organisation, _admin = council
    lead = make_user(session, organisation, Role.PARTNERSHIP_LEAD, email="lead@alpha.example")
    lead.email_confirmed_at = utcnow()
    token = ApiToken(name="Power BI", token_hash=token_hash("slt_test-token"), partnership_id=organisation.partnership_id)
    session.add(token)
    session.commit()
    client = as_admin(app, lead)
    assert f'href="/admin/api-tokens/{token.id}/revoke">Revoke<span class="govuk-visually-hidden"> token Power BI</span>' in text_of(
        client, "/admin/api-tokens")
    confirm = text_of(client, f"/admin/api-tokens/{token.id}/revoke")
    assert "Are you sure you want to revoke the token &#39;Power BI&#39;?" in confirm and '<a class="govuk-link" href="/admin/api-tokens">Cancel</a>' in confirm
    session.refresh(token)
    assert token.revoked_at is None
    assert post(client, f"/admin/api-tokens/{token.id}/revoke").status_code == 302
    session.refresh(token)
    assert token.revoked_at is not None


def test_does_a_site_admin_release_a_claim_from_the_review_page_and_return_there(app, session, council):
    organisation, _admin = council
    site = make_user(session, organisation, Role.SITE_ADMIN, email="site@alpha.example")
    site.email_confirmed_at = utcnow()
    domain = make_email_domain(session, organisation, "alpha.example", status="pending")
    session.commit()
    client = as_admin(app, site)
    path = f"/admin/domains/{domain.id}/remove?back=review"
    assert f'href="{path}"' in text_of(client, "/admin/domains")
    assert "Are you sure you want to release the claim on alpha.example?" in text_of(client, path)
    assert post(client, path, back="review").headers["Location"] == "/admin/domains"
    assert session.scalar(select(EmailDomain.id)) is None


def test_does_the_admin_home_list_organisations_without_a_table(app, session, council):
    _organisation, admin = council
    page = text_of(as_admin(app, admin), "/admin/")
    assert "Your organisation" in page and "Alpha Council" in page and "<table" not in page


def test_may_an_admin_move_themselves_between_departments_but_never_open_their_own_role_or_status_forms(app, session, council):
    organisation, admin = council
    housing = make_department(session, organisation, "Housing")
    session.commit()
    client = as_admin(app, admin)
    own = text_of(client, f"/admin/people/{admin.id}")
    assert f"/admin/people/{admin.id}/department" in own and f"/admin/people/{admin.id}/role" not in own
    for what in ("role", "active"):
        g.pop("_login_user", None)
        response = client.get(f"/admin/people/{admin.id}/{what}")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/people/{admin.id}")
        g.pop("_login_user", None)
        assert "You cannot change your own role or status" in text_of(client, f"/admin/people/{admin.id}")
    g.pop("_login_user", None)
    page = client.get(f"/admin/people/{admin.id}/department").get_data(as_text=True)
    g.pop("_login_user", None)
    client.post(f"/admin/people/{admin.id}/department", data={"csrf_token": csrf_token(page), "department": str(housing.id)})
    session.expire_all()
    assert admin.department_id == housing.id and admin.role == Role.ORG_ADMIN and admin.active


@pytest.mark.parametrize(("year", "message"), [("9999", "Expiry date must be between 1 April 2000 and 31 March 2100"),
                                               ("2020", "Expiry date must be today or in the future")])
def test_is_a_join_code_expiry_far_ahead_or_in_the_past_refused_with_a_named_message(app, session, council, year, message):
    organisation, admin = council
    client = as_admin(app, admin)
    page = client.get(f"/admin/organisations/{organisation.id}/join-codes/new").get_data(as_text=True)
    g.pop("_login_user", None)
    response = client.post(f"/admin/organisations/{organisation.id}/join-codes/new", data={
        "csrf_token": csrf_token(page), "code": "ALPHA-2026", "expires_on-day": "31", "expires_on-month": "12", "expires_on-year": year})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert session.scalar(select(JoinCode.id).where(JoinCode.organisation_id == organisation.id)) is None


def test_is_a_due_date_in_the_past_refused(app, session, council):
    organisation, admin = council
    module = make_module(session)
    session.commit()
    client = as_admin(app, admin)
    page = client.get(f"/admin/organisations/{organisation.id}/assignments/new").get_data(as_text=True)
    g.pop("_login_user", None)
    response = client.post(f"/admin/organisations/{organisation.id}/assignments/new", data={
        "csrf_token": csrf_token(page), "module": str(module.id), "department": "", "mandatory": "y",
        "due_on-day": "1", "due_on-month": "1", "due_on-year": "2001"})
    assert "Due date must be today or in the future" in response.get_data(as_text=True)
    assert session.scalar(select(Assignment.id).where(Assignment.organisation_id == organisation.id)) is None


def test_is_a_message_flashed_twice_shown_once_in_one_banner(app, session, council):
    _organisation, admin = council
    client = as_admin(app, admin)
    for what in ("role", "active"):
        g.pop("_login_user", None)
        client.get(f"/admin/people/{admin.id}/{what}")
    g.pop("_login_user", None)
    page = client.get(f"/admin/people/{admin.id}").get_data(as_text=True)
    assert page.count("govuk-notification-banner__title") == 1 and page.count("You cannot change your own role or status") == 1
