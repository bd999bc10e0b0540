"""A trainer and a site admin in a real browser: the module page's governance section and the list of
modules due for review, photographed at desktop and phone widths and checked with axe-core."""

from __future__ import annotations

import datetime as dt

import pytest

from lms.models import ModuleVersion, Role, utcnow
from lms.services.periods import uk_date
from tests.browser.conftest import axe_violations, expect, look, new_page, sign_in
from tests.builders import make_user

TRAINER, SITE_ADMIN = "trainer@testville.example", "site-admin@safer.example"


@pytest.fixture
def staff(session, learner, published):
    """A trainer and a site admin in the council; the tiny module due for review in a fortnight."""
    make_user(session, learner.organisation, Role.TRAINER, email=TRAINER).full_name = "Tam Trainer"
    make_user(session, learner.organisation, Role.SITE_ADMIN, email=SITE_ADMIN).full_name = "Sam Site"
    version = session.get(ModuleVersion, published.current_version_id)
    soon = uk_date(utcnow()) + dt.timedelta(days=14)
    version.settings = {**version.settings, "review_by": soon.isoformat(), "version_notes": "Adds the reporting routes page."}
    session.flush()


@pytest.mark.browser
def test_do_staff_see_who_looks_after_a_module_and_what_is_due_for_review(browser, staff, live_server, shots):
    problems: dict[str, list] = {}
    trainer = new_page(browser, live_server, bypass_csp=True)
    sign_in(trainer, TRAINER)
    trainer.goto("/modules/tiny-module")
    section = trainer.locator("#governance")
    expect(section.get_by_role("heading", name="Looking after this module")).to_be_visible()
    expect(section).to_contain_text("Due for review")
    expect(section).to_contain_text("Adds the reporting routes page.")
    look(trainer, "module-governance-trainer", shots, problems)
    assert axe_violations(trainer) == []  # not even a minor one
    trainer.context.close()

    admin = new_page(browser, live_server, bypass_csp=True)
    sign_in(admin, SITE_ADMIN)
    admin.goto("/admin/")
    admin.get_by_role("link", name="Modules due for review").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Modules due for review")
    expect(admin.get_by_role("row", name="Tiny module")).to_contain_text("Due soon")
    look(admin, "modules-due-for-review", shots, problems)
    assert axe_violations(admin) == []
    admin.context.close()
    assert problems == {}
