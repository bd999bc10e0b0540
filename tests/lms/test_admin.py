"""Can organisation admins and site admins keep their organisation's details right, with every change audited?"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import g
from sqlalchemy import func, select

from lms.models import Assignment, AuditEvent, Completion, Department, EmailDomain, JoinCode, Organisation, Partnership, Role, utcnow
from lms.services import organisations
from lms.services.organisations import AdminError, create_join_code
from tests.builders import date_boxes, make_completion, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token
from tests.lms.reporting_builders import make_module, signed_in


@pytest.fixture
def org(session):
    organisation = make_organisation(session, make_partnership(session, "Home"), "Alpha Council")
    admin = make_user(session, organisation, Role.ORG_ADMIN, email="admin@alpha.example")
    admin.email_confirmed_at = utcnow()  # their own confirmed address at alpha.example is their proof for claiming it
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
    assert post_form(client, f"{base}/join-codes/new", code="alpha-staff-2026", **date_boxes("expires_on", "2099-01-31"),
                     department=str(housing.id)).status_code == 302
    assert post_form(client, f"{base}/domains/new", domain="@Alpha.Example").status_code == 302
    assert post_form(client, f"{base}/assignments/new", module=str(module.id), department="", **date_boxes("due_on", "2099-06-30"),
                     mandatory="y").status_code == 302
    code = session.scalar(select(JoinCode))
    assert (code.code, code.department_id) == ("ALPHA-STAFF-2026", housing.id) and code.expires_at.date() == dt.date(2099, 2, 1)
    assert session.scalar(select(EmailDomain.domain)) == "alpha.example" and session.scalar(select(EmailDomain.status)) == "pending"
    assignment = session.scalar(select(Assignment))
    assert (assignment.due_on, assignment.mandatory, assignment.department_id) == (dt.date(2099, 6, 30), True, None)
    page = client.get(base).get_data(as_text=True)
    assert "ALPHA-STAFF-2026" in page and "alpha.example" in page and "Hate crime" in page
    client.post(f"/admin/join-codes/{code.id}/revoke", data={"csrf_token": csrf_token(page)})
    session.refresh(code)
    assert code.revoked_at is not None and not code.is_usable(dt.datetime.now(dt.UTC).replace(tzinfo=None))
    assert actions(session) == ["department.created", "join_code.created", "email_domain.claimed", "assignment.created", "join_code.revoked"]
    assert all(e.actor_id == admin.id for e in session.scalars(select(AuditEvent)))


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
    assert f'href="/admin/people/{person.id}/role"' in client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    page = client.get(f"/admin/people/{person.id}/role").get_data(as_text=True)
    assert 'value="trainer"' in page and "Site admin" not in page and 'value="site_admin"' not in page
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
    page = client.get(f"/admin/people/{site_admin.id}").get_data(as_text=True)
    assert f"/admin/people/{site_admin.id}/role" not in page and "Only a site admin can change a site admin" in page
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
    assert "already an organisation called" in duplicate.get_data(as_text=True)
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


def fresh(client):
    """The client, with Flask's per-request cache in the shared test app context cleared, so its own cookie decides who it is."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    return client


def sign(app, email: str):
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    return signed_in(app, email)


def post_as(client, path: str, page: str, **fields):
    token = csrf_token(fresh(client).get(page).get_data(as_text=True))
    g.pop("_login_user", None)
    return client.post(path, data={"csrf_token": token, **fields})


@pytest.mark.parametrize("role", [Role.SITE_ADMIN, Role.PARTNERSHIP_LEAD])
def test_can_an_org_admin_not_deactivate_or_re_role_a_site_admin_or_a_lead_in_their_organisation(app, session, org, role):
    organisation, admin = org
    senior = make_user(session, organisation, role, email="senior@alpha.example")
    session.commit()
    client = sign(app, admin.email)
    people = f"/admin/organisations/{organisation.id}/people"
    assert "senior@alpha.example" in fresh(client).get(people).get_data(as_text=True)
    page = fresh(client).get(f"/admin/people/{senior.id}").get_data(as_text=True)
    assert "senior@alpha.example" in page and f"/admin/people/{senior.id}/active" not in page and f"/admin/people/{senior.id}/role" not in page
    assert "Only a site admin can change a" in page
    assert fresh(client).get(f"/admin/people/{senior.id}/active").status_code == 403
    assert post_as(client, f"/admin/people/{senior.id}/active", people, active="0").status_code == 403
    assert post_as(client, f"/admin/people/{senior.id}/role", people, role="learner").status_code == 403
    session.refresh(senior)
    assert senior.active and senior.role == role and senior.session_generation == 0
    assert not {"user.deactivated", "user.role_changed"} & set(actions(session))


def test_can_a_site_admin_deactivate_and_re_role_a_partnership_lead(app, session, org):
    organisation, _admin = org
    lead = make_user(session, organisation, Role.PARTNERSHIP_LEAD, email="lead@alpha.example")
    make_user(session, organisation, Role.SITE_ADMIN, email="site@alpha.example")
    session.commit()
    client = sign(app, "site@alpha.example")
    people = f"/admin/organisations/{organisation.id}/people"
    assert f"/admin/people/{lead.id}/active" in fresh(client).get(f"/admin/people/{lead.id}").get_data(as_text=True)
    assert post_as(client, f"/admin/people/{lead.id}/role", people, role="organisation_admin").status_code == 302
    assert post_as(client, f"/admin/people/{lead.id}/active", people, active="0").status_code == 302
    session.refresh(lead)
    assert (lead.role, lead.active) == (Role.ORG_ADMIN, False)


def test_does_deactivating_end_every_session_of_that_person_even_after_reactivation(app, session, org):
    organisation, admin = org
    person = make_user(session, organisation, email="leaving@alpha.example")
    session.commit()
    theirs = sign(app, person.email)
    assert fresh(theirs).get("/my-training").status_code == 200
    client = sign(app, admin.email)
    people = f"/admin/organisations/{organisation.id}/people"
    post_as(client, f"/admin/people/{person.id}/active", people, active="0")
    post_as(client, f"/admin/people/{person.id}/active", people, active="1")
    response = fresh(theirs).get("/my-training")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    session.refresh(person)
    assert person.active and person.session_generation == 1  # reactivating does not bring the old sessions back


def test_does_a_role_change_end_the_persons_sessions_and_a_non_change_keep_them(app, session, org):
    organisation, admin = org
    trainer = make_user(session, organisation, Role.TRAINER, email="trainer@alpha.example")
    session.commit()
    theirs = sign(app, trainer.email)
    client = sign(app, admin.email)
    people = f"/admin/organisations/{organisation.id}/people"
    post_as(client, f"/admin/people/{trainer.id}/role", people, role="trainer")
    assert fresh(theirs).get("/admin/sessions").status_code == 200
    post_as(client, f"/admin/people/{trainer.id}/role", people, role="learner")
    response = fresh(theirs).get("/admin/sessions")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    session.refresh(trainer)
    assert trainer.role == Role.LEARNER and trainer.session_generation == 1


@pytest.mark.parametrize("name", ["Alpha Council", "alpha council", "  ALPHA   Council "])
def test_is_an_organisation_name_unique_within_its_partnership_on_create_and_rename(app, session, org, name):
    organisation, admin = org
    beta = make_organisation(session, organisation.partnership, "Beta Council")
    make_user(session, organisation, Role.SITE_ADMIN, email="site@alpha.example")
    session.commit()
    site = sign(app, "site@alpha.example")
    created = post_as(site, "/admin/organisations/new", "/admin/organisations/new", name=name, type="police",
                      partnership=str(organisation.partnership_id))
    page = created.get_data(as_text=True)
    assert created.status_code == 200 and 'href="#name"' in page and "already an organisation called" in page
    renamed = post_as(site, f"/admin/organisations/{beta.id}/edit", f"/admin/organisations/{beta.id}/edit", name=name,
                      type="local_authority")
    assert renamed.status_code == 200 and "already an organisation called" in renamed.get_data(as_text=True)
    session.refresh(beta)
    assert beta.name == "Beta Council" and session.scalar(select(func.count()).select_from(Organisation)) == 2


def test_can_two_partnerships_each_have_an_organisation_of_the_same_name(app, session, org):
    organisation, admin = org
    other = make_partnership(session, "Elsewhere")
    make_user(session, organisation, Role.SITE_ADMIN, email="site@alpha.example")
    session.commit()
    site = sign(app, "site@alpha.example")
    response = post_as(site, "/admin/organisations/new", "/admin/organisations/new", name="Alpha Council", type="local_authority",
                       partnership=str(other.id))
    assert response.status_code == 302
    twins = session.scalars(select(Organisation).where(Organisation.name == "Alpha Council")).all()
    assert len(twins) == 2 and len({t.slug for t in twins}) == 2 and {t.partnership_id for t in twins} == {organisation.partnership_id, other.id}
    own = post_as(sign(app, admin.email), f"/admin/organisations/{organisation.id}/edit",
                  f"/admin/organisations/{organisation.id}/edit", name="ALPHA COUNCIL", type="local_authority")
    assert own.status_code == 302  # a change of case of its own name is not a clash


def test_can_an_org_admin_not_probe_other_organisations_join_codes_by_creating_them(session):
    """'Already in use' says a code exists somewhere; after a few such answers the admin must wait."""
    elsewhere = make_organisation(session, name="Elsewhere Council")
    for number in range(organisations.TAKEN_CODE_LIMIT + 1):
        create_join_code(session, elsewhere, None, f"ELSEWHERE-STAFF-{number}")
    ours = make_organisation(session, name="Our Council")
    admin = make_user(session, ours, Role.ORG_ADMIN)
    session.commit()
    for number in range(organisations.TAKEN_CODE_LIMIT):
        with pytest.raises(AdminError, match="already in use"):
            create_join_code(session, ours, admin.id, f"ELSEWHERE-STAFF-{number}")
    with pytest.raises(AdminError, match="Leave the code empty"):
        create_join_code(session, ours, admin.id, f"ELSEWHERE-STAFF-{organisations.TAKEN_CODE_LIMIT}")
    assert create_join_code(session, ours, admin.id, "").code, "a made-up code still works"
