"""Setting up a force that serves two partnerships, in a real browser: a site admin ticks the partnerships North
Yorkshire Police serves and sets up a joint group with its lead; the force's admin says where a department and an
officer work; the force's trainer records a session for York. Each page, and each page with a mistake on it, is
photographed at 1024 and 320 px and checked by axe (every rule at 1024 px; serious and critical at both)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.models import Department, JointGroup, OrganisationType, Role, TrainingSession, User, utcnow
from lms.services.periods import uk_date
from tests.browser.conftest import axe_violations, expect, fill_date, look, new_page, sign_in
from tests.browser.test_page_walk import WIDER_THAN_SCREEN
from tests.builders import make_department, make_organisation, make_partnership, make_user
from tests.lms.reporting_builders import make_module

pytestmark = pytest.mark.browser
SITE_ADMIN, POLICE_ADMIN, TRAINER = "site@york.example", "admin@police.example", "trainer@police.example"


@pytest.fixture
def yorkshire(session, live_server):
    york, north = make_partnership(session, "Safer York"), make_partnership(session, "North Yorkshire")
    council = make_organisation(session, york, "City of York Council")
    police = make_organisation(session, north, "North Yorkshire Police", OrganisationType.POLICE)
    make_department(session, police, "York district")
    make_module(session, "Hate crime awareness")
    make_user(session, council, Role.SITE_ADMIN, email=SITE_ADMIN)
    make_user(session, council, Role.PARTNERSHIP_LEAD, email="lead@york.example").full_name = "Yasmin Lead"
    make_user(session, police, Role.ORG_ADMIN, email=POLICE_ADMIN)
    make_user(session, police, Role.TRAINER, email=TRAINER)
    make_user(session, police, email="officer@police.example").full_name = "Olu Officer"
    session.commit()
    return {"york": york, "north": north, "police": police}


def snap(page, name: str, shots, problems: dict) -> None:
    """Photograph a page state at both widths (axe's serious findings at each), every axe rule at 1024 px, and
    nothing wider than a 320 px screen."""
    look(page, name, shots, problems)
    found = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}" for v in axe_violations(page)]
    page.set_viewport_size({"width": 320, "height": 800})
    found += [f"wider than 320 px: {element}" for element in page.evaluate(WIDER_THAN_SCREEN)]
    page.set_viewport_size({"width": 1024, "height": 800})
    if found:
        problems[name] = found


def tamper(page, selector: str, value: str) -> None:
    """Give an input a value the page never offered, as a hand-edited form would post."""
    page.locator(selector).first.evaluate("(element, value) => { element.value = value; element.checked = true; }", value)


def test_can_a_site_admin_set_up_the_partnerships_a_force_serves_and_a_joint_group(browser, live_server, session, yorkshire, shots):
    y, problems = yorkshire, {}
    page = new_page(browser, live_server, bypass_csp=True)
    sign_in(page, SITE_ADMIN)
    page.goto(f"/admin/organisations/{y['police'].id}")
    page.get_by_role("link", name="Change partnerships this organisation serves").click()
    expect(page.get_by_role("heading", name="Partnerships this organisation serves")).to_be_visible()
    tamper(page, "input[name=partnerships]", "999999")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Choose partnerships from the list").first).to_be_visible()
    snap(page, "areas-served-error", shots, problems)
    page.get_by_label("Safer York", exact=True).check()
    snap(page, "areas-served", shots, problems)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Partnerships saved.")).to_be_visible()
    snap(page, "areas-organisation-site-admin", shots, problems)

    page.goto("/admin/")
    page.get_by_role("link", name="Joint groups of partnerships").click()
    snap(page, "areas-joint-groups-empty", shots, problems)
    page.get_by_role("button", name="Add a joint group").click()
    page.get_by_label("Group name").fill("Hate crime and community cohesion group")
    page.get_by_label("Safer York", exact=True).check()
    page.get_by_role("button", name="Add joint group").click()
    expect(page.get_by_text("Choose at least two partnerships").first).to_be_visible()
    snap(page, "areas-joint-group-new-error", shots, problems)
    page.get_by_label("North Yorkshire", exact=True).check()
    page.get_by_role("button", name="Add joint group").click()
    snap(page, "areas-joint-group", shots, problems)
    page.get_by_role("link", name="Add a lead").click()
    page.get_by_role("button", name="Add lead").click()
    expect(page.get_by_text("Choose a partnership lead from the list").first).to_be_visible()
    snap(page, "areas-joint-group-lead-error", shots, problems)
    page.get_by_label("Partnership lead").select_option(label="lead@york.example (Yasmin Lead, Safer York)")
    page.get_by_role("button", name="Add lead").click()
    expect(page.get_by_text("Yasmin Lead now leads")).to_be_visible()
    snap(page, "areas-joint-group-with-lead", shots, problems)
    page.get_by_role("link", name="Joint groups").first.click()
    snap(page, "areas-joint-groups", shots, problems)
    page.context.close()
    session.expire_all()
    group = session.scalar(select(JointGroup))
    assert {p.name for p in group.partnerships} == {"Safer York", "North Yorkshire"}
    assert session.scalar(select(User.joint_group_id).where(User.email == "lead@york.example")) == group.id
    assert problems == {}


def test_can_the_force_s_admin_and_trainer_say_where_people_work_and_sessions_were(browser, live_server, session, yorkshire, shots):
    y, problems = yorkshire, {}
    y["police"].other_partnerships.append(y["york"])
    session.commit()
    page = new_page(browser, live_server, bypass_csp=True)
    sign_in(page, POLICE_ADMIN)
    page.goto(f"/admin/organisations/{y['police'].id}")
    snap(page, "areas-organisation-org-admin", shots, problems)
    page.get_by_role("link", name="Change where York district works").click()
    page.get_by_label("Works in").select_option(label="Safer York")
    snap(page, "areas-department-locality", shots, problems)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Where York district works is saved.")).to_be_visible()

    page.get_by_role("link", name="Find people and change their role, department or status").click()
    page.get_by_role("link", name="Olu Officer").click()
    snap(page, "areas-person", shots, problems)
    page.get_by_role("link", name="Change where they work").click()
    tamper(page, "input[name=locality]", "999999")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Select the partnership they work in, or Not set").first).to_be_visible()
    snap(page, "areas-person-locality-error", shots, problems)
    page.get_by_label("Safer York", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("counts for Safer York from now on")).to_be_visible()
    page.get_by_role("link", name="People").first.click()
    snap(page, "areas-people", shots, problems)
    page.context.close()

    page = new_page(browser, live_server, bypass_csp=True)
    sign_in(page, TRAINER)
    page.goto("/admin/sessions/new")
    expect(page.get_by_label("North Yorkshire", exact=True)).to_be_checked()
    page.get_by_label("Module").select_option(label="Hate crime awareness")
    fill_date(page, "Date delivered", uk_date(utcnow()))
    page.get_by_label("Venue").fill("Fulford Road")
    page.get_by_label("North Yorkshire Police", exact=True).fill("6")
    tamper(page, "input[name=area]", "999999")
    page.get_by_role("button", name="Record session").click()
    expect(page.get_by_text("Select the partnership the session was for").first).to_be_visible()
    snap(page, "areas-session-error", shots, problems)
    page.get_by_label("Safer York", exact=True).check()
    snap(page, "areas-session", shots, problems)
    page.get_by_role("button", name="Record session").click()
    expect(page.get_by_text("Session recorded.")).to_be_visible()
    page.context.close()
    session.expire_all()
    assert session.scalar(select(Department.locality_id)) == y["york"].id
    assert session.scalar(select(User.locality_id).where(User.email == "officer@police.example")) == y["york"].id
    assert session.scalar(select(TrainingSession.partnership_id)) == y["york"].id
    assert problems == {}
