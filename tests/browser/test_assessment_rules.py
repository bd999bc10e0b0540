"""The retry rules of a pooled assessment in a real browser: a learner fails, reads the pages named, tries a
fresh draw (by keyboard, and with JavaScript off); the error summary of an unfinished attempt; a trainer lets a
held-back learner try now; and every page of it photographed at desktop and phone widths and checked with axe-core."""

from __future__ import annotations

import re

import pytest

from lms.models import Role, User
from tests.browser.conftest import Page, expect, look, new_page, sign_in
from tests.browser.test_learner_journey import activate, choose_radio, tab_to
from tests.builders import make_user, publish_module, take_assessment, write_pooled_notebook

SLUG = "pooled-module"
ASSESSMENT = f"/modules/{SLUG}/assessment"
HELD_EMAIL = "ada.held@testville.example"
TRAINER_EMAIL = "tia.trainer@testville.example"
STEM = re.compile(r"Question (\d+)\.(\d+): which is right\?")  # write_pooled_notebook's stems: outcome.number


@pytest.fixture
def pooled(session, tmp_path, learner):
    """A module of two lesson pages whose assessment asks 4 of 6 questions, 3 per learning outcome."""
    write_pooled_notebook(tmp_path / "pooled-source" / f"{SLUG}.ipynb", outcomes=2, per_outcome=3, questions=4)
    module = publish_module(session, tmp_path / "pooled-source", tmp_path / "pooled-build", slug=SLUG)
    learner.full_name = "Lee Learner"
    session.commit()
    return module


def person(session, organisation, email: str, name: str, role: Role = Role.LEARNER) -> User:
    made = make_user(session, organisation, role, email=email)
    made.full_name = name
    return made


@pytest.fixture
def held(session, pooled, learner) -> User:
    """A learner of the same council who failed three times today, so the limit holds them back."""
    ada = person(session, learner.organisation, HELD_EMAIL, "Ada Held")
    for _ in range(3):
        take_assessment(session, ada, pooled.current_version, right=False)
    session.commit()
    return ada


@pytest.fixture
def trainer(session, learner) -> User:
    tia = person(session, learner.organisation, TRAINER_EMAIL, "Tia Trainer", Role.TRAINER)
    session.commit()
    return tia


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def option_values(page: Page) -> set[str]:
    """The option identifiers this attempt's form sends."""
    return set(page.eval_on_selector_all("main form input[type=radio], main form input[type=checkbox]",
                                         "inputs => inputs.map((i) => i.value)"))


def wanted_label(legend: str, missed: str) -> str:
    """The option to choose for a question: wrong on the outcome to miss, right on every other."""
    outcome, number = STEM.search(legend).groups()
    return f"{'Wrong' if outcome == missed else 'Right'} {outcome}.{number}"


def answer_by_keyboard(page: Page, missed: str) -> None:
    """Tab into each question, arrow to the option wanted and press Space; stop on the submit button."""
    now = tab_to(page, lambda f: f["type"] == "radio", "the first question", limit=40)
    answered = 0
    while now["type"] == "radio":
        choose_radio(page, wanted_label(now["legend"], missed))
        answered += 1
        now = tab_to(page, lambda f: True, "the next question", limit=1)
    assert answered == 4, f"Tab went through {answered} questions, not the 4 asked"
    assert now["tag"] == "button" and now["text"] == "Submit my answers", f"after the last question focus went to {now}"


def answer_by_mouse(page: Page, missed: str, skip: int | None = None) -> None:
    """Click the option wanted in each question (but question number `skip`)."""
    questions = page.locator("main form fieldset")
    for index in range(questions.count()):
        if index + 1 == skip:
            continue
        question = questions.nth(index)
        question.get_by_label(wanted_label(question.locator("legend").inner_text(), missed), exact=True).check()


def missed_outcomes(page: Page) -> list[str]:
    section = page.locator("main h2", has_text="What to look at again").locator("xpath=following-sibling::ul[1]")
    return section.locator("li").all_inner_texts()


def review_links(page: Page):
    return page.locator("main").get_by_role("link", name=re.compile(r"^Page \d+: "))


def check_the_fail(page: Page) -> None:
    """The result of missing outcome 1 and getting outcome 2 right: 50%, outcome 1 named, its answers' teaching."""
    expect(heading(page)).to_have_text("You did not pass this time")
    expect(page.locator("main")).to_contain_text("You scored 50% (2 of 4 right). You need 80% to pass.")
    assert missed_outcomes(page) == ["Outcome 1"]
    expect(page.get_by_role("heading", name="What your answers teach")).to_be_visible()
    taught = page.locator("main .sl-feedback")
    expect(taught).to_have_count(4)  # every question asked: leaving some out would mark them right
    expect(taught.filter(has_text="You chose: Wrong 1.")).to_have_count(2)  # the two wrong answers, on outcome 1
    expect(taught.filter(has_text="Look again at page 1.")).to_have_count(2)
    main = page.locator("main").inner_text()
    assert "Correct" not in main and "Not quite" not in main and "The right answer" not in main, "the fail gives the marks away"
    expect(page.get_by_role("button", name="Try the assessment again")).to_have_count(0)
    expect(review_links(page)).to_have_text(["Page 1: Page 1", "Page 2: Page 2"])


# --- 1. fail, review, retry ---------------------------------------------------------------------

@pytest.mark.browser
def test_can_a_learner_fail_read_the_pages_named_and_retry_a_fresh_draw_by_keyboard_alone(page: Page, pooled, live_server):
    sign_in(page)
    page.goto(ASSESSMENT)
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Start the assessment", "Start the assessment", limit=40)
    activate(page, "Space")
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    first_attempt, first_values = page.url, option_values(page)
    assert len(first_values) == 12, "4 questions of 3 options each"

    answer_by_keyboard(page, missed="1")
    activate(page)  # Enter on the focused submit button
    check_the_fail(page)
    result = page.url

    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Page 1: Page 1", "the review link to page 1", limit=40)
    activate(page)
    expect(heading(page)).to_have_text("Page 1")
    page.goto(result)  # back to the result: page 1 is no longer listed
    expect(review_links(page)).to_have_text(["Page 2: Page 2"])
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Page 2: Page 2", "the review link to page 2", limit=40)
    activate(page)
    expect(heading(page)).to_have_text("Page 2")
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Go to the assessment", "the assessment link", limit=40)
    activate(page)
    expect(page.get_by_role("heading", name="Before you try again")).to_have_count(0)
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Start the assessment", "Start the assessment", limit=40)
    activate(page)
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    assert page.url != first_attempt
    assert option_values(page).isdisjoint(first_values), "the new attempt reuses the last one's option identifiers"
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)


@pytest.mark.browser
def test_does_fail_review_and_retry_work_with_javascript_switched_off(browser, pooled, live_server):
    page = new_page(browser, live_server, java_script_enabled=False)
    try:
        sign_in(page)
        page.goto(ASSESSMENT)
        page.get_by_role("button", name="Start the assessment").click()
        first_values = option_values(page)
        answer_by_mouse(page, missed="1")
        page.get_by_role("button", name="Submit my answers").click()
        check_the_fail(page)
        result = page.url

        page.goto(ASSESSMENT)  # the assessment page holds the learner back too, with the same list
        expect(page.get_by_role("button", name="Start the assessment")).to_have_count(0)
        expect(review_links(page)).to_have_count(2)
        for name in ("Page 1: Page 1", "Page 2: Page 2"):
            page.goto(result)
            page.get_by_role("link", name=name).click()
            expect(heading(page)).to_have_text(name.split(": ")[1])
        page.goto(result)
        expect(review_links(page)).to_have_count(0)
        page.get_by_role("button", name="Try the assessment again").click()
        expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
        assert option_values(page).isdisjoint(first_values)
    finally:
        page.context.close()


# --- 2. an unanswered question ------------------------------------------------------------------

@pytest.mark.browser
def test_does_an_unanswered_question_get_an_error_summary_linking_to_its_first_option(browser, pooled, live_server, shots):
    problems: dict[str, list] = {}
    page = new_page(browser, live_server, bypass_csp=True)
    sign_in(page)
    page.goto(ASSESSMENT)
    look(page, "rules-assessment-open", shots, problems)
    page.get_by_role("button", name="Start the assessment").click()
    expect(heading(page)).to_have_text("Assessment")
    look(page, "rules-attempt", shots, problems)

    answer_by_mouse(page, missed="", skip=3)
    page.get_by_role("button", name="Submit my answers").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    link = summary.get_by_role("link")
    expect(link).to_have_text("Answer question 3")
    target = link.get_attribute("href")
    third = page.locator("main form fieldset").nth(2)
    assert target == "#" + third.locator("input").first.get_attribute("id"), f"{target} is not question 3's first option"
    expect(page.locator(target)).to_have_count(1)
    expect(third.locator(".govuk-error-message")).to_have_text("Error: Answer question 3")
    assert "answer-3-error" in third.get_attribute("aria-describedby")
    expect(page.locator("main form input:checked")).to_have_count(3)  # the other answers are kept
    assert page.title().startswith("Error: ")
    look(page, "rules-attempt-errors", shots, problems)
    link.click()  # GOV.UK Frontend's error summary moves focus to the option (without JavaScript the link does)
    expect(page.locator(target)).to_be_focused()

    answer_by_mouse(page, missed="")
    page.get_by_role("button", name="Submit my answers").click()
    expect(heading(page)).to_have_text("You passed")
    page.context.close()
    assert problems == {}


# --- 3. a trainer lets a held-back learner try now ----------------------------------------------

@pytest.mark.browser
def test_can_a_trainer_let_a_held_back_learner_try_now(browser, held, trainer, live_server, shots):
    problems: dict[str, list] = {}
    page = new_page(browser, live_server, bypass_csp=True)
    sign_in(page, TRAINER_EMAIL)
    page.goto("/admin/retries")
    expect(heading(page)).to_have_text("Learners waiting to retry an assessment")
    card = page.locator(".govuk-summary-card", has=page.get_by_role("heading", name="Ada Held: Pooled module"))
    expect(card.locator(".govuk-summary-list__row", has_text="Failed attempts").locator("dd")).to_have_text("3")
    expect(card.locator(".govuk-summary-list__row", has_text="Can try again after").locator("dd")).to_have_text(
        re.compile(r"^\d{1,2}:\d\d[ap]m on \d{1,2} \w+ \d{4}$"))
    look(page, "rules-retries-one", shots, problems)

    card.get_by_role("button", name="Let them try now Ada Held, Pooled module").click()
    expect(page.get_by_role("alert")).to_contain_text("Ada Held can try Pooled module again now.")
    expect(page.get_by_role("heading", name="Ada Held: Pooled module")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("No one is waiting.")
    look(page, "rules-retries-empty", shots, problems)
    page.context.close()

    ada = new_page(browser, live_server)
    sign_in(ada, HELD_EMAIL)
    ada.goto(ASSESSMENT)
    expect(ada.get_by_role("button", name="Start the assessment")).to_be_visible()
    ada.context.close()
    assert problems == {}


# --- 4. the other pages, photographed and checked -----------------------------------------------

@pytest.mark.browser
def test_do_the_held_and_result_pages_have_no_serious_accessibility_problems(browser, held, live_server, shots):
    problems: dict[str, list] = {}
    page = new_page(browser, live_server, bypass_csp=True)
    sign_in(page)
    page.goto(ASSESSMENT)
    page.get_by_role("button", name="Start the assessment").click()
    answer_by_mouse(page, missed="1")
    page.get_by_role("button", name="Submit my answers").click()
    check_the_fail(page)
    look(page, "rules-result-fail", shots, problems)
    page.goto(ASSESSMENT)
    expect(page.get_by_role("heading", name="Before you try again")).to_be_visible()
    look(page, "rules-assessment-review", shots, problems)

    for number in (1, 2):
        page.goto(f"/modules/{SLUG}/pages/{number}")
    page.goto(ASSESSMENT)
    page.get_by_role("button", name="Start the assessment").click()
    answer_by_mouse(page, missed="")
    page.get_by_role("button", name="Submit my answers").click()
    expect(heading(page)).to_have_text("You passed")
    expect(page.locator("main .sl-feedback--right")).to_have_count(4)
    look(page, "rules-result-pass", shots, problems)
    page.context.close()

    ada = new_page(browser, live_server, bypass_csp=True)
    sign_in(ada, HELD_EMAIL)
    ada.goto(ASSESSMENT)
    expect(ada.get_by_role("heading", name="You have used your attempts for now")).to_be_visible()
    expect(ada.get_by_role("button", name="Start the assessment")).to_have_count(0)
    expect(ada.locator("main")).to_contain_text(re.compile(
        r"You have tried 3 times in the last 24 hours without passing\.\s+You can try again after \d{1,2}:\d\d[ap]m on \d{1,2} \w+ \d{4}"))
    look(ada, "rules-assessment-limit", shots, problems)
    ada.context.close()
    assert problems == {}, f"axe found serious or critical problems: {problems}"
