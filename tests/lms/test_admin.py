"""Can organisation admins and site admins keep their organisation's details right, with every change audited?"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lms.models import Assignment, AuditEvent, Completion, Department, EmailDomain, JoinCode, Organisation, Partnership, Role
from lms.services.organisations import AdminError, claim_domain, create_join_code, normalise_domain
from tests.builders import make_completion, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token
from tests.lms.reporting_builders import make_module, signed_in


@pytest.fixture
def org(session):
    organisation = make_organisation(session, make_partnership(session, "Home"), "Alpha Council")
    admin = make_user(session, organisation, Role.ORG_ADMIN, email="admin@alpha.example")
    session.commit()
    return organisation, admin


def post_form(client, path: str, **fields):
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **fields})


def actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_can_an_admin_add_departments_codes_domains_and_assignments(app, session, org):
    organisation, admin = org
    module = make_module(session, "Hate crime")
    session.commit()
    client = signed_in(app, admin.email)
    base = f"/admin/organisations/{organisation.id}"
    assert post_form(client, f"{base}/departments/new", name="Housing").status_code == 302
    housing = session.scalar(select(Department).where(Department.name == "Housing"))
    assert post_form(client, f"{base}/join-codes/new", code="alpha-staff-2026", expires_on="2099-01-31",
                     department=str(housing.id)).status_code == 302
    assert post_form(client, f"{base}/domains/new", domain="@Alpha.Example").status_code == 302
    assert post_form(client, f"{base}/assignments/new", module=str(module.id), department="", due_on="2099-06-30",
                     mandatory="y").status_code == 302
    code = session.scalar(select(JoinCode))
    assert (code.code, code.department_id) == ("ALPHA-STAFF-2026", housing.id) and code.expires_at.date() == dt.date(2099, 2, 1)
    assert session.scalar(select(EmailDomain.domain)) == "alpha.example"
    assignment = session.scalar(select(Assignment))
    assert (assignment.due_on, assignment.mandatory, assignment.department_id) == (dt.date(2099, 6, 30), True, None)
    page = client.get(base).get_data(as_text=True)
    assert "ALPHA-STAFF-2026" in page and "alpha.example" in page and "Hate crime" in page
    client.post(f"/admin/join-codes/{code.id}/revoke", data={"csrf_token": csrf_token(page)})
    session.refresh(code)
    assert code.revoked_at is not None and not code.is_usable(dt.datetime.now(dt.UTC).replace(tzinfo=None))
    assert actions(session) == ["department.created", "join_code.created", "email_domain.claimed", "assignment.created", "join_code.revoked"]
    assert all(e.actor_id == admin.id for e in session.scalars(select(AuditEvent)))


@pytest.mark.parametrize(("text", "message"), [
    ("not a domain", "Enter an email domain like"), ("localhost", "Enter an email domain like"), ("gmail.com", "public email service"),
    ("-bad-.example", "Enter an email domain like"), ("1.2.3.4", "Enter an email domain like"), ("a@b.example", "Enter an email domain like"),
])
def test_is_a_bad_or_public_email_domain_refused(text, message):
    with pytest.raises(AdminError, match=message):
        normalise_domain(text)


def test_is_a_domain_claimed_by_another_organisation_refused(session, org):
    organisation, _admin = org
    claim_domain(session, make_organisation(session), "shared.example", None)
    with pytest.raises(AdminError, match="already claimed by another organisation"):
        claim_domain(session, organisation, "SHARED.example", None)


@pytest.mark.parametrize(("code", "expires_on", "message"), [
    ("AB", None, "6 to 32 letters"), ("HAS SPACE 1", None, "6 to 32 letters"), ("GOOD-CODE-1", dt.date(2020, 1, 1), "must be in the future"),
])
def test_is_a_bad_join_code_refused(session, org, code, expires_on, message):
    organisation, _admin = org
    with pytest.raises(AdminError, match=message):
        create_join_code(session, organisation, None, code, expires_on)
    assert session.scalar(select(JoinCode.id)) is None


def test_is_a_join_code_for_another_organisations_department_refused(session, org):
    organisation, _admin = org
    elsewhere = Department(organisation_id=make_organisation(session).id, name="Theirs")
    session.add(elsewhere)
    session.commit()
    with pytest.raises(AdminError, match="your organisation's departments"):
        create_join_code(session, organisation, None, "GOOD-CODE-2", None, elsewhere.id)


def test_does_a_form_error_point_at_its_field(app, session, org):
    organisation, admin = org
    client = signed_in(app, admin.email)
    page = post_form(client, f"/admin/organisations/{organisation.id}/domains/new", domain="gmail.com").get_data(as_text=True)
    assert "There is a problem" in page and 'href="#domain"' in page and "public email service" in page
    empty = post_form(client, f"/admin/organisations/{organisation.id}/departments/new", name=" ").get_data(as_text=True)
    assert "Enter the department&#39;s name" in empty and "<title>Error:" in empty


def test_does_deactivating_keep_completions_and_reactivating_restore_sign_in(app, session, org):
    organisation, admin = org
    person = make_user(session, organisation, email="leaving@alpha.example")
    make_completion(session, person, make_module(session), dt.datetime(2025, 10, 1, 9))
    session.commit()
    client = signed_in(app, admin.email)
    people = f"/admin/organisations/{organisation.id}/people"
    page = client.get(f"{people}?q=LEAVING").get_data(as_text=True)
    assert "leaving@alpha.example" in page and "admin@alpha.example" not in page
    client.post(f"/admin/people/{person.id}/active", data={"csrf_token": csrf_token(page), "active": "0"})
    session.refresh(person)
    assert not person.active and session.scalar(select(Completion.user_id)) == person.id
    client.post(f"/admin/people/{person.id}/active", data={"csrf_token": csrf_token(page), "active": "1"})
    session.refresh(person)
    assert person.active and actions(session) == ["user.deactivated", "user.reactivated"]


def test_can_an_admin_not_deactivate_themselves(app, session, org):
    organisation, admin = org
    client = signed_in(app, admin.email)
    page = client.get(f"/admin/organisations/{organisation.id}/people").get_data(as_text=True)
    client.post(f"/admin/people/{admin.id}/active", data={"csrf_token": csrf_token(page), "active": "0"})
    session.refresh(admin)
    assert admin.active


def test_can_an_org_admin_make_a_colleague_a_trainer_but_not_a_site_admin(app, session, org):
    organisation, admin = org
    person = make_user(session, organisation, email="colleague@alpha.example")
    session.commit()
    client = signed_in(app, admin.email)
    page = client.get(f"/admin/organisations/{organisation.id}/people").get_data(as_text=True)
    assert f'for="role-{person.id}"' in page and "Site admin" not in page
    client.post(f"/admin/people/{person.id}/role", data={"csrf_token": csrf_token(page), "role": "trainer"})
    session.refresh(person)
    assert person.role == Role.TRAINER
    client.post(f"/admin/people/{person.id}/role", data={"csrf_token": csrf_token(page), "role": "site_admin"})
    session.refresh(person)
    assert person.role == Role.TRAINER
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert (event.actor_id, event.detail["before"], event.detail["after"]) == (admin.id, "learner", "trainer")


def test_can_an_org_admin_not_demote_a_site_admin_or_change_their_own_role(app, session, org):
    organisation, admin = org
    site_admin = make_user(session, organisation, Role.SITE_ADMIN, email="site@alpha.example")
    session.commit()
    client = signed_in(app, admin.email)
    page = client.get(f"/admin/organisations/{organisation.id}/people").get_data(as_text=True)
    assert f'for="role-{site_admin.id}"' not in page
    client.post(f"/admin/people/{site_admin.id}/role", data={"csrf_token": csrf_token(page), "role": "learner"})
    client.post(f"/admin/people/{admin.id}/role", data={"csrf_token": csrf_token(page), "role": "learner"})
    session.refresh(site_admin)
    session.refresh(admin)
    assert (site_admin.role, admin.role) == (Role.SITE_ADMIN, Role.ORG_ADMIN)
    assert "user.role_changed" not in actions(session)


def test_is_another_organisations_person_not_found_when_changing_a_role(app, session, org):
    _organisation, admin = org
    other = make_organisation(session, make_partnership(session, "Elsewhere"), "Beta Council")
    stranger = make_user(session, other, email="stranger@beta.example")
    session.commit()
    client = signed_in(app, admin.email)
    page = client.get("/admin/").get_data(as_text=True)
    response = client.post(f"/admin/people/{stranger.id}/role", data={"csrf_token": csrf_token(page), "role": "trainer"})
    session.refresh(stranger)
    assert response.status_code == 404 and stranger.role == Role.LEARNER


def test_can_a_site_admin_create_partnerships_and_organisations_and_an_org_admin_edit_their_own(app, session, org):
    organisation, _admin = org
    make_user(session, organisation, Role.SITE_ADMIN, email="site@alpha.example")
    session.commit()
    site = signed_in(app, "site@alpha.example")
    assert post_form(site, "/admin/partnerships/new", name="Safer Testshire").status_code == 302
    partnership = session.scalar(select(Partnership).where(Partnership.slug == "safer-testshire"))
    assert post_form(site, "/admin/organisations/new", name="Testshire Fire", type="fire", partnership=str(partnership.id)).status_code == 302
    duplicate = post_form(site, "/admin/organisations/new", name="Testshire Fire", type="fire", partnership=str(partnership.id))
    assert "already exists" in duplicate.get_data(as_text=True)
    fire = session.scalar(select(Organisation).where(Organisation.name == "Testshire Fire"))
    assert fire.partnership_id == partnership.id and fire.type.value == "fire"
    assert actions(session) == ["partnership.created", "organisation.created"]


def test_can_an_org_admin_rename_their_organisation(app, session, org):
    organisation, admin = org
    client = signed_in(app, admin.email)
    assert post_form(client, f"/admin/organisations/{organisation.id}/edit", name="Alpha City Council", type="local_authority").status_code == 302
    session.refresh(organisation)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.updated"))
    assert organisation.name == "Alpha City Council" and event.detail["before"]["name"] == "Alpha Council"
