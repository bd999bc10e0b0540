"""Choosing emails in a real browser, by keyboard alone, with JavaScript on and off: a learner changes to one
weekly email, an organisation admin stops the weekly compliance summary from the link in it. Each page
state is photographed at 1024 and 320 px and checked by axe."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from lms.models import NoticePreference, Role, User
from lms.services.notices import preferences
from tests.browser.conftest import expect, look, new_page
from tests.browser.test_keyboard_journeys import follow, sign_in_by_keyboard, tab_to, type_into
from tests.builders import PASSWORD, make_user

pytestmark = pytest.mark.browser
ADMIN = "digest.admin@testville.example"
LEAD = "figures.lead@testville.example"


@pytest.fixture
def staff(app, session, live_server, learner):
    """An organisation admin and a partnership lead in the learner's council, and the admin's unsubscribe link."""
    admin = make_user(session, learner.organisation, Role.ORG_ADMIN, email=ADMIN)
    make_user(session, learner.organisation, Role.PARTNERSHIP_LEAD, email=LEAD)
    session.commit()
    return urlsplit(preferences.unsubscribe_url(admin, "admin_digest")).path


def snap(page, name: str, shots, problems: dict, javascript: bool) -> None:
    """Photograph and check a page state; axe needs JavaScript, so the run with it off only walks the journey."""
    if javascript:
        look(page, name, shots, problems)


def choice(session, user_id: int) -> NoticePreference | None:
    session.rollback()
    return session.scalar(select(NoticePreference).where(NoticePreference.user_id == user_id))


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_can_a_learner_choose_one_weekly_email_by_keyboard_alone(browser, live_server, session, learner, shots, javascript):
    page, problems = new_page(browser, live_server, java_script_enabled=javascript, bypass_csp=True), {}
    sign_in_by_keyboard(page, learner.email)
    page.goto("/my-training")
    follow(page, "Choose which emails you get")
    expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()
    expect(page.get_by_text("Reminders about mandatory training cannot be turned off")).to_be_visible()
    expect(page.get_by_label("Weekly compliance summary for my organisation")).to_have_count(0)
    snap(page, "settings-learner", shots, problems, javascript)
    tab_to(page, "Each reminder as it falls due")
    page.keyboard.press("ArrowDown")  # the next radio: one weekly email
    tab_to(page, "Reminders about optional modules")
    page.keyboard.press("Space")
    follow(page, "Save settings")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your notification settings have been saved")
    expect(page.get_by_label("One weekly email on Mondays")).to_be_checked()
    expect(page.get_by_label("Reminders about optional modules")).not_to_be_checked()
    snap(page, "settings-saved", shots, problems, javascript)
    page.context.close()
    row = choice(session, learner.id)
    assert (row.reminders, row.optional_reminders) == ("weekly", False)
    assert problems == {}


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_can_an_admin_stop_the_weekly_summary_from_the_link_by_keyboard_alone(browser, live_server, session, staff, shots, javascript):
    page, problems = new_page(browser, live_server, java_script_enabled=javascript, bypass_csp=True), {}
    page.goto(staff)
    expect(page.get_by_role("heading", name="Stop these emails?")).to_be_visible()
    expect(page.get_by_text("the Monday email about Testville Council's training compliance")).to_be_visible()
    snap(page, "unsubscribe-ask", shots, problems, javascript)
    follow(page, "Stop these emails")
    expect(page.get_by_role("heading", name="You have stopped these emails")).to_be_visible()
    snap(page, "unsubscribe-done", shots, problems, javascript)
    follow(page, "change your notification settings")
    expect(page).to_have_url(re.compile("/sign-in"))
    type_into(page, "Email address", ADMIN)
    type_into(page, re.compile("^Password"), PASSWORD)
    follow(page, re.compile("^Sign in$"))  # back to where the link pointed
    expect(page).to_have_url(re.compile("/account/notifications$"))
    expect(page.get_by_label("Weekly compliance summary for my organisation")).not_to_be_checked()
    expect(page.get_by_label("Reminders about optional modules")).to_be_checked()
    snap(page, "settings-admin", shots, problems, javascript)
    page.context.close()
    row = choice(session, session.scalar(select(User.id).where(User.email == ADMIN)))
    assert (row.admin_digest, row.optional_reminders, row.reminders) == (False, True, "each")
    assert problems == {}


def test_are_the_lead_page_a_tampered_choice_and_a_broken_link_clear(browser, live_server, staff, shots):
    page, problems = new_page(browser, live_server, bypass_csp=True), {}
    page.goto(staff[:-4] + "nope")
    expect(page.get_by_role("heading", name="This link is not valid")).to_be_visible()
    look(page, "unsubscribe-invalid", shots, problems)
    sign_in_by_keyboard(page, LEAD)
    page.goto("/account/notifications")
    expect(page.get_by_label("Quarterly figures for my partnership")).to_be_checked()
    expect(page.get_by_label("Weekly compliance summary for my organisation")).to_have_count(0)
    look(page, "settings-lead", shots, problems)
    page.evaluate("() => { document.querySelector('#reminders').value = 'hourly'; }")  # a tampered radio
    follow(page, "Save settings")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select how you want reminders about your training")
    expect(page).to_have_title(re.compile("^Error: "))
    look(page, "settings-error", shots, problems)
    page.context.close()
    assert problems == {}
