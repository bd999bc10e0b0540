"""The report pages in a real browser with JavaScript off: a partnership lead chooses a quarter, opens each
breakdown and downloads it; an organisation admin searches and pages through the learner list. Every page
fits a 1024 px screen (no table wider than its container), scrolls sideways at 320 px only inside a table's
own scrolling region, and has no axe-core findings, best practice included."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from lms.models import OrganisationType, Role, utcnow
from lms.services.periods import current_period, govuk_date, previous_quarters, quarter_bounds, quarter_label
from tests.browser.conftest import AXE, AXE_TAGS, RUN_AXE, expect, new_page, sign_in
from tests.builders import make_assignment, make_completion, make_organisation, make_user
from tests.lms.reporting_builders import make_module, make_session_with_audience

LEAD, ORG_ADMIN = "lead@testville.example", "org-admin@testville.example"
LAST_QUARTER = previous_quarters(current_period().last_quarter, 2)[0]  # whole, and always in the period list
WIDTHS = (1024, 320)
FITS = """() => ({page: document.documentElement.scrollWidth, window: window.innerWidth,
  tables: [...document.querySelectorAll('table')].map((t) => ({id: t.id, width: t.scrollWidth, room: t.parentElement.clientWidth,
    scroller: t.parentElement.matches('[role=region][tabindex="0"][aria-label]')}))})"""


@pytest.fixture
def reporting(session, learner):
    """The learner's council with a lead, an admin and 30 staff; a police force; a charity with no training;
    e-learning and a face-to-face session in the last whole quarter, and an assigned module."""
    council = learner.organisation
    police = make_organisation(session, council.partnership, "Testville Police", OrganisationType.POLICE)
    make_organisation(session, council.partnership, "Testville Quiet Charity", OrganisationType.VOLUNTARY)
    module = make_module(session, "Hate crime awareness")
    start, _end = quarter_bounds(LAST_QUARTER)
    for role, email in ((Role.PARTNERSHIP_LEAD, LEAD), (Role.ORG_ADMIN, ORG_ADMIN)):
        make_user(session, council, role, email=email).email_confirmed_at = utcnow()
    for number in range(30):
        person = make_user(session, council if number % 5 else police, email=f"staff{number:02d}@testville.example")
        person.full_name = f"Staff Member {number:02d}"
        make_completion(session, person, module, dt.datetime.combine(start + dt.timedelta(days=number), dt.time(10)))
    make_session_with_audience(session, module, council, start + dt.timedelta(days=20), {council: 12, police: 5})
    make_assignment(session, module, council, due_on=start + dt.timedelta(days=200))
    return council


def _fits(page, name: str, width: int, problems: list[str]) -> None:
    """No page scrolls sideways; every table sits in a labelled, focusable scrolling region and, at 1024 px, fits it."""
    fits = page.evaluate(FITS)
    if fits["page"] > fits["window"]:
        problems.append(f"{name} at {width}px: the page scrolls sideways ({fits['page']} > {fits['window']})")
    for table in fits["tables"]:
        if not table["scroller"]:
            problems.append(f"{name}: table {table['id']} is not in a focusable, labelled scrolling region")
        if width == 1024 and table["width"] > table["room"]:
            problems.append(f"{name} at 1024px: table {table['id']} is wider than its container ({table['width']} > {table['room']})")


def _check(page, looker, name: str, problems: list[str]) -> None:
    """At each width, the JavaScript-off page fits, and the same page with JavaScript on (in `looker`, signed in as
    the same person) has no axe-core findings, best practice included: axe needs scripts to run."""
    looker.goto(page.url)
    looker.add_script_tag(path=str(AXE))
    for width in WIDTHS:
        for each in (page, looker):
            each.set_viewport_size({"width": width, "height": 800})
        _fits(page, name, width, problems)
        problems += [f"{name} at {width}px: {v['id']} {[n['target'] for n in v['nodes']]}"
                     for v in looker.evaluate(RUN_AXE, [*AXE_TAGS, "best-practice"])["violations"]]
    for each in (page, looker):
        each.set_viewport_size({"width": 1024, "height": 800})


def _pages(browser, live_server, email: str):
    """A JavaScript-off page to click through, and a JavaScript-on one to run axe on, both signed in."""
    page = new_page(browser, live_server, java_script_enabled=False)
    looker = new_page(browser, live_server, bypass_csp=True)
    for each in (page, looker):
        sign_in(each, email)
    return page, looker


@pytest.mark.browser
def test_can_a_lead_choose_a_quarter_open_each_breakdown_and_download_it_without_javascript(browser, reporting, live_server):
    problems: list[str] = []
    page, looker = _pages(browser, live_server, LEAD)
    page.get_by_role("link", name="Reports").click()
    _check(page, looker, "summary", problems)
    page.get_by_label("Period").select_option(label=quarter_label(LAST_QUARTER))
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Training delivered: {quarter_label(LAST_QUARTER)}")
    expect(page.get_by_text("sessions delivered")).to_contain_text("32")  # 30 e-learning passes, 2 face-to-face audiences
    _check(page, looker, "summary for the quarter", problems)
    for title in ("Sessions by organisation", "Sessions by organisation type", "Sessions by module", "Sessions by organisation and module",
                  "Compliance with assigned modules"):
        page.get_by_role("link", name=title, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        _check(page, looker, title, problems)
        with page.expect_download() as download:
            page.get_by_role("link", name=f"Download {title.lower()} (CSV)").click()
        rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
        when = ["Standing on", govuk_date(utcnow())] if title.startswith("Compliance") else ["Period", quarter_label(LAST_QUARTER)]
        assert rows[0] == [title] and rows[1] == when and rows[2] == ["Covers", "Safer Testville"], title
        page.get_by_role("link", name="Training report", exact=True).click()
    page.get_by_role("link", name="Sessions by organisation", exact=True).click()
    expect(page.get_by_role("row", name="Testville Council")).to_contain_text("24")  # 24 passes
    expect(page.get_by_role("table")).not_to_contain_text("Quiet Charity")
    page.get_by_text("Show 1 organisation with no training recorded").click()
    expect(page.get_by_role("listitem").filter(has_text="Testville Quiet Charity")).to_be_visible()
    page.get_by_text("Change the period or organisation").click()
    page.get_by_label("Organisation", exact=True).select_option(label="Testville Police")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".govuk-caption-l")).to_have_text(f"Testville Police: {quarter_label(LAST_QUARTER)}")
    page.context.close()
    looker.context.close()
    assert problems == []


@pytest.mark.browser
def test_can_an_org_admin_search_and_page_through_the_learners_and_see_a_date_error_without_javascript(browser, reporting, live_server):
    problems: list[str] = []
    page, looker = _pages(browser, live_server, ORG_ADMIN)
    page.goto("/reports/")
    page.get_by_role("link", name="Learners and their modules").click()
    expect(page.get_by_text("Showing people 1 to 25 of")).to_be_visible()
    _check(page, looker, "learners", problems)
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    _check(page, looker, "learners page 2", problems)
    page.get_by_label("Search by name or email address").fill("member 07")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 person matching ‘member 07’")).to_be_visible()
    people = page.locator("#table-learners th[scope=rowgroup]")
    expect(people).to_have_count(1)
    expect(people).to_contain_text("Staff Member 07")
    _check(page, looker, "learners search", problems)
    page.get_by_label("Search by name or email address").fill("nobody at all")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No one with a module to report matches")).to_be_visible()
    _check(page, looker, "learners no match", problems)

    page.goto("/reports/")
    page.get_by_label("Period").select_option(label="Custom dates")
    page.locator("#from-day").fill("31")
    page.locator("#from-month").fill("2")
    page.locator("#from-year").fill("2026")
    page.get_by_role("button", name="Show figures").click()
    expect(page).to_have_title("Error: Training report – Safer Learning")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Start date must be a real date")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the end date")
    _check(page, looker, "summary with a date error", problems)
    page.context.close()
    looker.context.close()
    assert problems == []
