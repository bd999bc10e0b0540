"""The quarterly board report and the targets page in a real browser, by keyboard alone: a partnership lead opens
the report from the summary, chooses the last whole quarter, hides numbers under 5, downloads the one-page PDF
(rendered to an image with poppler's pdftoppm, to look at), then sets a target with a mistake and corrects it.
Each state is photographed at 1024 and 320 px and checked by axe at any impact, for tables that fit 1024 px and
nothing wider than a 320 px screen outside a table's own scrolling region."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest

from lms.models import OrganisationType, Role
from lms.services.periods import current_period, previous_quarters, quarter_bounds, quarter_label
from lms.services.reports.targets import set_targets
from tests.browser.conftest import axe_violations, expect, look, new_page
from tests.browser.test_keyboard_journeys import follow, sign_in_by_keyboard, tab_to, type_into
from tests.browser.test_page_walk import WIDER_THAN_SCREEN
from tests.browser.test_reports_pages import _fits
from tests.builders import make_completion, make_organisation, make_user
from tests.lms.reporting_builders import make_module, make_session_with_audience

pytestmark = pytest.mark.browser
LEAD = "quarterly.lead@testville.example"
LAST_QUARTER = previous_quarters(current_period().last_quarter, 2)[0]  # whole, and second in the list of quarters


@pytest.fixture
def board(session, live_server, learner):
    """The learner's council and a police force: 12 passes across the last whole quarter's months, 3 the year before,
    a workshop with 3 from the police (a small number), and a target for the year's hate crime sessions."""
    council = learner.organisation
    police = make_organisation(session, council.partnership, "Testville Police", OrganisationType.POLICE)
    hate, prevent = make_module(session, "Hate crime awareness"), make_module(session, "Prevent awareness")
    start, _end = quarter_bounds(LAST_QUARTER)
    for number in range(12):
        make_completion(session, make_user(session, council), hate, dt.datetime.combine(start + dt.timedelta(days=7 * number), dt.time(10)))
    for number in range(3):
        make_completion(session, make_user(session, police), hate, dt.datetime.combine(start.replace(year=start.year - 1), dt.time(9 + number)))
    make_session_with_audience(session, prevent, council, start + dt.timedelta(days=40), {council: 18, police: 3})
    make_user(session, council, Role.PARTNERSHIP_LEAD, email=LEAD)
    set_targets(session, council.partnership_id, LAST_QUARTER // 10, {hate.id: 24}, actor_id=None)  # 12 expected by Q2: on track
    session.commit()
    return council


def snap(page, name: str, shots, problems: dict) -> None:
    """Photograph the page at 1024 and 320 px and keep every axe finding and anything wider than a 320 px screen."""
    look(page, name, shots, problems)
    found = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}" for v in axe_violations(page)]
    _fits(page, name, 1024, found)  # every table fits a 1024 px screen, in its own labelled scrolling region
    page.set_viewport_size({"width": 320, "height": 800})
    found += [f"wider than 320 px: {element}" for element in page.evaluate(WIDER_THAN_SCREEN)]
    page.set_viewport_size({"width": 1024, "height": 800})
    if found:
        problems[name] = found


def test_can_a_lead_read_download_and_set_targets_for_the_quarterly_report_by_keyboard(browser, live_server, board, shots):
    problems: dict[str, list] = {}
    page = new_page(browser, live_server, bypass_csp=True)
    sign_in_by_keyboard(page, LEAD)
    page.goto("/reports/")
    follow(page, "Quarterly report")
    tab_to(page, re.compile("^Quarter$"))
    page.keyboard.press("ArrowDown")  # the list starts at this quarter; the last whole one is next
    follow(page, "Show report")
    label = quarter_label(LAST_QUARTER)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Quarterly report: {label}")
    expect(page.get_by_role("row", name=re.compile("^Hate crime awareness"))).to_contain_text("On track")
    expect(page.locator("#target-rule")).to_contain_text("On track means")
    snap(page, "quarterly", shots, problems)

    tab_to(page, "Hide numbers under 5")
    page.keyboard.press("Space")
    follow(page, "Show report")
    expect(page.locator("#small-numbers-note")).to_contain_text("Counts from 1 to 4")
    expect(page.locator("#table-quarter-types")).to_contain_text("fewer than 5")
    snap(page, "quarterly-small-numbers", shots, problems)

    tab_to(page, f"Download the quarterly report for {label} (PDF, one page)")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    pdf = shots / "quarterly-report.pdf"
    download.value.save_as(pdf)
    assert download.value.suggested_filename == f"quarterly-report-safer-testville-{label[3:7]}-{label[-2:]}-Q{label[1]}.pdf"
    if shutil.which("pdftoppm"):  # make browser installs poppler-utils; the picture is for a person to look at
        subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(pdf), str(shots / "quarterly-report-pdf")], check=True)
        assert (shots / "quarterly-report-pdf.png").stat().st_size > 10_000

    follow(page, re.compile("^Set the targets for"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Targets for"))
    expect(page.get_by_label("Hate crime awareness")).to_have_value("24")
    type_into(page, "Prevent awareness", "twelve")
    follow(page, "Save targets")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the number of sessions to deliver for Prevent awareness as a whole number")
    snap(page, "targets-error", shots, problems)
    tab_to(page, "Enter the number of sessions to deliver for Prevent awareness as a whole number, like 40")  # the error summary's link
    page.keyboard.press("Enter")
    expect(page.get_by_label("Prevent awareness")).to_be_focused()  # GOV.UK Frontend moves focus to the box it names
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    follow(page, "Save targets")
    expect(page.get_by_text("saved: 1 changed")).to_be_visible()
    expect(page.get_by_label("Prevent awareness")).to_have_value("12")
    snap(page, "targets", shots, problems)
    page.context.close()
    assert problems == {}
