"""Does 'My training' show what the learner's organisation asks of them, and does the lesson player help them through it?"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from lms.models import utcnow
from lms.services.standing import training_status
from tests.builders import (
    KNOWLEDGE_CHECK,
    QUESTION,
    make_assignment,
    make_completion,
    make_department,
    make_organisation,
    make_partnership,
    make_user,
    publish_module,
    settings_cell,
    write_notebook,
)
from tests.conftest import ROOT, sign_in

TINY = ROOT / "tests" / "data" / "tiny-module"


@pytest.fixture
def modules(session, tmp_path):
    tiny = publish_module(session, TINY, tmp_path / "tiny-build")
    source = write_notebook(tmp_path / "src" / "two-pages.ipynb", "# First page\n\nOne.", KNOWLEDGE_CHECK,
                            "# Second page\n\nTwo. See [guidance](https://www.gov.uk/report-hate-crime).",
                            "# Assessment\n\nGo.", QUESTION,
                            settings=settings_cell(id="two-pages", title="Two pages", estimated_minutes=15, refresher_months=12))
    two = publish_module(session, source.parent, tmp_path / "two-build", slug="two-pages")
    return tiny, two


@pytest.fixture
def council(session):
    return make_organisation(session, make_partnership(session, "Safer Testville", {"hate_crime_reporting": "the Hub"}), "Testville Council")


def rows(html: str) -> dict[str, str]:
    """Each table row's text, keyed by module title."""
    found = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", html, re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", row).split())
        title = re.search(r">([^<]+)</a>", row)
        if title:
            found[title.group(1)] = text
    return found


def test_are_assigned_modules_listed_first_with_due_date_and_the_rest_as_optional(client, session, modules, council):
    tiny, two = modules
    make_assignment(session, two, council, due_on=dt.date(2099, 3, 31), mandatory=True)
    make_user(session, council, email="amal@example.org")
    session.commit()
    sign_in(client, "amal@example.org")
    html = client.get("/my-training").get_data(as_text=True)
    assert html.index("Assigned by Testville Council") < html.index("Other modules you can take")
    assert html.index("Two pages") < html.index("Other modules you can take") < html.index("Tiny module")
    table = rows(html)
    assert table["Two pages"] == "Two pages Mandatory 15 minutes Not started 31 March 2099 None yet"
    assert table["Tiny module"] == "Tiny module 5 minutes Not started No due date None yet"


def test_does_a_department_assignment_reach_only_that_department(session, modules, council):
    tiny, two = modules
    housing = make_department(session, council, "Housing")
    make_assignment(session, tiny, council, department=housing, mandatory=False)
    in_housing = make_user(session, council)
    in_housing.department_id = housing.id
    elsewhere = make_user(session, council)
    assert [s.module.slug for s in training_status(session, in_housing) if s.assigned] == ["tiny-module"]
    assert not training_status(session, in_housing)[0].mandatory
    assert not any(s.assigned for s in training_status(session, elsewhere))


def test_is_an_assigned_module_past_its_due_date_overdue(client, session, modules, council):
    tiny, _two = modules
    make_assignment(session, tiny, council, due_on=dt.date(2020, 1, 31))
    make_user(session, council, email="amal@example.org")
    session.commit()
    sign_in(client, "amal@example.org")
    assert "Overdue 31 January 2020" in rows(client.get("/my-training").get_data(as_text=True))["Tiny module"]


def test_is_the_learner_prompted_to_renew_a_completion_falling_due(client, session, modules, council):
    tiny, _two = modules
    learner = make_user(session, council, email="amal@example.org")
    make_completion(session, learner, tiny, utcnow() - dt.timedelta(days=24 * 30))
    session.commit()
    sign_in(client, "amal@example.org")
    html = client.get("/my-training").get_data(as_text=True)
    assert "Training to renew" in html and "Take it again online, or attend a face-to-face session." in html
    assert "Due for refresher" in rows(html)["Tiny module"] and "Download certificate for Tiny module (PDF)" in rows(html)["Tiny module"]


def test_does_opening_a_lesson_page_mark_the_module_in_progress(client, session, modules, council):
    make_user(session, council, email="amal@example.org")
    session.commit()
    sign_in(client, "amal@example.org")
    client.get("/modules/tiny-module/pages/1")
    assert "In progress" in rows(client.get("/my-training").get_data(as_text=True))["Tiny module"]


def test_does_the_lesson_player_count_pages_and_resume_where_the_learner_left_off(client, session, modules, council):
    make_user(session, council, email="amal@example.org")
    session.commit()
    sign_in(client, "amal@example.org")
    assert "Start now" in client.get("/modules/two-pages").get_data(as_text=True)
    first = client.get("/modules/two-pages/pages/1").get_data(as_text=True)
    assert "page 1 of 2" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/modules/two-pages/pages/2").get_data(as_text=True)
    assert "page 2 of 2" in second and 'rel="prev"' in second and "Go to the assessment" in second
    overview = client.get("/modules/two-pages").get_data(as_text=True)
    assert "Continue" in overview and 'href="/modules/two-pages/pages/2"' in overview
    assert client.get("/modules/two-pages/pages/3").status_code == 404


def test_does_the_print_view_hold_every_lesson_page_but_no_assessment(client, session, modules, council):
    make_user(session, council, email="amal@example.org")
    session.commit()
    sign_in(client, "amal@example.org")
    assert 'href="/modules/two-pages/print"' in client.get("/modules/two-pages").get_data(as_text=True)
    html = client.get("/modules/two-pages/print").get_data(as_text=True)
    assert "First page" in html and "Second page" in html and "Page 2 of 2" in html
    assert "Is a hate incident always a crime?" in html and "Who should you tell first?" not in html
    assert "An incident can be recorded" not in html  # knowledge-check feedback stays online
    tiny = client.get("/modules/tiny-module/print").get_data(as_text=True)
    assert "In Safer Testville, report it to the Hub." in tiny  # placeholders filled for the learner's partnership
    assert client.get("/modules/no-such-module/print").status_code == 404


def test_does_the_print_view_need_a_signed_in_learner(client, modules):
    response = client.get("/modules/two-pages/print")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
