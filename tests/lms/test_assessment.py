"""Is the assessment marked only on the server, shuffled per attempt, and counted once however it is submitted?"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.models import Attempt, Completion, User
from lms.services.assessment_draw import asked_questions, draw
from lms.services.completions import start_attempt
from lms.services.marking import AnswerError, mark, read_answers
from tests.builders import make_organisation, make_user, publish_module
from tests.conftest import ROOT, sign_in
from tests.lms.test_journey import RIGHT, WRONG, answer_form, take_assessment


@pytest.fixture
def module(session, tmp_path):
    published = publish_module(session, ROOT / "tests" / "data" / "tiny-module", tmp_path / "build")
    make_user(session, make_organisation(session), email="amal@example.org")
    session.commit()
    return published


def option_order(html: str, field: str) -> list[str]:
    return re.findall(rf'name="{field}" type="\w+" value="(\w+)"', html)


def completions(session) -> int:
    session.rollback()
    return session.scalar(select(func.count(Completion.id)))


def test_does_each_attempt_get_its_own_option_order(module):
    version = module.current_version
    orders = {tuple(tuple(item["options"]) for item in sorted(draw(version, f"seed-{n}"), key=lambda i: i["question"]))
              for n in range(20)}
    assert len(orders) > 1
    for order in orders:
        assert sorted(map(sorted, order)) == sorted(sorted(o["id"] for o in q["options"]) for q in version.scored_questions)


def test_is_the_option_order_shown_the_one_stored_for_the_attempt(client, session, module):
    sign_in(client, "amal@example.org")
    attempt_url, page, _form = take_assessment(client, RIGHT)
    attempt = session.get(Attempt, int(attempt_url.rsplit("/", 1)[1]))
    for item in asked_questions(attempt.version, attempt):
        assert option_order(page, item.field) == [shown for shown, _option in item.options]
        assert [o["id"] for _shown, o in item.options] == next(d["options"] for d in attempt.drawn if d["question"] == item.question["id"])


def test_is_a_question_right_only_with_exactly_its_correct_options(module):
    version = module.current_version
    questions = version.scored_questions
    key = version.answer_key
    multiple = next(q for q in questions if q["multiple"])
    some_right = [key[multiple["id"]]["correct"][0]]
    answers = {q["id"]: key[q["id"]]["correct"] for q in questions} | {multiple["id"]: some_right}
    marking = mark(questions, key, answers, 50)
    assert (marking.correct_count, marking.question_count, marking.score, marking.passed) == (1, 2, 50, True)
    assert not mark(questions, key, answers, 51).passed


def test_are_a_radio_question_given_two_answers_and_unknown_options_refused(session, module):
    learner = session.scalar(select(User).where(User.email == "amal@example.org"))
    attempt = start_attempt(session, learner, module.current_version)
    asked = asked_questions(module.current_version, attempt)
    single = next(item for item in asked if not item.question["multiple"])
    with pytest.raises(AnswerError) as raised:
        read_answers(asked, {single.field: list(single.option_ids)})
    assert "not one of its options" in raised.value.problems[single.field]
    real_ids = {single.field: [single.question["options"][0]["id"]]}  # the stored id, not this attempt's identifier
    with pytest.raises(AnswerError) as raised:
        read_answers(asked, real_ids)
    assert "not one of its options" in raised.value.problems[single.field]


def test_does_the_back_button_after_a_pass_show_the_result_not_a_fresh_form(client, session, module):
    sign_in(client, "amal@example.org")
    attempt_url, _page, form = take_assessment(client, RIGHT)
    client.post(attempt_url, data=form)
    back = client.get(attempt_url)
    assert back.status_code == 302 and back.headers["Location"].endswith("/result")
    assert completions(session) == 1


def test_do_two_tabs_passing_two_attempts_record_one_completion(client, session, module):
    sign_in(client, "amal@example.org")
    first_url, _page, first_form = take_assessment(client, RIGHT)
    second_url, _page, second_form = take_assessment(client, RIGHT)
    assert first_url == second_url, "starting again while an attempt is open returns it, never a fresh draw"
    client.post(first_url, data=first_form)
    result = client.get(client.post(second_url, data=second_form).headers["Location"]).get_data(as_text=True)
    assert "You passed" in result
    assert completions(session) == 1


def test_does_a_fail_after_a_pass_leave_the_completion_alone(client, session, module):
    sign_in(client, "amal@example.org")
    url, _page, form = take_assessment(client, RIGHT)
    client.post(url, data=form)
    url, _page, form = take_assessment(client, WRONG)
    client.post(url, data=form)
    assert completions(session) == 1


def test_is_feedback_shown_for_every_question_after_submitting(client, module):
    sign_in(client, "amal@example.org")
    url, _page, form = take_assessment(client, WRONG)
    result = client.get(client.post(url, data=form).headers["Location"]).get_data(as_text=True)
    assert "Question 1" in result and "Question 2" in result
    assert "Concerns must be shared." in result and "Before you try again" in result
    assert "The right answer" not in result and "Not quite" not in result, "a failed attempt does not give the answers away"


def test_are_questions_fieldsets_with_legends_and_labelled_options(client, module):
    sign_in(client, "amal@example.org")
    _url, page, _form = take_assessment(client, RIGHT)
    assert page.count("<fieldset") == 2 and page.count("<legend") == 2
    assert 'class="govuk-radios"' in page and 'class="govuk-checkboxes"' in page
    for option_id in re.findall(r'<input class="govuk-(?:radios|checkboxes)__input" id="([^"]+)"', page):
        assert re.search(rf'<label class="govuk-label govuk-(radios|checkboxes)__label" for="{option_id}">', page), option_id


def test_is_a_forged_attempt_id_or_form_refused(client, session, module):
    sign_in(client, "amal@example.org")
    url, page, _form = take_assessment(client, RIGHT)
    assert client.get("/attempts/999999").status_code == 404
    forged = answer_form(page, {})
    forged["unknown-question"] = ["a"]
    html = client.post(url, data=forged).get_data(as_text=True)
    assert "Answer question 1" in html and "unknown-question" not in html and completions(session) == 0
