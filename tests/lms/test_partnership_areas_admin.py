"""Setting up organisations that serve several partnerships, as the admins do it in the browser's forms: a site admin
says which partnerships North Yorkshire Police serves, the force's admin says where its departments and officers work,
a site admin sets up a joint group and its lead, and a trainer says which partnership a session was for. Each form
refuses tampered ids and other bad input on its field; past quarters never move."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import g
from sqlalchemy import select

from lms.models import AuditEvent, Department, JointGroup, OrganisationType, Role, TrainingSession, User, utcnow
from lms.permissions import report_scope
from lms.services.periods import current_period, parse_period, uk_date
from lms.services.reports import headline, training_counts
from tests.builders import date_boxes, make_completion, make_department, make_organisation, make_partnership, make_user, take_assessment
from tests.conftest import csrf_token
from tests.lms.reporting_builders import make_module, signed_in
from tests.lms.test_admin_people import main_of, text_of

IN_Q3_2025 = dt.datetime(2025, 11, 3, 10)


@pytest.fixture
def yorkshire(session):
    """Safer York and North Yorkshire; North Yorkshire Police (home North Yorkshire) serves York too; a far partnership."""
    york, north, far = make_partnership(session, "Safer York"), make_partnership(session, "North Yorkshire"), make_partnership(session, "Far")
    council = make_organisation(session, york, "City of York Council")
    police = make_organisation(session, north, "North Yorkshire Police", OrganisationType.POLICE)
    police.other_partnerships.append(york)
    far_council = make_organisation(session, far, "Far Council")
    people = {
        "site_admin": make_user(session, council, Role.SITE_ADMIN, email="site@york.example"),
        "york_lead": make_user(session, council, Role.PARTNERSHIP_LEAD, email="lead@york.example"),
        "north_lead": make_user(session, make_organisation(session, north, "North Yorkshire Council"), Role.PARTNERSHIP_LEAD,
                                email="lead@northyorks.example"),
        "police_admin": make_user(session, police, Role.ORG_ADMIN, email="admin@police.example"),
        "police_trainer": make_user(session, police, Role.TRAINER, email="trainer@police.example"),
        "officer": make_user(session, police, email="officer@police.example"),
        "council_admin": make_user(session, council, Role.ORG_ADMIN, email="admin@york.example"),
        "council_trainer": make_user(session, council, Role.TRAINER, email="trainer@york.example"),
        "far_learner": make_user(session, far_council, email="learner@far.example"),
    }
    people["officer"].full_name = "Olu Officer"
    session.commit()
    return {"york": york, "north": north, "far": far, "council": council, "police": police, "far_council": far_council, **people}


def client_of(app, person: User):
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    return signed_in(app, person.email)


def post(client, path: str, data: dict):
    """Post a form as the browser would after opening its page (with the page's CSRF token)."""
    token = csrf_token(text_of(client, path))
    g.pop("_login_user", None)
    return client.post(path, data={"csrf_token": token, **data})


def events(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- which partnerships an organisation serves (site admins) ---------------------------------------------

def test_can_a_site_admin_say_a_force_also_serves_another_partnership(app, session, yorkshire):
    y = yorkshire
    client = client_of(app, y["site_admin"])
    path = f"/admin/organisations/{y['council'].id}/partnerships"
    page = main_of(text_of(client, path))
    assert "Its home partnership is Safer York" in page and "Past quarters never move" in page
    assert f'value="{y["york"].id}"' not in page  # the home partnership is not a choice: it is always served
    response = post(client, path, {"partnerships": [str(y["north"].id), str(y["far"].id)]})
    assert response.status_code == 302
    session.expire_all()
    assert {p.name for p in y["council"].other_partnerships} == {"North Yorkshire", "Far"}
    event = events(session, "organisation.partnerships_changed")[0]
    assert (event.detail["before"], sorted(event.detail["after"])) == ([], sorted([y["north"].slug, y["far"].slug]))
    shown = main_of(text_of(client, f"/admin/organisations/{y['council'].id}"))
    assert "Partnerships this organisation serves" in shown and "North Yorkshire" in shown


@pytest.mark.parametrize("tampered", ["999999", "york", "home"])
def test_are_tampered_partnerships_refused_on_the_field(app, session, yorkshire, tampered):
    y = yorkshire
    value = {"york": "york", "home": str(y["council"].partnership_id)}.get(tampered, tampered)
    client = client_of(app, y["site_admin"])
    response = post(client, f"/admin/organisations/{y['council'].id}/partnerships", {"partnerships": [value]})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "Choose partnerships from the list" in page
    session.expire_all()
    assert y["council"].other_partnerships == []


def test_does_an_org_admin_see_the_partnerships_served_but_not_change_them(app, session, yorkshire):
    y = yorkshire
    client = client_of(app, y["police_admin"])
    page = main_of(text_of(client, f"/admin/organisations/{y['police'].id}"))
    assert "Also serves" in page and "Safer York" in page
    assert f"/admin/organisations/{y['police'].id}/partnerships" not in page
    g.pop("_login_user", None)
    assert client.get(f"/admin/organisations/{y['police'].id}/partnerships").status_code == 403


def test_does_removing_a_partnership_send_its_people_home_from_then_on(app, session, yorkshire, published):
    y = yorkshire
    y["officer"].locality_id = y["york"].id
    session.commit()
    client = client_of(app, y["site_admin"])
    assert post(client, f"/admin/organisations/{y['police'].id}/partnerships", {}).status_code == 302
    session.expire_all()
    take_assessment(session, session.get(User, y["officer"].id), published.current_version)
    now = current_period(uk_date(utcnow()))
    assert headline(training_counts(session, now, scope=report_scope(y["north_lead"]))).elearning_sessions == 1
    assert headline(training_counts(session, now, scope=report_scope(y["york_lead"]))).elearning_sessions == 0
    client = client_of(app, y["police_admin"])
    assert "Works in" not in main_of(text_of(client, f"/admin/people/{y['officer'].id}"))


def test_does_york_keep_its_past_quarter_when_the_force_stops_serving_york(app, session, yorkshire):
    y = yorkshire
    y["officer"].locality_id = y["york"].id
    make_completion(session, y["officer"], make_module(session, "Hate crime"), IN_Q3_2025)
    session.commit()
    client = client_of(app, y["site_admin"])
    assert post(client, f"/admin/organisations/{y['police'].id}/partnerships", {}).status_code == 302
    session.expire_all()
    q3 = parse_period("2025-26-Q3")
    assert headline(training_counts(session, q3, scope=report_scope(y["york_lead"]))).elearning_sessions == 1


# --- a department's and a person's locality (the organisation's admins) ---------------------------------------

def test_can_the_force_s_admin_say_where_a_department_works(app, session, yorkshire):
    y = yorkshire
    district = make_department(session, y["police"], "York district")
    session.commit()
    client = client_of(app, y["police_admin"])
    organisation = main_of(text_of(client, f"/admin/organisations/{y['police'].id}"))
    assert "Works in" in organisation and "Not set (North Yorkshire)" in organisation
    path = f"/admin/departments/{district.id}/locality"
    form = main_of(text_of(client, path))
    assert "Where does York district work?" in form and "Not set (counts for North Yorkshire)" in form
    assert post(client, path, {"locality": str(y["york"].id)}).status_code == 302
    session.expire_all()
    assert session.get(Department, district.id).locality_id == y["york"].id
    assert events(session, "department.locality_changed")[0].detail["after"] == y["york"].slug
    assert post(client, path, {"locality": "none"}).status_code == 302
    session.expire_all()
    assert session.get(Department, district.id).locality_id is None


@pytest.mark.parametrize("tampered", ["far", "abc", ""])
def test_is_a_department_locality_the_force_does_not_serve_refused(app, session, yorkshire, tampered):
    y = yorkshire
    district = make_department(session, y["police"], "York district")
    session.commit()
    client = client_of(app, y["police_admin"])
    value = str(y["far"].id) if tampered == "far" else tampered
    response = post(client, f"/admin/departments/{district.id}/locality", {"locality": value})
    assert response.status_code == 200
    assert "Choose the partnership the department works in, or Not set" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Department, district.id).locality_id is None


def test_can_a_department_be_added_working_in_york(app, session, yorkshire):
    y = yorkshire
    client = client_of(app, y["police_admin"])
    path = f"/admin/organisations/{y['police'].id}/departments/new"
    assert "Works in" in text_of(client, path)
    assert post(client, path, {"name": "York district", "locality": str(y["york"].id)}).status_code == 302
    refused = post(client, path, {"name": "Far district", "locality": str(y["far"].id)})
    assert refused.status_code == 200 and "Choose the partnership the department works in" in refused.get_data(as_text=True)
    session.expire_all()
    assert {d.name: d.locality_id for d in session.scalars(select(Department))} == {"York district": y["york"].id}


def test_does_an_organisation_serving_one_partnership_ask_nothing_about_localities(app, session, yorkshire):
    y = yorkshire
    housing = make_department(session, y["council"], "Housing")
    clerk = make_user(session, y["council"], email="clerk@york.example")
    session.commit()
    client = client_of(app, y["council_admin"])
    assert "Works in" not in text_of(client, f"/admin/organisations/{y['council'].id}/departments/new")
    assert "Works in" not in main_of(text_of(client, f"/admin/people/{clerk.id}"))
    g.pop("_login_user", None)
    response = client.get(f"/admin/departments/{housing.id}/locality", follow_redirects=True)
    assert "City of York Council serves only Safer York" in response.get_data(as_text=True)


def test_is_another_organisation_s_department_or_person_not_found(app, session, yorkshire):
    y = yorkshire
    district = make_department(session, y["police"], "York district")
    session.commit()
    client = client_of(app, y["council_admin"])
    for path in (f"/admin/departments/{district.id}/locality", f"/admin/people/{y['officer'].id}/locality",
                 "/admin/departments/999999/locality", "/admin/people/999999/locality"):
        g.pop("_login_user", None)
        assert client.get(path).status_code == 404, path


def test_does_a_person_s_new_locality_move_their_next_completion_only(app, session, yorkshire, published):
    """The officer passed in Q3 2025/26 while working for North Yorkshire; their admin says they now work in York;
    their next pass counts for York, and the earlier one stays with North Yorkshire."""
    y = yorkshire
    officer = y["officer"]
    make_completion(session, officer, make_module(session, "Hate crime"), IN_Q3_2025)
    session.commit()
    client = client_of(app, y["police_admin"])
    person = main_of(text_of(client, f"/admin/people/{officer.id}"))
    assert "Works in" in person and "North Yorkshire (not set: the home partnership)" in person
    path = f"/admin/people/{officer.id}/locality"
    assert "Not set (counts for North Yorkshire)" in text_of(client, path)
    response = post(client, path, {"locality": str(y["york"].id)})
    assert response.status_code == 302
    g.pop("_login_user", None)
    assert "counts for Safer York from now on" in client.get(response.headers["Location"]).get_data(as_text=True)
    event = events(session, "user.locality_changed")[0]
    assert (event.detail["before"], event.detail["after"]) == (None, y["york"].slug)
    officer = session.get(User, officer.id)
    take_assessment(session, officer, published.current_version)
    york, north = report_scope(y["york_lead"]), report_scope(y["north_lead"])
    q3_2025, now = parse_period("2025-26-Q3"), current_period(uk_date(utcnow()))
    assert headline(training_counts(session, q3_2025, scope=north)).elearning_sessions == 1
    assert headline(training_counts(session, q3_2025, scope=york)).elearning_sessions == 0
    assert headline(training_counts(session, now, scope=york)).elearning_sessions == 1
    assert headline(training_counts(session, now, scope=north)).elearning_sessions == 0
    people = main_of(text_of(client, f"/admin/organisations/{y['police'].id}/people"))
    assert "Works in" in people and "Safer York" in people


@pytest.mark.parametrize("tampered", ["far", "abc", ""])
def test_is_a_person_s_locality_outside_the_force_s_partnerships_refused(app, session, yorkshire, tampered):
    y = yorkshire
    client = client_of(app, y["police_admin"])
    value = str(y["far"].id) if tampered == "far" else tampered
    response = post(client, f"/admin/people/{y['officer'].id}/locality", {"locality": value})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "Select the partnership they work in, or Not set" in page
    session.expire_all()
    assert session.get(User, y["officer"].id).locality_id is None


def test_does_not_set_say_it_counts_for_the_person_s_department(app, session, yorkshire):
    y = yorkshire
    district = make_department(session, y["police"], "York district")
    district.locality_id = y["york"].id
    y["officer"].department_id = district.id
    session.commit()
    client = client_of(app, y["police_admin"])
    assert "Not set (counts for Safer York, from York district)" in text_of(client, f"/admin/people/{y['officer'].id}/locality")
    assert "Safer York (from their department)" in main_of(text_of(client, f"/admin/people/{y['officer'].id}"))


# --- joint groups (site admins) ----------------------------------------------------------------------------

def test_can_a_site_admin_set_up_a_joint_group_and_its_lead(app, session, yorkshire):
    y = yorkshire
    client = client_of(app, y["site_admin"])
    assert "Joint groups of partnerships" in text_of(client, "/admin/")
    response = post(client, "/admin/joint-groups/new", {"name": "  Hate crime and community cohesion group ",
                                                        "partnerships": [str(y["york"].id), str(y["north"].id)]})
    assert response.status_code == 302
    session.expire_all()
    group = session.scalar(select(JointGroup))
    assert (group.slug, group.name) == ("hate-crime-and-community-cohesion-group", "Hate crime and community cohesion group")
    assert {p.name for p in group.partnerships} == {"Safer York", "North Yorkshire"}
    leads_page = text_of(client, f"/admin/joint-groups/{group.id}/leads/new")
    assert "lead@york.example" in leads_page and "officer@police.example" not in leads_page  # partnership leads only
    assert post(client, f"/admin/joint-groups/{group.id}/leads/new", {"lead": str(y["york_lead"].id)}).status_code == 302
    session.expire_all()
    lead = session.get(User, y["york_lead"].id)
    assert report_scope(lead).area_ids == tuple(p.id for p in group.partnerships)
    listing = main_of(text_of(client, "/admin/joint-groups"))
    assert "Hate crime and community cohesion group" in listing and "lead@york.example" in listing
    assert [e.action for e in events(session, "joint_group.created") + events(session, "joint_group.lead_added")] == [
        "joint_group.created", "joint_group.lead_added"]


def test_does_removing_a_lead_give_them_their_own_partnership_s_figures_again(app, session, yorkshire):
    y = yorkshire
    group = JointGroup(slug="joint", name="Joint", partnerships=[y["york"], y["north"]])
    session.add(group)
    session.flush()
    y["york_lead"].joint_group_id = group.id
    session.commit()
    client = client_of(app, y["site_admin"])
    page = text_of(client, f"/admin/joint-groups/{group.id}")
    assert "lead@york.example" in page
    g.pop("_login_user", None)
    response = client.post(f"/admin/joint-groups/{group.id}/leads/remove",
                           data={"csrf_token": csrf_token(page), "user_id": str(y["york_lead"].id)})
    assert response.status_code == 302
    session.expire_all()
    lead = session.get(User, y["york_lead"].id)
    assert lead.joint_group_id is None and report_scope(lead).area_ids == (y["york"].id,)
    assert events(session, "joint_group.lead_removed")[0].detail["user_id"] == lead.id
    g.pop("_login_user", None)
    again = client.post(f"/admin/joint-groups/{group.id}/leads/remove",
                        data={"csrf_token": csrf_token(page), "user_id": str(y["officer"].id)}, follow_redirects=True)
    assert "Choose one of the group&#39;s leads" in again.get_data(as_text=True)


@pytest.mark.parametrize(("name", "chosen", "message"), [
    ("HATE CRIME GROUP", ["york", "north"], "There is already a joint group called"),
    ("A new group", ["york"], "Choose at least two partnerships"),
    ("A new group", [], "Choose at least two partnerships"),
    ("A new group", ["york", "999999"], "Choose partnerships from the list"),
    ("", ["york", "north"], "Enter the joint group&#39;s name"),
    ("!!!", ["york", "north"], "Enter a name with letters or numbers"),
])
def test_is_a_bad_joint_group_refused_with_a_clear_message(app, session, yorkshire, name, chosen, message):
    y = yorkshire
    session.add(JointGroup(slug="hate-crime-group", name="Hate crime group", partnerships=[y["york"], y["north"]]))
    session.commit()
    ids = [str(y[c].id) if c in y else c for c in chosen]
    client = client_of(app, y["site_admin"])
    response = post(client, "/admin/joint-groups/new", {"name": name, "partnerships": ids})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    session.expire_all()
    assert session.scalars(select(JointGroup)).all()[0].name == "Hate crime group" and len(session.scalars(select(JointGroup)).all()) == 1


def test_can_a_group_s_partnerships_be_changed_and_a_non_lead_not_chosen(app, session, yorkshire):
    y = yorkshire
    group = JointGroup(slug="joint", name="Joint", partnerships=[y["york"], y["north"]])
    session.add(group)
    session.commit()
    client = client_of(app, y["site_admin"])
    edit = f"/admin/joint-groups/{group.id}/edit"
    assert post(client, edit, {"name": "Joint", "partnerships": [str(y["york"].id), str(y["far"].id)]}).status_code == 302
    session.expire_all()
    assert {p.name for p in session.get(JointGroup, group.id).partnerships} == {"Safer York", "Far"}
    assert events(session, "joint_group.updated")[0].detail["before"]["partnerships"] == sorted([y["york"].slug, y["north"].slug])
    for tampered in (str(y["officer"].id), "999999", "x"):
        response = post(client, f"/admin/joint-groups/{group.id}/leads/new", {"lead": tampered})
        assert response.status_code == 200 and "Choose a partnership lead from the list" in response.get_data(as_text=True)
    g.pop("_login_user", None)
    assert client.get("/admin/joint-groups/999999").status_code == 404


@pytest.mark.parametrize("who", ["officer", "police_trainer", "police_admin", "york_lead"])
def test_are_joint_groups_and_served_partnerships_for_site_admins_only(app, session, yorkshire, who):
    y = yorkshire
    client = client_of(app, y[who])
    for path in ("/admin/joint-groups", "/admin/joint-groups/new", f"/admin/organisations/{y['police'].id}/partnerships"):
        g.pop("_login_user", None)
        assert client.get(path).status_code == 403, path
    g.pop("_login_user", None)
    assert "Joint groups of partnerships" not in client.get("/admin/").get_data(as_text=True)


# --- the partnership a face-to-face session was for --------------------------------------------------------

def session_form(module, organisation, audience: dict, **extra) -> dict:
    return {"module": str(module.id), **date_boxes("delivered_on", uk_date(utcnow()).isoformat()), "venue": "Fulford Road",
            "delivering_organisation": str(organisation.id), **{f"audience-{o.id}": str(n) for o, n in audience.items()}, **extra}


def test_does_a_session_the_force_ran_for_york_count_for_york(app, session, yorkshire):
    y = yorkshire
    module = make_module(session, "Hate crime")
    y["police_trainer"].locality_id = y["north"].id
    session.commit()
    client = client_of(app, y["police_trainer"])
    form = text_of(client, "/admin/sessions/new")
    assert "Which partnership was this session for?" in form
    assert f'value="{y["north"].id}" checked' in form  # the trainer's own locality first
    response = post(client, "/admin/sessions/new", session_form(module, y["police"], {y["police"]: 4, y["council"]: 3},
                                                                area=str(y["york"].id)))
    assert response.status_code == 302
    session.expire_all()
    assert session.scalar(select(TrainingSession.partnership_id)) == y["york"].id
    now = current_period(uk_date(utcnow()))
    york = headline(training_counts(session, now, scope=report_scope(y["york_lead"])))
    assert (york.face_to_face_sessions, york.face_to_face_people) == (2, 7)
    assert headline(training_counts(session, now, scope=report_scope(y["north_lead"]))).face_to_face_sessions == 0


@pytest.mark.parametrize("tampered", ["far", "abc", ""])
def test_is_a_session_area_the_force_does_not_serve_refused(app, session, yorkshire, tampered):
    y = yorkshire
    module = make_module(session, "Hate crime")
    session.commit()
    client = client_of(app, y["police_trainer"])
    value = str(y["far"].id) if tampered == "far" else tampered
    response = post(client, "/admin/sessions/new", session_form(module, y["police"], {y["police"]: 4}, area=value))
    assert response.status_code == 200
    assert "Select the partnership the session was for" in response.get_data(as_text=True)
    assert session.scalar(select(TrainingSession.id)) is None


def test_is_a_trainer_serving_one_partnership_not_asked(app, session, yorkshire):
    y = yorkshire
    module = make_module(session, "Hate crime")
    session.commit()
    client = client_of(app, y["council_trainer"])
    assert "Which partnership was this session for?" not in text_of(client, "/admin/sessions/new")
    response = post(client, "/admin/sessions/new", session_form(module, y["council"], {y["council"]: 5}, area=str(y["far"].id)))
    assert response.status_code == 302  # the field is not there, so a posted area is ignored
    session.expire_all()
    assert session.scalar(select(TrainingSession.partnership_id)) == y["york"].id


def test_may_a_site_admin_record_for_any_partnership(app, session, yorkshire):
    y = yorkshire
    module = make_module(session, "Hate crime")
    session.commit()
    client = client_of(app, y["site_admin"])
    form = text_of(client, "/admin/sessions/new")
    assert all(name in form for name in ("Safer York", "North Yorkshire", "Far"))
    response = post(client, "/admin/sessions/new", session_form(module, y["far_council"], {y["far_council"]: 5}, area=str(y["far"].id)))
    assert response.status_code == 302
    session.expire_all()
    assert session.scalar(select(TrainingSession.partnership_id)) == y["far"].id


def test_is_a_lead_who_leads_another_group_warned_and_told_they_moved(app, session, yorkshire):
    y = yorkshire
    first = JointGroup(slug="first", name="First group", partnerships=[y["york"], y["north"]])
    second = JointGroup(slug="second", name="Second group", partnerships=[y["york"], y["north"]])
    session.add_all([first, second])
    session.flush()
    y["york_lead"].joint_group_id = first.id
    session.commit()
    client = client_of(app, y["site_admin"])
    page = text_of(client, f"/admin/joint-groups/{second.id}/leads/new")
    assert "leads First group today; choosing them moves them to this group" in page
    response = post(client, f"/admin/joint-groups/{second.id}/leads/new", {"lead": str(y["york_lead"].id)})
    assert response.status_code == 302
    assert "now leads Second group and sees its figures. They no longer lead First group." in text_of(client, response.headers["Location"])
