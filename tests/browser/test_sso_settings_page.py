"""Setting up single sign-on in a real browser, by keyboard alone, with JavaScript on and off: an organisation
admin reaches the page from their organisation's, enters a provider with a mistake, corrects it, saves, and
tests the connection. Each page state is photographed at 1024 and 320 px and checked by axe (with JavaScript)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.models import Role, SingleSignOn
from lms.services.sso.secret_box import unseal
from tests.browser.conftest import axe_violations, expect, look, new_page
from tests.browser.test_keyboard_journeys import follow, sign_in_by_keyboard, tab_to, type_into
from tests.browser.test_page_walk import WIDER_THAN_SCREEN
from tests.builders import make_email_domain, make_user

pytestmark = pytest.mark.browser
ADMIN = "sso.admin@testville.example"
SECRET = "browser-typed-secret-9Lq"  # noqa: S105
UNREACHABLE = "https://127.0.0.1:1"


@pytest.fixture
def sso_admin(app, session, live_server, learner):
    """An organisation admin of the learner's council, which holds testville.example as an approved claim; the
    installation lets a loopback issuer be asked, so the test connection really tries (nothing listens on port 1)."""
    app.config["SSO_ALLOW_HTTP_LOOPBACK"] = True
    make_email_domain(session, learner.organisation, "testville.example")
    person = make_user(session, learner.organisation, Role.ORG_ADMIN, email=ADMIN)
    session.commit()
    return person


def snap(page, name: str, shots, problems: dict, javascript: bool) -> None:
    """Photograph and check a page state (axe at any impact, nothing wider than a 320 px screen); both need JavaScript,
    so the run with it off only walks the journey."""
    if javascript:
        look(page, name, shots, problems)
        found = [f"{v['id']}: {v['help']}" for v in axe_violations(page)]
        page.set_viewport_size({"width": 320, "height": 800})
        found += [f"wider than 320 px: {element}" for element in page.evaluate(WIDER_THAN_SCREEN)]
        page.set_viewport_size({"width": 1024, "height": 800})
        if found:
            problems[name] = found


def enter_settings(page, issuer: str) -> None:
    type_into(page, re.compile("^Issuer URL$"), issuer)
    type_into(page, re.compile("^Client ID$"), "testville-lms")
    type_into(page, re.compile("^Client secret$"), SECRET)
    tab_to(page, re.compile("^testville\\.example$"))
    page.keyboard.press("Space")
    tab_to(page, re.compile("^Switch on single sign-on$"))
    page.keyboard.press("Space")


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_can_an_org_admin_set_up_and_test_single_sign_on_by_keyboard_alone(browser, live_server, session, sso_admin, shots, javascript):
    page, problems = new_page(browser, live_server, java_script_enabled=javascript, bypass_csp=True), {}
    sign_in_by_keyboard(page, ADMIN)
    page.goto(f"/admin/organisations/{sso_admin.organisation_id}")
    follow(page, re.compile("^Change single sign-on$"))
    expect(page.get_by_role("heading", name="Single sign-on", exact=True)).to_be_visible()
    expect(page.locator("#redirect-uri")).to_have_text(re.compile(r"/sign-in/organisation/callback$"))
    snap(page, "sso-empty", shots, problems, javascript)

    enter_settings(page, "http://login.testville.example")
    follow(page, re.compile("^Save settings$"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The issuer URL must start with https://")
    expect(page.locator("#issuer-error")).to_contain_text("The issuer URL must start with https://")
    expect(page.get_by_label("Client secret")).to_have_value("")  # never sent back, even to the person who typed it
    snap(page, "sso-errors", shots, problems, javascript)

    tab_to(page, re.compile("^Issuer URL$"))
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(UNREACHABLE)
    type_into(page, re.compile("^Client secret$"), SECRET)
    follow(page, re.compile("^Save settings$"))
    saved = page.locator(".govuk-notification-banner").first
    expect(saved).to_contain_text("Staff at testville.example are sent to your provider to sign in")
    expect(saved).to_contain_text("These settings have not passed a connection test yet")
    expect(page.get_by_label("testville.example")).to_be_checked()
    expect(page.get_by_text("Leave empty to keep the saved secret")).to_be_visible()
    snap(page, "sso-saved", shots, problems, javascript)

    follow(page, re.compile("^Test connection$"))
    expect(page.get_by_text("Problems found: sign-in will not work until they are fixed")).to_be_visible()
    expect(page.get_by_text(re.compile("Could not reach the provider's discovery document"))).to_be_visible()
    snap(page, "sso-tested", shots, problems, javascript)
    assert SECRET not in page.content()
    page.context.close()

    session.rollback()
    provider = session.scalar(select(SingleSignOn).where(SingleSignOn.organisation_id == sso_admin.organisation_id))
    assert (provider.issuer, provider.domains, provider.enabled, provider.check_passed) == (UNREACHABLE, ["testville.example"], True, False)
    assert unseal(provider.client_secret_encrypted) == SECRET
    assert problems == {}
