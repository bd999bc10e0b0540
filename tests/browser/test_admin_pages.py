"""An organisation admin and a site admin in a real browser: the organisation, people and domain review
pages, a domain claimed and approved, each page checked with axe-core at desktop and phone widths."""

from __future__ import annotations

import re

import pytest

from lms.models import Role, utcnow
from tests.browser.conftest import expect, look, new_page, sign_in
from tests.builders import make_user

ORG_ADMIN = "org-admin@testville.example"
SITE_ADMIN = "site-admin@safer.example"


@pytest.fixture
def admins(session, learner):
    """An organisation admin with a confirmed address at testville.example, a site admin and a partnership lead, all in the council."""
    council = learner.organisation
    org_admin = make_user(session, council, Role.ORG_ADMIN, email=ORG_ADMIN)
    org_admin.full_name, org_admin.email_confirmed_at = "Olu Admin", utcnow()
    site = make_user(session, council, Role.SITE_ADMIN, email=SITE_ADMIN)
    site.full_name, site.email_confirmed_at = "Sam Site", utcnow()
    make_user(session, council, Role.PARTNERSHIP_LEAD, email="lead@testville.example").full_name = "Lee Lead"
    return council


@pytest.mark.browser
def test_can_an_org_admin_claim_a_domain_and_a_site_admin_approve_it(browser, admins, live_server, shots):
    problems: dict[str, list] = {}
    org = new_page(browser, live_server, bypass_csp=True)
    sign_in(org, ORG_ADMIN)
    org.goto("/admin/")
    org.get_by_role("link", name="Testville Council").click()
    expect(org.get_by_role("heading", level=1)).to_have_text("Testville Council")
    org.get_by_role("link", name="Claim an email domain").click()
    expect(org.get_by_text("must be at this domain")).to_be_visible()
    org.get_by_label("Email domain").fill("nhs.net")
    org.get_by_role("button", name="Claim domain").click()
    expect(org.get_by_role("alert")).to_contain_text("shared by many organisations")
    look(org, "claim-refused", shots, problems)
    org.get_by_label("Email domain").fill("testville.example")
    org.get_by_role("button", name="Claim domain").click()
    expect(org.locator("#claimed-domains .govuk-summary-list__row", has_text="testville.example")).to_contain_text("Waiting for a site admin to approve")
    look(org, "organisation-pending", shots, problems)
    org.get_by_role("link", name="Find, deactivate or reactivate people").click()
    expect(org.get_by_role("row", name=re.compile("Sam Site"))).to_contain_text("Only a site admin can change a site admin")
    expect(org.get_by_role("row", name=re.compile("Lee Lead")).get_by_role("button")).to_have_count(0)
    look(org, "people-org-admin", shots, problems)

    site = new_page(browser, live_server, bypass_csp=True)
    sign_in(site, SITE_ADMIN)
    site.goto("/admin/")
    expect(site.get_by_text("1 to review")).to_be_visible()
    site.get_by_role("link", name="Email domain claims").click()
    card = site.locator(".govuk-summary-card", has_text="testville.example")
    expect(card).to_contain_text("Olu Admin (organisation admin)")
    expect(card).to_contain_text(ORG_ADMIN)
    look(site, "domains-review", shots, problems)
    card.get_by_role("button", name="Approve testville.example").click()
    expect(site.get_by_role("alert")).to_contain_text("testville.example approved")
    look(site, "domains-reviewed", shots, problems)
    site.goto("/admin/")
    site.get_by_role("link", name="Testville Council").click()
    site.get_by_role("link", name="Find, deactivate or reactivate people").click()
    expect(site.get_by_role("row", name=re.compile("Lee Lead")).get_by_role("button", name=re.compile("Deactivate"))).to_be_visible()
    look(site, "people-site-admin", shots, problems)

    org.goto(org.url.replace("/people", ""))
    expect(org.locator("#claimed-domains .govuk-summary-list__row", has_text="testville.example")).to_contain_text("Approved")
    look(org, "organisation-approved", shots, problems)
    org.context.close()
    site.context.close()
    assert problems == {}
