"""The thin journey: a trainer's notebook is built and published, a learner passes, a lead exports the count."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.models import Completion
from tests.builders import make_organisation, make_partnership, make_user
from tests.conftest import csrf_token, sign_in


@pytest.fixture
def learner(session):
    partnership = make_partnership(session, "Safer Testville", {"hate_crime_reporting": "the Testville Hate Crime Hub"})
    user = make_user(session, make_organisation(session, partnership, "Testville Council"), email="learner@testville.example")
    session.commit()
    return user


def answer_form(html: str, choose: dict[str, list[str]]) -> dict:
    """Form data choosing options by their label text, as a person reading the page would."""
    data: dict[str, list[str] | str] = {"csrf_token": csrf_token(html)}
    for field, labels in choose.items():
        values = []
        for label in labels:
            match = re.search(rf'name="{field}" type="\w+" value="(\w+)">\s*<label[^>]*>{re.escape(label)}', html)
            assert match, f"no option labelled {label!r} for {field}"
            values.append(match.group(1))
        data[field] = values
    return data


def question_ids(html: str) -> list[str]:
    """The form fields of the questions on a page, in the order shown."""
    return list(dict.fromkeys(re.findall(r'<input class="govuk-(?:radios|checkboxes)__input" id="[^"]+" name="([^"]+)"', html)))


def labels_of(html: str, field: str) -> list[str]:
    return [label.strip() for label in re.findall(rf'name="{field}" type="\w+" value="\w+">\s*<label[^>]*>([^<]+)<', html)]


def take_assessment(client, answers: list[list[str]], read_pages: bool = True):
    """Start an attempt and fill its form with the options labelled `answers` (one list per question,
    matched to whichever question offers those labels, as the order is shuffled per attempt).
    With `read_pages`, the learner first opens the lesson page, as the retry rules ask after a fail."""
    if read_pages:
        client.get("/modules/tiny-module/pages/1")
    start = client.get("/modules/tiny-module/assessment").get_data(as_text=True)
    response = client.post("/modules/tiny-module/assessment", data={"csrf_token": csrf_token(start)})
    assert response.status_code == 302, response.status_code
    attempt_url = response.headers["Location"]
    page = client.get(attempt_url).get_data(as_text=True)
    choose = {}
    for field in question_ids(page):
        offered = set(labels_of(page, field))
        choose[field] = next(labels for labels in answers if set(labels) <= offered)
    return attempt_url, page, answer_form(page, choose)


RIGHT = [["Your safeguarding lead"], ["Call 999 in an emergency", "Report online"]]
WRONG = [["Nobody"], ["Report online"]]


def test_learner_reads_pages_passes_and_is_counted_once(app, client, session, published, learner):
    assert sign_in(client, "learner@testville.example").status_code == 302
    training = client.get("/my-training").get_data(as_text=True)
    assert "Tiny module" in training and "Not started" in training

    page_one = client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert "page 1 of 1" in page_one
    assert "In Safer Testville, report it to the Testville Hate Crime Hub." in page_one
    assert "Go to the assessment" in page_one

    attempt_url, page, form = take_assessment(client, RIGHT)
    assert "[x]" not in page and "They know the local routes" not in page  # no answer key or feedback before marking
    response = client.post(attempt_url, data=form)
    assert response.status_code == 302
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You passed" in result and "100%" in result

    again = client.post(attempt_url, data=form)  # a double submit of the same form
    assert again.status_code == 302
    assert session.scalar(select(func.count(Completion.id))) == 1
    assert "Completed" in client.get("/my-training").get_data(as_text=True)

    runner = app.test_cli_runner()
    exported = runner.invoke(args=["report", "export", "--period", _current_quarter_text()])
    assert exported.exit_code == 0, exported.output
    assert f"{learner.organisation_id},Testville Council,local_authority,tiny-module,Tiny module,e-learning,1,1" in exported.output
    assert "learner@testville.example" not in exported.output


def _current_quarter_text() -> str:
    from lms.services.periods import current_period

    code = current_period().first_quarter
    year, quarter = divmod(code, 10)
    return f"{year}-{(year + 1) % 100:02d}-Q{quarter}"


def test_a_fail_records_nothing_and_the_learner_can_retry(client, session, published, learner):
    sign_in(client, "learner@testville.example")
    attempt_url, _page, form = take_assessment(client, WRONG)
    result = client.get(client.post(attempt_url, data=form).headers["Location"]).get_data(as_text=True)
    assert "You did not pass this time" in result and "0%" in result
    assert session.scalar(select(func.count(Completion.id))) == 0

    attempt_url, _page, form = take_assessment(client, RIGHT)
    result = client.get(client.post(attempt_url, data=form).headers["Location"]).get_data(as_text=True)
    assert "You passed" in result
    assert session.scalar(select(func.count(Completion.id))) == 1


def test_a_second_pass_while_in_date_is_not_counted_again(client, session, published, learner):
    sign_in(client, "learner@testville.example")
    for _ in range(2):
        attempt_url, _page, form = take_assessment(client, RIGHT)
        client.post(attempt_url, data=form)
    assert session.scalar(select(func.count(Completion.id))) == 1


def test_unanswered_questions_are_named_and_nothing_is_marked(client, session, published, learner):
    sign_in(client, "learner@testville.example")
    attempt_url, page, _form = take_assessment(client, RIGHT)
    response = client.post(attempt_url, data={"csrf_token": csrf_token(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and "Answer question 1" in html and "Answer question 2" in html
    assert session.scalar(select(func.count(Completion.id))) == 0


def test_a_tampered_option_is_refused_with_a_clear_message(client, session, published, learner):
    sign_in(client, "learner@testville.example")
    attempt_url, page, form = take_assessment(client, RIGHT)
    first = question_ids(page)[0]
    form[first] = ["not-an-option"]
    html = client.post(attempt_url, data=form).get_data(as_text=True)
    assert "not one of its options" in html
    assert session.scalar(select(func.count(Completion.id))) == 0


def test_another_learners_attempt_is_not_found(client, session, published, learner):
    sign_in(client, "learner@testville.example")
    attempt_url, _page, _form = take_assessment(client, RIGHT)
    other = make_user(session, email="other@testville.example")
    session.commit()
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/my-training").get_data(as_text=True))})
    sign_in(client, other.email)
    assert client.get(attempt_url).status_code == 404
    assert client.get(attempt_url + "/result").status_code == 404


def test_a_post_without_csrf_token_is_refused(client, published, learner):
    sign_in(client, "learner@testville.example")
    response = client.post("/modules/tiny-module/assessment", data={})
    assert response.status_code == 400
    assert "Your session has expired" in response.get_data(as_text=True)
