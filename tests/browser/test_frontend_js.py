"""GOV.UK Frontend's JavaScript as progressive enhancement, in Chromium under the real Content-Security-Policy:
focus moves to the error summary and to success banners, a link styled as a button answers the Space key, and
with JavaScript switched off the same journeys still work. Also: the footer's pages pass axe-core and reflow."""

from __future__ import annotations

import re

import pytest

from lms.models import Role, utcnow
from lms.services.periods import uk_date
from tests.browser.conftest import AXE, AXE_TAGS, expect, new_page, sign_in
from tests.builders import PASSWORD, make_user

TRAINER = "trainer@testville.example"
FOOTER_PAGES = {"Help": "Help using", "Contact": "Contact us", "Accessibility statement": "Accessibility statement for",
                "Privacy": "Privacy notice", "Cookies": "Cookies"}


def watched(page):
    """The page, with every script error and CSP refusal it reports kept in a list to assert empty."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    return page, problems


@pytest.fixture
def trainer(session, learner):
    """A trainer in the learner's council, made before the server starts so it is committed with the rest."""
    user = make_user(session, learner.organisation, Role.TRAINER, email=TRAINER)
    user.full_name, user.email_confirmed_at = "Tia Trainer", utcnow()
    return user


@pytest.mark.browser
def test_does_a_failed_sign_in_move_focus_to_the_error_summary(browser, live_server):
    page, problems = watched(new_page(browser, live_server))
    page.goto("/sign-in")
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    summary.get_by_role("link", name="Enter your password").click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    assert problems == [], problems


@pytest.mark.browser
def test_can_someone_without_javascript_fix_a_failed_sign_in(browser, live_server):
    page, problems = watched(new_page(browser, live_server, java_script_enabled=False))
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    expect(page.locator("body")).not_to_have_class(re.compile("govuk-frontend-supported"))
    sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert problems == [], problems


@pytest.mark.browser
def test_does_a_link_styled_as_a_button_answer_the_space_key(browser, live_server):
    page = new_page(browser, live_server)
    page.goto("/")
    start = page.get_by_role("button", name="Sign in")
    start.focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"/sign-in$"))


@pytest.mark.browser
def test_does_focus_move_to_the_banner_that_says_you_signed_out(browser, live_server):
    page = new_page(browser, live_server)
    sign_in(page)
    page.get_by_role("button", name=re.compile("^Sign out")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_focused()
    expect(page.get_by_role("alert")).to_contain_text("You have signed out")


def _record_without_a_month(page) -> None:
    """Fill in the session form as a trainer would, but leave the month of the date out."""
    today = uk_date(utcnow())
    page.goto("/admin/sessions/new")
    page.get_by_label("Module").select_option(index=1)
    page.get_by_role("group", name="Date delivered").get_by_label("Day").fill(str(today.day))
    page.get_by_role("group", name="Date delivered").get_by_label("Year").fill(str(today.year))
    page.get_by_label("Venue").fill("Guildhall")
    page.get_by_label("Testville Council").fill("12")
    page.get_by_role("button", name="Record session").click()


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["javascript on", "javascript off"])
def test_can_a_trainer_correct_a_date_missing_its_month(browser, trainer, live_server, javascript):
    page, problems = watched(new_page(browser, live_server, java_script_enabled=javascript))
    sign_in(page, TRAINER, PASSWORD)
    _record_without_a_month(page)
    expect(page).to_have_title(re.compile(r"^Error: Record a session"))
    summary = page.locator(".govuk-error-summary")
    if javascript:
        expect(summary).to_be_focused()
    summary.get_by_role("link", name="Date delivered must include a month").click()
    month = page.get_by_role("group", name="Date delivered").get_by_label("Month")
    if javascript:
        expect(month).to_be_focused()
    expect(month).to_have_class(re.compile("govuk-input--error"))
    expect(page.get_by_role("group", name="Date delivered").get_by_label("Day")).not_to_have_class(re.compile("govuk-input--error"))
    month.fill(str(uk_date(utcnow()).month))
    page.get_by_role("button", name="Record session").click()
    expect(page.get_by_role("alert")).to_contain_text("Session recorded")
    assert problems == [], problems


AXE_WITH_BEST_PRACTICE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}"""


@pytest.mark.browser
def test_are_the_footer_pages_reachable_clean_and_reflowing(browser, live_server, shots):
    page = new_page(browser, live_server, bypass_csp=True)
    problems: dict[str, object] = {}
    for link, heading in FOOTER_PAGES.items():
        page.goto("/")
        page.get_by_role("contentinfo").get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        expect(page.get_by_role("contentinfo")).to_contain_text("If someone is in immediate danger, call 999")
        expect(page.locator(".govuk-phase-banner")).to_contain_text("This is a new service")
        for width in (1024, 320):
            page.set_viewport_size({"width": width, "height": 800})
            page.screenshot(path=str(shots / f"site-{link.split()[0].lower()}-{width}.png"), full_page=True)
            page.add_script_tag(path=str(AXE))
            found = page.evaluate(AXE_WITH_BEST_PRACTICE, [*AXE_TAGS, "best-practice"])
            wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            if found or wide:
                problems[f"{link} at {width}px"] = {"axe": found, "scrolls sideways": wide}
    assert problems == {}, problems
    page.get_by_role("link", name="contact us").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact us")
