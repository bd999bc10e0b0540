"""What the knowledge check, assessment and result pages send a learner: error summaries for empty answers,
feedback that says where it is, knowledge checks each named by its question, the assessment in sections."""

from __future__ import annotations

import re

import pytest

from lms.services.lessons import in_sections
from tests.builders import make_organisation, make_user, publish_module
from tests.conftest import csrf_token, sign_in
from tests.lms.test_journey import answer_form, labels_of, question_ids
from tests.numbered_notebook import SLUG, WRONG, write_numbered_notebook

PAGE = f"/modules/{SLUG}/pages/1"
EMAIL = "noor@testville.example"


@pytest.fixture
def numbers(session, tmp_path):
    write_numbered_notebook(tmp_path / "source" / f"{SLUG}.ipynb")
    module = publish_module(session, tmp_path / "source", tmp_path / "build", slug=SLUG)
    make_user(session, make_organisation(session), email=EMAIL)
    session.commit()
    return module


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1).strip()


def check(client, question: str, *chosen: str) -> str:
    page = client.get(PAGE).get_data(as_text=True)
    response = client.post(PAGE, data={"csrf_token": csrf_token(page), "question": question, question: list(chosen)})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_does_an_empty_knowledge_check_get_an_error_summary_linking_to_its_first_option(client, numbers):
    sign_in(client, EMAIL)
    html = check(client, "how-many")
    assert title(html).startswith("Error: ")
    first_option = re.search(r'<input class="govuk-radios__input" id="(how-many-[^"]+)"', html).group(1)
    summary = html[html.index('class="govuk-error-summary"'):html.index("<h1")]
    assert f'<a href="#{first_option}">Choose an answer</a>' in summary
    assert 'id="how-many-error"' in html and "govuk-form-group--error" in html
    assert "govuk-notification-banner" not in html and "Right. About 1 in 4" not in html


def test_is_a_knowledge_checks_feedback_a_focusable_alert_that_its_form_points_at(client, numbers):
    sign_in(client, EMAIL)
    page = client.get(PAGE).get_data(as_text=True)
    assert 'action="/modules/numbers-module/pages/1#feedback-how-many"' in page
    option = re.search(r'name="how-many" type="radio" value="(\w+)">\s*<label[^>]*>1 in 100 women', page).group(1)
    html = check(client, "how-many", option)
    assert not title(html).startswith("Error")
    banner = re.search(r'<div class="govuk-notification-banner[^"]*"[^>]*>', html, re.DOTALL).group(0)
    for attribute in ('role="alert"', 'id="feedback-how-many"', 'tabindex="-1"', 'data-module="govuk-notification-banner"'):
        assert attribute in banner
    assert "Not quite" in html and "No. It is far more common than that." in html


def test_are_the_knowledge_checks_on_a_page_named_each_by_its_own_question(client, numbers):
    sign_in(client, EMAIL)
    html = client.get(PAGE).get_data(as_text=True)
    names = []
    for ids in re.findall(r'<section class="sl-knowledge-check" aria-labelledby="([^"]+)"', html):
        parts = [re.search(rf'id="{i}"[^>]*>(.*?)</h[23]>', html, re.DOTALL).group(1) for i in ids.split()]
        names.append(" ".join(re.sub(r"<[^>]+>|\s+", " ", part).strip() for part in parts))
    assert names == ["Check your understanding How many women in England and Wales experience domestic abuse in their lifetime?",
                     "Check your understanding Is a hate incident always a crime?"]


@pytest.mark.parametrize(("count", "sizes"), [(0, []), (1, [1]), (5, [5]), (6, [3, 3]), (11, [4, 4, 3]), (13, [5, 4, 4])])
def test_is_an_assessment_split_into_even_sections_of_at_most_five(count, sizes):
    sections = in_sections(list(range(count)))
    assert [len(s) for s in sections] == sizes and sum(sections, []) == list(range(count))


def start(client) -> tuple[str, str]:
    page = client.get(f"/modules/{SLUG}/assessment").get_data(as_text=True)
    attempt = client.post(f"/modules/{SLUG}/assessment", data={"csrf_token": csrf_token(page)}).headers["Location"]
    return attempt, client.get(attempt).get_data(as_text=True)


def test_does_the_assessment_come_in_sections_with_each_question_a_heading(client, numbers):
    sign_in(client, EMAIL)
    _attempt, html = start(client)
    assert re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', html) == ["Questions 1 to 3", "Questions 4 to 6"]
    assert len(re.findall(r'<legend[^>]*>\s*<h3 class="govuk-fieldset__heading"', html)) == 6
    assert "<ol" not in html[html.index("<main"):]  # answers such as '999.' and '13. This is below...' are words


def test_does_a_failed_result_put_the_retry_before_the_review_of_answers(client, numbers):
    sign_in(client, EMAIL)
    client.get(PAGE)
    attempt, html = start(client)
    choose = {field: next(labels for labels in WRONG.values() if set(labels) <= set(labels_of(html, field))) for field in question_ids(html)}
    result = client.get(client.post(attempt, data=answer_form(html, choose)).headers["Location"]).get_data(as_text=True)
    assert "You did not pass this time" in result
    assert result.index("Before you try again") < result.index("What your answers teach") < result.index("Question 1")
