"""People who use only the keyboard, with JavaScript on and with it off: an organisation admin imports
people, assigns a module and records a face-to-face session; a partnership lead chooses a quarter, opens a
breakdown and downloads it. Every link, field and button is reached with Tab and used with Enter, arrows
or typing, never the mouse."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from lms.models import Assignment, ModuleVersion, Role, TrainingSession, User, utcnow
from lms.services.periods import govuk_date, quarter_label, uk_date
from tests.browser.conftest import Page, expect, new_page
from tests.browser.test_reports_pages import LAST_QUARTER, LEAD, reporting  # noqa: F401 - the lead's figures
from tests.builders import PASSWORD, make_user

pytestmark = pytest.mark.browser
ADMIN = "keyboard.admin@testville.example"
MAX_TABS = 80  # more stops than this between two controls would be a journey nobody could bear
FOCUSED_NAME = """() => { const el = document.activeElement; if (!el || el === document.body) return '';
  const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
  return (label || el.getAttribute('aria-label') || el.innerText || el.value || '').trim().replace(/\\s+/g, ' '); }"""


@pytest.fixture
def admin(session, published, learner):
    """An organisation admin in the learner's council; the module counts as published two months ago."""
    for version in session.scalars(select(ModuleVersion).where(ModuleVersion.module_id == published.id)):
        version.published_at = utcnow() - dt.timedelta(days=60)
    person = make_user(session, learner.organisation, Role.ORG_ADMIN, email=ADMIN)
    person.full_name = "Kim Keyboard"
    session.commit()
    return person


def tab_to(page: Page, name: str | re.Pattern) -> None:
    """Press Tab until the focused control's name (its label, or its text) matches."""
    wanted = name if isinstance(name, re.Pattern) else re.compile(re.escape(name))
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED_NAME))
        if wanted.search(seen[-1]):
            return
    raise AssertionError(f"Tab never reached {name!r}; it went through {seen[-12:]}")


def follow(page: Page, name: str | re.Pattern) -> None:
    """Tab to a link or button and press Enter, waiting for the page it opens."""
    tab_to(page, name)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page: Page, label: str | re.Pattern, text: str) -> None:
    tab_to(page, label)
    page.keyboard.type(text)


def sign_in_by_keyboard(page: Page, email: str = ADMIN) -> None:
    page.goto("/sign-in")
    type_into(page, "Email address", email)
    type_into(page, re.compile("^Password"), PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile("/sign-in"))


def import_people(page: Page, tmp_path) -> None:
    follow(page, "Admin")
    follow(page, "Testville Council")
    follow(page, "Import people from a CSV file")
    csv = tmp_path / "people.csv"
    csv.write_text("email,full_name\nnew.colleague@testville.example,New Colleague\n")
    tab_to(page, re.compile("CSV file|Upload a file|Choose"))
    page.locator("input[type=file]").set_input_files(csv)  # the file picker is the browser's own window
    follow(page, re.compile("^(Import|Check|Upload)"))
    expect(page.get_by_role("heading", name="1 person imported")).to_be_visible()


def assign_module(page: Page, due: dt.date) -> None:
    page.goto("/admin/")
    follow(page, "Testville Council")
    follow(page, "Assign a module")
    tab_to(page, "Module")
    page.keyboard.press("ArrowDown")
    for part, value in (("Day", due.day), ("Month", due.month), ("Year", due.year)):
        type_into(page, part, str(value))
    follow(page, re.compile("^Assign"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Tiny module is assigned to everyone in the organisation, due by {govuk_date(due)}.")


def record_session(page: Page, day: dt.date) -> None:
    page.goto("/admin/")
    follow(page, "Face-to-face sessions")
    follow(page, "Record a session")
    tab_to(page, "Module")
    page.keyboard.press("ArrowDown")
    for part, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        type_into(page, part, str(value))
    type_into(page, "Venue", "Testville Library")
    type_into(page, "Testville Council", "12")
    follow(page, "Record session")
    expect(page.get_by_role("row", name=re.compile("Testville Library"))).to_contain_text("Counted")


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_can_an_org_admin_import_assign_and_record_a_session_by_keyboard_alone(browser, admin, live_server, session, tmp_path, javascript):
    page = new_page(browser, live_server, java_script_enabled=javascript)
    today = uk_date(utcnow())
    sign_in_by_keyboard(page)
    import_people(page, tmp_path)
    assign_module(page, today + dt.timedelta(days=30))
    record_session(page, today - dt.timedelta(days=1))
    page.context.close()
    session.rollback()
    assert session.scalar(select(User.full_name).where(User.email == "new.colleague@testville.example")) == "New Colleague"
    assert session.scalar(select(Assignment.due_on).where(Assignment.organisation_id == admin.organisation_id)) == today + dt.timedelta(days=30)
    assert session.scalar(select(TrainingSession.venue).where(TrainingSession.delivering_organisation_id == admin.organisation_id)) == "Testville Library"


def choose_option(page: Page, label: str, option: str) -> None:
    """Tab to a list and press the down arrow until it shows `option` (no mouse, no opening it)."""
    tab_to(page, label)
    for _ in range(MAX_TABS):
        if page.evaluate("() => document.activeElement.selectedOptions[0].text") == option:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label} has no option {option!r}")


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_can_a_lead_choose_a_quarter_and_download_a_breakdown_by_keyboard_alone(browser, reporting, live_server, javascript):  # noqa: F811
    page = new_page(browser, live_server, java_script_enabled=javascript)
    sign_in_by_keyboard(page, LEAD)
    follow(page, "Reports")
    choose_option(page, "Period", quarter_label(LAST_QUARTER))
    follow(page, "Show figures")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Training delivered: {quarter_label(LAST_QUARTER)}")
    follow(page, re.compile("^Sessions by organisation$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions by organisation")
    tab_to(page, "Download sessions by organisation (CSV)")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    rows = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    page.context.close()
    assert rows[:2] == ["Sessions by organisation", f"Period,{quarter_label(LAST_QUARTER)}"]
    assert f"{reporting.id},Testville Council,24,24,1,12,25,36" in rows  # 24 passes and a session of 12, as the page shows
