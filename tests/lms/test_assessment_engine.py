"""The assessment engine as learners and trainers meet it: pools drawn per attempt, identifiers that
change per attempt, the retry rules, feedback that does not give the key away, and republishing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from lms.models import Attempt, AttemptReset, AuditEvent, Completion, Role, User
from lms.services import attempt_policy, completions
from lms.services.assessment_draw import asked_questions, draw
from tests.builders import (
    answer_form,
    capture_mail,
    make_organisation,
    make_user,
    publish_module,
    read_module,
    settings_cell,
    take_assessment,
    write_notebook,
    write_pooled_notebook,
)
from tests.conftest import csrf_token, sign_in

SLUG = "pooled-module"


def publish_pooled(session, tmp_path, name: str = "build", **assessment) -> object:
    source = tmp_path / "source"
    write_pooled_notebook(source / f"{SLUG}.ipynb", outcomes=2, per_outcome=3, **({"questions": 4} | assessment))
    return publish_module(session, source, tmp_path / name, slug=SLUG)


@pytest.fixture
def pooled(session, tmp_path):
    module = publish_pooled(session, tmp_path)
    organisation = make_organisation(session)
    make_user(session, organisation, email="lee@example.org")
    make_user(session, organisation, role=Role.TRAINER, email="tia@example.org")
    make_user(session, make_organisation(session, name="Elsewhere"), role=Role.TRAINER, email="otto@example.org")
    session.commit()
    return module


def person(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def start(client) -> tuple[str, str]:
    """Press 'Start the assessment'; returns the attempt's address and its page."""
    page = client.get(f"/modules/{SLUG}/assessment").get_data(as_text=True)
    response = client.post(f"/modules/{SLUG}/assessment", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302, response.status_code
    return response.headers["Location"], client.get(response.headers["Location"]).get_data(as_text=True)


def shown_values(page: str) -> set[str]:
    return set(re.findall(r'type="(?:radio|checkbox)" value="(\w+)"', page))


def fail(session, learner, module) -> Attempt:
    return take_assessment(session, learner, module.current_version, right=False, read_pages=True).attempt


# --- the draw -------------------------------------------------------------------------------------

def test_does_each_attempt_ask_its_share_of_every_outcome_and_only_mark_those(session, pooled):
    learner = person(session, "lee@example.org")
    version = pooled.current_version
    attempt = completions.start_attempt(session, learner, version)
    outcomes = [next(q for q in version.scored_questions if q["id"] == item["question"])["outcome"] for item in attempt.drawn]
    assert len(attempt.drawn) == 4 and sorted(outcomes) == ["Outcome 1"] * 2 + ["Outcome 2"] * 2
    submission = completions.submit_attempt(session, attempt.id, learner, answer_form(session, attempt))
    assert (submission.attempt.question_count, submission.attempt.score, submission.attempt.passed) == (4, 100, True)


def test_is_the_draw_reproducible_from_the_attempt_s_seed(session, pooled):
    learner = person(session, "lee@example.org")
    attempt = completions.start_attempt(session, learner, pooled.current_version)
    assert draw(pooled.current_version, attempt.seed) == attempt.drawn
    assert draw(pooled.current_version, attempt.seed + "x") != attempt.drawn


def test_do_many_draws_cover_the_whole_pool(session, pooled):
    asked = {item["question"] for n in range(60) for item in draw(pooled.current_version, f"seed-{n}")}
    assert asked == {q["id"] for q in pooled.current_version.scored_questions}


def test_does_pressing_start_again_return_the_open_attempt_not_a_fresh_draw(client, session, pooled):
    sign_in(client, "lee@example.org")
    first_url, first_page = start(client)
    again_url, again_page = start(client)
    assert first_url == again_url and shown_values(first_page) == shown_values(again_page)
    assert session.scalar(select(func.count(Attempt.id))) == 1


# --- identifiers per attempt ----------------------------------------------------------------------

def test_do_two_attempts_of_one_learner_never_share_option_or_question_identifiers(client, session, pooled):
    sign_in(client, "lee@example.org")
    first_url, first_page = start(client)
    failed = client.post(first_url, data={"csrf_token": csrf_token(first_page),
                                          **answer_form(session, session.get(Attempt, int(first_url.rsplit("/", 1)[1])), right=False)})
    client.get(failed.headers["Location"])  # the result page, which lists the pages to read again
    client.get(f"/modules/{SLUG}/pages/1")
    client.get(f"/modules/{SLUG}/pages/2")
    second_url, second_page = start(client)
    assert first_url != second_url
    assert shown_values(first_page) and not shown_values(first_page) & shown_values(second_page)
    stored = {o["id"] for q in pooled.current_version.scored_questions for o in q["options"]}
    assert not (shown_values(first_page) | shown_values(second_page)) & stored, "stored option ids never reach the page"
    assert not re.search(r'name="q-\d', second_page), "question ids never reach the page"


def test_is_a_forged_form_naming_another_attempt_s_options_refused_and_nothing_marked(client, session, pooled):
    learner = person(session, "lee@example.org")
    old = fail(session, learner, pooled)
    old_right = answer_form(session, old)  # the right answers, in the old attempt's identifiers
    read_module(session, learner, pooled.current_version)
    sign_in(client, "lee@example.org")
    url, page = start(client)
    response = client.post(url, data={"csrf_token": csrf_token(page), **old_right})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "not one of its options" in html
    session.expire_all()
    assert session.get(Attempt, int(url.rsplit("/", 1)[1])).submitted_at is None
    assert session.scalar(select(func.count(Completion.id))) == 0


# --- the retry rules ------------------------------------------------------------------------------

def test_must_a_learner_who_failed_open_every_lesson_page_before_retrying(client, session, pooled):
    sign_in(client, "lee@example.org")
    url, page = start(client)
    attempt = session.get(Attempt, int(url.rsplit("/", 1)[1]))
    result = client.get(client.post(url, data={"csrf_token": csrf_token(page), **answer_form(session, attempt, right=False)}).headers["Location"])
    html = result.get_data(as_text=True)
    assert "Before you try again" in html and "Page 1: Page 1" in html and "Try the assessment again" not in html
    assert "You have 2 more tries before you have to wait" in html
    assessment = client.get(f"/modules/{SLUG}/assessment").get_data(as_text=True)
    refused = client.post(f"/modules/{SLUG}/assessment", data={"csrf_token": csrf_token(assessment)})
    assert refused.status_code == 409 and "Before you try again" in refused.get_data(as_text=True)
    client.get(f"/modules/{SLUG}/pages/1")
    still = client.get(f"/modules/{SLUG}/assessment").get_data(as_text=True)
    assert "Page 2: Page 2" in still and "Page 1: Page 1" not in still and "Start the assessment" not in still
    client.get(f"/modules/{SLUG}/pages/2")
    assert "Start the assessment" in client.get(f"/modules/{SLUG}/assessment").get_data(as_text=True)
    start(client)


def test_do_pages_read_on_another_device_count_once_it_has_shown_the_review_list(app, session, pooled):
    """The review hint lives in the session: a second browser that has not yet seen the list learns it
    from the assessment page, and its page views count from then on."""
    learner = person(session, "lee@example.org")
    fail(session, learner, pooled)
    other = app.test_client()
    sign_in(other, "lee@example.org")
    other.get(f"/modules/{SLUG}/pages/1")  # before this browser has been told: not counted
    assert attempt_policy.retry_gate(session, learner, pooled.current_version).pages_to_review == [1, 2]
    assert "Page 1: Page 1" in other.get(f"/modules/{SLUG}/assessment").get_data(as_text=True)
    other.get(f"/modules/{SLUG}/pages/1")
    other.get(f"/modules/{SLUG}/pages/2")
    session.expire_all()
    assert attempt_policy.retry_gate(session, learner, pooled.current_version).open


def test_pages_read_before_the_fail_do_not_count_as_review(session, pooled):
    learner = person(session, "lee@example.org")
    version = pooled.current_version
    read_module(session, learner, version)
    take_assessment(session, learner, version, right=False, read_pages=False)
    gate = attempt_policy.retry_gate(session, learner, version)
    assert gate.reason == "review" and gate.pages_to_review == [1, 2]


def test_do_three_fails_in_a_day_hold_a_learner_back_until_the_first_is_a_day_old(session, pooled):
    learner = person(session, "lee@example.org")
    version = pooled.current_version
    failed = [fail(session, learner, pooled) for _ in range(3)]
    read_module(session, learner, version)
    gate = attempt_policy.retry_gate(session, learner, version)
    assert gate.reason == "limit" and gate.failures == 3
    assert gate.until == failed[0].submitted_at + dt.timedelta(hours=24)
    with pytest.raises(completions.RetryNotYet):
        completions.start_attempt(session, learner, version)
    later = attempt_policy.retry_gate(session, learner, version, now=gate.until + dt.timedelta(seconds=1))
    assert later.open, "after the period the oldest failure no longer counts"


def test_does_a_trainer_s_reset_let_the_learner_try_now_and_forget_earlier_fails(client, session, pooled, monkeypatch):
    outbox = capture_mail(monkeypatch)
    learner = person(session, "lee@example.org")
    for _ in range(3):
        fail(session, learner, pooled)
    sign_in(client, "otto@example.org")  # a trainer of another organisation neither sees nor resets them
    assert "No one is waiting" in client.get("/admin/retries").get_data(as_text=True)
    page = client.get("/admin/retries").get_data(as_text=True)
    forbidden = client.post("/admin/retries/reset", data={"csrf_token": csrf_token(page), "person": learner.id, "module": pooled.id})
    assert forbidden.status_code == 404
    client.post("/sign-out", data={"csrf_token": csrf_token(page)})

    sign_in(client, "tia@example.org")
    page = client.get("/admin/retries").get_data(as_text=True)
    assert "Test Person" in page and "Pooled module" in page and "Let them try now" in page
    done = client.post("/admin/retries/reset", data={"csrf_token": csrf_token(page), "person": learner.id, "module": pooled.id})
    assert done.status_code == 302
    assert "can try Pooled module again now" in client.get(done.headers["Location"]).get_data(as_text=True)
    told = outbox.to("lee@example.org")
    assert len(told) == 1 and "You can try the Pooled module assessment again" in told[0].subject
    assert f"/modules/{SLUG}/assessment" in told[0].body
    session.expire_all()
    assert attempt_policy.retry_gate(session, learner, pooled.current_version).open, "no review is owed for a fail before the reset"
    assert session.scalar(select(func.count(AttemptReset.id))) == 1
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "attempts.reset")).actor_id == person(session, "tia@example.org").id
    assert attempt_policy.counted_attempts(session, learner.id, pooled.id) == []


def test_can_a_module_ask_for_a_wait_instead_of_a_review(session, tmp_path):
    module = publish_pooled(session, tmp_path, after_fail="wait", wait_minutes=30)
    learner = make_user(session, make_organisation(session))
    session.commit()
    attempt = fail(session, learner, module)
    gate = attempt_policy.retry_gate(session, learner, module.current_version)
    assert gate.reason == "wait" and gate.until == attempt.submitted_at + dt.timedelta(minutes=30)
    assert attempt_policy.retry_gate(session, learner, module.current_version, now=gate.until).open


def test_is_every_attempt_kept_as_a_row(session, pooled):
    learner = person(session, "lee@example.org")
    fail(session, learner, pooled)
    fail(session, learner, pooled)
    take_assessment(session, learner, pooled.current_version)
    rows = session.scalars(select(Attempt).where(Attempt.user_id == learner.id).order_by(Attempt.id)).all()
    assert [a.passed for a in rows] == [False, False, True]


# --- feedback -------------------------------------------------------------------------------------

def _result_after(client, session, right: bool) -> str:
    url, page = start(client)
    attempt = session.get(Attempt, int(url.rsplit("/", 1)[1]))
    form = answer_form(session, attempt, right=right)
    if not right:  # one right answer, so the learner misses one outcome only
        item = next(i for i in asked_questions(attempt.version, attempt) if i.question["outcome"] == "Outcome 1")
        form = answer_form(session, attempt, right=True) | {
            i.field: form[i.field] for i in asked_questions(attempt.version, attempt) if i.question["outcome"] == item.question["outcome"]}
    response = client.post(url, data={"csrf_token": csrf_token(page), **form})
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_does_a_failed_attempt_name_the_missed_outcome_and_teach_without_marking(client, session, pooled):
    sign_in(client, "lee@example.org")
    html = _result_after(client, session, right=False)
    assert "You did not pass this time" in html and "What to look at again" in html
    outcomes = re.search(r"What to look at again</h2>(.*?)</ul>", html, re.S).group(1)
    assert "Outcome 1" in outcomes and "Outcome 2" not in outcomes
    teaching = html.split("What your answers teach")[1]
    assert "Look again at page 1" in teaching and "what the lesson teaches about 2." in teaching, "the feedback of every answer chosen"
    assert teaching.count("You chose:") == 4, "every question asked, so leaving one out cannot mark it right"
    for giveaway in ("Not quite", "Correct", "The right answer", "Right 1."):
        assert giveaway not in html.split("What to look at again")[1], giveaway


def test_does_a_pass_show_full_feedback(client, session, pooled):
    sign_in(client, "lee@example.org")
    html = _result_after(client, session, right=True)
    assert "You passed" in html and html.count("Correct") == 4


def test_can_a_module_show_every_mark_after_a_fail(client, session, tmp_path):
    publish_pooled(session, tmp_path, show_after_fail="answers")
    make_user(session, make_organisation(session), email="lee@example.org")
    session.commit()
    sign_in(client, "lee@example.org")
    html = _result_after(client, session, right=False)
    assert "Not quite" in html and "The right answer" in html


# --- settings in the page, and republishing -------------------------------------------------------

def test_does_the_assessment_page_state_the_questions_asked_not_the_pool(client, session, pooled):
    sign_in(client, "lee@example.org")
    page = client.get(f"/modules/{SLUG}/assessment").get_data(as_text=True)
    assert "There are 4 questions. You need 80% to pass." in page
    assert "{{" not in page and "a different set of questions" in page


def test_is_an_attempt_started_before_a_republish_marked_against_the_version_it_showed(session, tmp_path, pooled):
    learner = person(session, "lee@example.org")
    before = pooled.current_version
    attempt = completions.start_attempt(session, learner, before)
    right_then = answer_form(session, attempt)
    source = tmp_path / "source" / f"{SLUG}.ipynb"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("- [x] Right", "- [ ] Right").replace("- [ ] Wrong", "- [x] Wrong"), encoding="utf-8")
    republished = publish_module(session, tmp_path / "source", tmp_path / "build-2", slug=SLUG)
    assert republished.current_version_id != before.id
    submission = completions.submit_attempt(session, attempt.id, learner, right_then)
    assert submission.attempt.passed and submission.attempt.version_id == before.id
    assert submission.completion.version_id == before.id


def test_does_the_feedback_on_a_scenario_question_show_its_case_study(client, session, tmp_path):
    """'What should Tom do?' means nothing on the result page without who Tom is."""
    scenario = ("### Question (scenario) {#tom}\n\nTom works on a housing reception desk in York. A tenant shouts abuse about "
                "a neighbour's religion.\n\nWhat should Tom do?\n\n- [x] Write down what was said and tell his manager\n"
                "  > A record made at the time helps the police.\n- [ ] Ignore it\n  > Incidents like this are worth reporting.\n")
    write_notebook(tmp_path / "src" / "scenario-module.ipynb", "# Page\n\nLesson.", "# Assessment\n\nOne question.", scenario,
                   settings=settings_cell(id="scenario-module", title="Scenario module"))
    publish_module(session, tmp_path / "src", tmp_path / "build", slug="scenario-module")
    make_user(session, make_organisation(session), email="tom.reader@example.org")
    session.commit()
    sign_in(client, "tom.reader@example.org")
    page = client.get("/modules/scenario-module/assessment").get_data(as_text=True)
    url = client.post("/modules/scenario-module/assessment", data={"csrf_token": csrf_token(page)}).headers["Location"]
    attempt = session.get(Attempt, int(url.rsplit("/", 1)[1]))
    form = client.get(url).get_data(as_text=True)
    result = client.get(client.post(url, data={"csrf_token": csrf_token(form), **answer_form(session, attempt, right=False)})
                        .headers["Location"]).get_data(as_text=True)
    assert "Case study for question 1" in result and "A tenant shouts abuse" in result.split("What your answers teach")[1]


def _republish(session, tmp_path, name: str) -> None:
    """A trainer fixes a typo and publishes again: a new version, so a new draw for new starts."""
    source = tmp_path / "source" / f"{SLUG}.ipynb"
    source.write_text(source.read_text(encoding="utf-8").replace("What outcome 1 teaches.", f"What outcome 1 teaches ({name})."),
                      encoding="utf-8")
    publish_module(session, tmp_path / "source", tmp_path / name, slug=SLUG)


def test_can_an_attempt_kept_open_across_a_republish_not_slip_past_the_retry_limit(session, tmp_path, pooled):
    """An old draw left open, then three fails on the new version: the old one may no longer be submitted."""
    learner = person(session, "lee@example.org")
    kept = completions.start_attempt(session, learner, pooled.current_version)
    right_answers = answer_form(session, kept)
    _republish(session, tmp_path, "build-2")
    session.refresh(pooled)
    assert pooled.current_version_id != kept.version_id
    for _ in range(3):
        fail(session, learner, pooled)
    assert attempt_policy.retry_gate(session, learner, pooled.current_version).reason == "limit"
    with pytest.raises(completions.AttemptSuperseded):
        completions.submit_attempt(session, kept.id, learner, right_answers)
    session.rollback()
    assert session.get(Attempt, kept.id).submitted_at is None
    assert session.scalar(select(func.count(Completion.id))) == 0


def test_is_a_learner_who_submits_a_replaced_attempt_told_so_and_nothing_marked(client, session, tmp_path, pooled):
    sign_in(client, "lee@example.org")
    old_url, old_page = start(client)
    old = session.get(Attempt, int(old_url.rsplit("/", 1)[1]))
    _republish(session, tmp_path, "build-2")
    new_url, _new_page = start(client)
    assert new_url != old_url, "a start on the new version deals its own draw"
    response = client.post(old_url, data={"csrf_token": csrf_token(old_page), **answer_form(session, old)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/modules/{SLUG}/assessment")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You have started a newer attempt at this assessment" in page
    session.expire_all()
    assert session.get(Attempt, old.id).submitted_at is None and session.scalar(select(func.count(Completion.id))) == 0
