"""The site admin's notice outbox in a real browser: a failed and an interrupted email on the page, the
"send again?" question and the answer, each at 1024 and 320 px with no axe-core finding."""

from __future__ import annotations

import datetime as dt

import pytest

from lms.models import Notice, Role, utcnow
from tests.browser.conftest import expect, look, new_page, sign_in
from tests.builders import make_user

SITE_ADMIN = "site-admin@safer.example"


@pytest.fixture
def waiting(session, learner):
    """A site admin, and two emails to the learner that need one: refused until failed, and interrupted mid-send."""
    site = make_user(session, learner.organisation, Role.SITE_ADMIN, email=SITE_ADMIN)
    site.full_name = "Sam Site"
    for status, stage, error in (("failed", "2026-12-18", f"550 5.1.1 <{learner.email}>: Recipient address rejected: User unknown in virtual mailbox table"),
                                 ("interrupted", "2026-12-01", "A worker stopped while sending this email, so whether it was sent is not known.")):
        session.add(Notice(user_id=learner.id, kind="due-14", subject="module:1", stage=stage, mandatory=True, status=status,
                           email_subject="Safeguarding adults is due in 14 days", body_text="Due soon.",
                           attempts=6 if status == "failed" else 1, next_try_at=utcnow() - dt.timedelta(hours=2), last_error=error))
    session.commit()


def test_does_the_site_admin_see_failed_emails_and_send_one_again(browser, live_server, waiting, shots):
    page, problems = new_page(browser, live_server, bypass_csp=True), {}
    sign_in(page, SITE_ADMIN)
    page.goto("/admin/")
    page.get_by_role("link", name="Emails about training").click()
    expect(page.get_by_role("heading", name="Emails that need you")).to_be_visible()
    expect(page.get_by_text("Recipient address rejected")).to_be_visible()
    look(page, "notice-outbox", shots, problems)
    page.goto("/admin/notices/send-again")
    expect(page.get_by_role("heading", name="Send the failed email again?")).to_be_visible()
    look(page, "notice-send-all", shots, problems)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Send again “Safeguarding adults is due in 14 days” to Test Person").last.click()  # the failed one
    expect(page.get_by_role("heading", name="Send “Safeguarding adults is due in 14 days” to Test Person again?")).to_be_visible()
    look(page, "notice-send-again", shots, problems)
    page.get_by_role("button", name="Send again").click()
    expect(page.get_by_text("1 email will be sent again within a few minutes.")).to_be_visible()
    look(page, "notice-outbox-after", shots, problems)
    page.context.close()
    assert problems == {}
