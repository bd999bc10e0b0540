"""A trainer in a real browser records a face-to-face session (confirming a large audience), corrects its
date and withdraws it; each page checked with axe-core at desktop and phone widths."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.models import Completion, ModuleVersion, Role, TrainingSession, utcnow
from lms.services.periods import uk_date
from tests.browser.conftest import LEARNER_EMAIL, Page, expect, fill_date, look, new_page
from tests.builders import PASSWORD, make_user

TRAINER = "trainer@testville.example"


@pytest.fixture
def trainer(session, published, learner):
    """A trainer in the learner's council; the module counts as first published 60 days ago."""
    for version in session.scalars(select(ModuleVersion).where(ModuleVersion.module_id == published.id)):
        version.published_at = utcnow() - dt.timedelta(days=60)
    person = make_user(session, learner.organisation, Role.TRAINER, email=TRAINER)
    person.full_name = "Tara Trainer"
    session.commit()
    return person


def record(page: Page, day: dt.date, shots: Path, problems: dict[str, list]) -> None:
    page.goto("/admin/sessions")
    page.get_by_role("button", name="Record a session").click()
    look(page, "record", shots, problems)
    page.get_by_label("Module").select_option(label="Tiny module")
    fill_date(page, "Date delivered", day)
    page.get_by_label("Venue").fill("Testville Library")
    page.get_by_label("Testville Council").fill("250")
    page.get_by_label("Named attendees (optional)").fill(LEARNER_EMAIL)
    page.get_by_role("button", name="Record session").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("250 people from Testville Council is more than 200")
    expect(page.get_by_label("Venue")).to_have_value("Testville Library")
    look(page, "record-confirm", shots, problems)
    page.get_by_label("Yes, 250 people attended from Testville Council").check()
    page.get_by_role("button", name="Record session").click()
    expect(page.get_by_role("row", name=re.compile("Testville Library"))).to_contain_text("Counted")


def record_again(page: Page, day: dt.date, shots: Path, problems: dict[str, list]) -> None:
    """The same session entered a second time is caught; the trainer goes back instead of confirming."""
    page.get_by_role("button", name="Record a session").click()
    page.get_by_label("Module").select_option(label="Tiny module")
    fill_date(page, "Date delivered", day)
    page.get_by_label("Venue").fill("Testville Library")
    page.get_by_label("Testville Council").fill("3")
    page.get_by_role("button", name="Record session").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("looks like one already recorded")
    expect(page.get_by_label("Yes, this is a different session from the one already recorded")).not_to_be_checked()
    look(page, "record-duplicate", shots, problems)
    page.get_by_role("link", name="Back").click()


@pytest.mark.browser
def test_can_a_trainer_record_correct_and_withdraw_a_session(browser, trainer, live_server, session, shots):
    problems: dict[str, list] = {}
    page = new_page(browser, live_server, bypass_csp=True)
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(TRAINER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/sign-in"))
    today = uk_date(utcnow())
    record(page, today, shots, problems)
    look(page, "sessions", shots, problems)
    record_again(page, today, shots, problems)

    page.get_by_role("link", name=re.compile("^Correct")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct a face-to-face session")
    look(page, "correct", shots, problems)
    fill_date(page, "Date delivered", today - dt.timedelta(days=7))
    page.get_by_role("button", name="Save correction").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are correcting the session")
    look(page, "correct-errors", shots, problems)
    page.get_by_label("Why are you correcting this session?").fill("The register shows it was the week before")
    page.get_by_role("button", name="Save correction").click()
    expect(page.get_by_role("row", name=re.compile("Testville Library"))).to_contain_text("Counted (corrected)")

    page.get_by_role("link", name=re.compile("^Withdraw")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw a face-to-face session")
    look(page, "withdraw", shots, problems)
    page.get_by_label("Why are you withdrawing this session?").fill("Recorded twice by mistake")
    page.get_by_role("button", name="Withdraw session").click()
    row = page.get_by_role("row", name=re.compile("Testville Library"))
    expect(row).to_contain_text("Withdrawn")
    expect(row).to_contain_text("Recorded twice by mistake")
    look(page, "sessions-withdrawn", shots, problems)
    page.context.close()

    session.rollback()  # a fresh read: the server wrote in its own thread
    training = session.scalar(select(TrainingSession))
    attended = session.scalar(select(Completion).where(Completion.session_id == training.id))
    assert training.delivered_on == today - dt.timedelta(days=7) and training.withdrawal_reason == "Recorded twice by mistake"
    assert attended.withdrawn_at is not None and uk_date(attended.completed_at) == training.delivered_on
    assert problems == {}
