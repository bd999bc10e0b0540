"""An organisation admin and a site admin in a real browser: the admin home, organisation, people and person
pages, each change and confirmation page, the CSV import's errors and the domain review. Every page is
checked at desktop and phone widths: no axe-core finding (best practice included), no markup shown as text,
nothing wider than a 320 px screen outside a table's own scrolling box."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lms.models import ApiToken, Role, utcnow
from lms.services.api_tokens import token_hash
from tests.browser.conftest import AXE, AXE_TAGS, RUN_AXE, WIDTHS, expect, new_page, sign_in
from tests.builders import make_assignment, make_department, make_join_code, make_user

ORG_ADMIN = "org-admin@testville.example"
SITE_ADMIN = "site-admin@safer.example"
SHOWN_MARKUP = re.compile(r"<\s*/?\s*(?:span|strong|a|p|div|em|code|br|ul|li|button|form|input)\b")
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll('body *')].filter((el) => {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.right > document.documentElement.clientWidth + 1 && !el.closest('.sl-table-scroll');
}).map((el) => el.outerHTML.slice(0, 120))"""


@pytest.fixture
def admins(session, learner, published):
    """A council with 54 people (two pages), departments, a join code and an assignment; an organisation admin with a
    confirmed address at testville.example, a site admin and a partnership lead in it."""
    council = learner.organisation
    org_admin = make_user(session, council, Role.ORG_ADMIN, email=ORG_ADMIN)
    org_admin.full_name, org_admin.email_confirmed_at = "Olu Admin", utcnow()
    site = make_user(session, council, Role.SITE_ADMIN, email=SITE_ADMIN)
    site.full_name, site.email_confirmed_at = "Sam Site", utcnow()
    make_user(session, council, Role.PARTNERSHIP_LEAD, email="lead@testville.example").full_name = "Lee Lead"
    housing = make_department(session, council, "Housing and Neighbourhoods")
    make_department(session, council, "Community Safety")
    for number in range(1, 51):
        person = make_user(session, council, email=f"colleague.with.a.long.address.{number:02d}@testville.example")
        person.full_name, person.department_id = f"Colleague {number:02d}", housing.id if number % 2 else None
    make_join_code(session, council, "TESTVILLE-STAFF-2026")
    session.add(ApiToken(name="Partnership Power BI dashboard", token_hash=token_hash("slt_browser-test"), partnership_id=council.partnership_id))
    make_assignment(session, published, council)
    return council


def found_nothing(problems: dict[str, list], shots: Path, name: str) -> bool:
    """True if every page was clean; else the findings are written beside the screenshots, to read in full."""
    if problems:
        (shots / f"admin-{name}-problems.json").write_text(json.dumps(problems, indent=1))
    return not problems


def check(page, name: str, shots: Path, problems: dict[str, list]) -> None:
    """Photograph the page at 1024 and 320 px; keep every axe finding, any markup shown as text and anything too wide."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(shots / f"admin-{name}-{width}.png"), full_page=True, animations="disabled", caret="hide")
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(RUN_AXE, [*AXE_TAGS, "best-practice"])["violations"]
        shown = SHOWN_MARKUP.findall(page.inner_text("body"))
        wide = page.evaluate(WIDER_THAN_SCREEN) if width == 320 else []
        for kind, items in (("axe", found), ("markup shown as text", shown), ("wider than the screen", wide)):
            if items:
                problems.setdefault(f"{name} at {width}px", []).append({kind: items})
    page.set_viewport_size({"width": 1024, "height": 800})


@pytest.mark.browser
def test_can_an_org_admin_find_a_person_and_change_them_on_their_own_pages(browser, admins, live_server, shots):
    problems: dict[str, list] = {}
    org = new_page(browser, live_server, bypass_csp=True)
    sign_in(org, ORG_ADMIN)
    org.goto("/admin/")
    check(org, "home-org-admin", shots, problems)
    org.get_by_role("link", name="Testville Council").click()
    expect(org.get_by_role("heading", level=1)).to_have_text("Testville Council")
    check(org, "organisation", shots, problems)
    org.get_by_role("link", name="Find people and change their role, department or status").click()
    expect(org.locator("#people-count")).to_contain_text("1 to 50 of 54 people")
    check(org, "people", shots, problems)
    org.get_by_role("navigation", name="Pages of people").get_by_role("link", name="Next page").click()
    expect(org.locator("#people-count")).to_contain_text("51 to 54 of 54 people")
    check(org, "people-page-2", shots, problems)
    org.get_by_label("Search by name or email address").fill("colleague 07")
    org.get_by_role("button", name="Search").click()
    expect(org.locator("#people-count")).to_contain_text("1 person matching ‘colleague 07’")
    check(org, "people-search", shots, problems)
    org.get_by_role("link", name="Colleague 07").click()
    expect(org.get_by_role("heading", level=1)).to_have_text("Colleague 07")
    check(org, "person", shots, problems)

    org.get_by_role("link", name="Change department").click()
    check(org, "person-department", shots, problems)
    org.get_by_label("Community Safety").check()
    org.get_by_role("button", name="Save").click()
    expect(org.get_by_role("alert")).to_contain_text("Colleague 07 is now in Community Safety")
    org.get_by_role("link", name="Change role").click()
    check(org, "person-role", shots, problems)
    org.get_by_label("Trainer").check()
    org.get_by_role("button", name="Save").click()
    expect(org.get_by_role("alert")).to_contain_text("Colleague 07's role is now Trainer")
    expect(org.locator(".govuk-summary-list")).to_contain_text("Community Safety")

    org.get_by_role("link", name="Deactivate Colleague 07").click()
    expect(org.get_by_role("heading", level=1)).to_have_text("Are you sure you want to deactivate Colleague 07?")
    check(org, "person-deactivate", shots, problems)
    org.get_by_role("link", name="Cancel").click()
    expect(org.locator(".govuk-summary-list")).to_contain_text("Active")
    org.get_by_role("link", name="Deactivate Colleague 07").click()
    org.get_by_role("button", name="Deactivate account").click()
    expect(org.get_by_role("alert")).to_contain_text("Colleague 07 is deactivated")
    expect(org.locator(".govuk-summary-list")).to_contain_text("Deactivated")
    check(org, "person-deactivated", shots, problems)

    org.goto("/admin/")
    org.get_by_role("link", name="Testville Council").click()
    org.get_by_role("link", name="Find people and change their role, department or status").click()
    org.get_by_label("Search by name or email address").fill("Lee Lead")
    org.get_by_role("button", name="Search").click()
    org.get_by_role("link", name="Lee Lead").click()
    expect(org.get_by_text("Only a site admin can change a partnership lead")).to_be_visible()
    expect(org.get_by_role("link", name=re.compile("Change|Deactivate"))).to_have_count(0)
    check(org, "person-lead", shots, problems)
    org.context.close()
    assert found_nothing(problems, shots, "org-admin-people"), problems


@pytest.mark.browser
def test_does_each_organisation_action_ask_first_and_the_import_point_at_the_file(browser, admins, live_server, shots, tmp_path):
    problems: dict[str, list] = {}
    org = new_page(browser, live_server, bypass_csp=True)
    sign_in(org, ORG_ADMIN)
    org.goto("/admin/")
    org.get_by_role("link", name="Testville Council").click()
    for link, heading, button, name in [
        ("Revoke join code TESTVILLE-STAFF-2026", "Are you sure you want to revoke join code TESTVILLE-STAFF-2026?", "Revoke join code", "revoke-code"),
        ("Remove assignment of Tiny module", "Are you sure you want to remove the assignment of Tiny module for everyone in the organisation?", "Remove assignment", "remove-assignment"),
    ]:
        org.get_by_role("link", name=link).click()
        expect(org.get_by_role("heading", level=1)).to_have_text(heading)
        check(org, name, shots, problems)
        org.get_by_role("link", name="Cancel").click()
        expect(org.get_by_role("link", name=link)).to_be_visible()
        org.get_by_role("link", name=link).click()
        org.get_by_role("button", name=button).click()
        expect(org.get_by_role("alert")).to_be_visible()
    expect(org.locator("#join-codes")).to_contain_text("Revoked")
    expect(org.get_by_text("No modules assigned.")).to_be_visible()
    check(org, "organisation-after", shots, problems)

    org.get_by_role("link", name="Import people from a CSV file").click()
    csv = tmp_path / "staff.csv"
    csv.write_text("email,full_name,department\nnew.person@testville.example,New Person,\nnot-an-address,Bad Row,\n"
                   "someone@testville.example,,Nowhere\n")
    org.get_by_label("CSV file").set_input_files(str(csv))
    org.get_by_role("button", name="Import").click()
    summary = org.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Row 3: email 'not-an-address' is not a valid email address")
    expect(summary.get_by_role("link")).to_have_count(2)
    for href in summary.get_by_role("link").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))"):
        assert href == "#file"
    expect(org.locator(".govuk-form-group--error #file.govuk-file-upload--error")).to_be_visible()
    expect(org.locator("#file-error")).to_contain_text("The selected file has 2 rows with problems")
    assert org.title().startswith("Error: ")
    check(org, "import-errors", shots, problems)
    summary.get_by_role("link").first.click()
    expect(org.locator("#file")).to_be_focused()
    org.context.close()
    assert found_nothing(problems, shots, "org-admin-actions"), problems


@pytest.mark.browser
def test_can_a_site_admin_review_a_claim_and_release_it_after_confirming(browser, admins, live_server, shots):
    problems: dict[str, list] = {}
    org = new_page(browser, live_server, bypass_csp=True)
    sign_in(org, ORG_ADMIN)
    org.goto("/admin/")
    org.get_by_role("link", name="Testville Council").click()
    org.get_by_role("link", name="Claim an email domain").click()
    org.get_by_label("Email domain").fill("testville.example")
    org.get_by_role("button", name="Claim domain").click()
    expect(org.locator("#claimed-domains")).to_contain_text("Waiting for a site admin to approve")
    org.context.close()

    site = new_page(browser, live_server, bypass_csp=True)
    sign_in(site, SITE_ADMIN)
    site.goto("/admin/")
    expect(site.get_by_text("1 to review")).to_be_visible()
    check(site, "home-site-admin", shots, problems)
    site.get_by_role("link", name="Email domain claims").click()
    card = site.locator(".govuk-summary-card", has_text="testville.example")
    expect(card).to_contain_text("Olu Admin (organisation admin)")
    card.get_by_role("button", name="Approve testville.example").click()
    expect(site.get_by_role("alert")).to_contain_text("testville.example approved")
    check(site, "domains-reviewed", shots, problems)
    site.get_by_role("button", name="Release testville.example").click()
    expect(site.get_by_role("heading", level=1)).to_have_text("Are you sure you want to release the claim on testville.example?")
    check(site, "release-domain", shots, problems)
    site.get_by_role("button", name="Release claim").click()
    expect(site.get_by_role("alert")).to_contain_text("testville.example is no longer claimed")
    expect(site).to_have_url(re.compile(r"/admin/domains$"))
    site.goto("/admin/")
    site.get_by_role("link", name="API tokens for reporting tools").click()
    check(site, "tokens", shots, problems)
    site.get_by_role("link", name="Revoke token Partnership Power BI dashboard").click()
    expect(site.get_by_role("heading", level=1)).to_have_text("Are you sure you want to revoke the token 'Partnership Power BI dashboard'?")
    check(site, "revoke-token", shots, problems)
    site.get_by_role("link", name="Cancel").click()
    expect(site.get_by_role("table")).to_contain_text("Active")
    site.goto("/admin/")
    site.get_by_role("link", name="Testville Council").click()
    site.get_by_role("link", name="Find people and change their role, department or status").click()
    site.get_by_label("Search by name or email address").fill("Lee Lead")
    site.get_by_role("button", name="Search").click()
    site.get_by_role("link", name="Lee Lead").click()
    expect(site.get_by_role("link", name="Deactivate Lee Lead")).to_be_visible()
    check(site, "person-lead-site-admin", shots, problems)
    site.context.close()
    assert found_nothing(problems, shots, "site-admin"), problems
