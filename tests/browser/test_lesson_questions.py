"""Knowledge checks and the assessment from a learner's side in Chromium: answers that begin with a number stay
words, each knowledge check is a region of its own name, its feedback takes focus, an empty answer gets an
error summary, the assessment comes in sections with headings in order, and a failed result puts the retry first;
by keyboard alone, with JavaScript off, photographed at 1024 and 320 px and checked with axe (best practice too)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import AXE, RUN_AXE, Page, expect, new_page, sign_in
from tests.browser.test_learner_journey import activate, choose_radio, focused, tab_to
from tests.builders import publish_module
from tests.numbered_notebook import NUMBERED_CHECK, PAGE_TITLE, RIGHT, SLUG, WRONG, write_numbered_notebook

PAGE = f"/modules/{SLUG}/pages/1"
ASSESSMENT = f"/modules/{SLUG}/assessment"
HOW_MANY = "How many women in England and Wales experience domestic abuse in their lifetime?"
HATE_INCIDENT = "Is a hate incident always a crime?"
ALL_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# Every heading in <main> from the h1 on, with its level: the error summary's h2 rightly comes first.
HEADINGS = """() => {
  const all = [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')];
  const first = all.findIndex((h) => h.tagName === 'H1');
  return all.slice(Math.max(first, 0)).map((h) => [Number(h.tagName[1]), h.innerText.trim().replace(/\\s+/g, ' ')]);
}"""
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def numbers(session, tmp_path, learner) -> str:
    """The trainer's notebook with numbered answers, built and published."""
    write_numbered_notebook(tmp_path / "numbers-source" / f"{SLUG}.ipynb")
    publish_module(session, tmp_path / "numbers-source", tmp_path / "numbers-build", slug=SLUG)
    session.commit()
    return SLUG


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def check_region(page: Page, stem: str):
    return page.get_by_role("region", name=f"Check your understanding {stem}", exact=True)


def answer(page: Page, choices: dict[str, list[str]]) -> None:
    """Tick options by their labels inside the question whose legend holds (part of) the stem."""
    for stem, labels in choices.items():
        group = page.get_by_role("group", name=re.compile(re.escape(stem)))
        for label in labels:
            group.get_by_label(label, exact=True).check()


def start_attempt(page: Page) -> None:
    page.goto(ASSESSMENT)
    page.get_by_role("button", name="Start the assessment").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))


def headings_in_order(page: Page) -> list[tuple[int, str]]:
    """The page's headings, failing if one skips a level (an h2 followed by an h4, say)."""
    found = page.evaluate(HEADINGS)
    assert found and found[0][0] == 1, f"the first heading of main is not an h1: {found}"
    for (before, text_before), (level, text) in zip(found, found[1:], strict=False):
        assert level <= before + 1, f"'{text}' (h{level}) comes straight after '{text_before}' (h{before})"
    return found


def stems_for(legend: str, choices: dict[str, list[str]]) -> list[str]:
    return next((labels for stem, labels in choices.items() if stem in legend), [])


def answer_by_keyboard(page: Page, choices: dict[str, list[str]]) -> None:
    """From the top of the attempt, Tab through every question, choosing with the arrows and Space, up to Submit."""
    now = tab_to(page, lambda f: f["type"] in ("radio", "checkbox"), "the first question")
    while now["type"] in ("radio", "checkbox"):
        wanted = stems_for(now["legend"], choices)
        if now["type"] == "radio":
            choose_radio(page, wanted[0])
        elif now["label"] in wanted:
            page.keyboard.press("Space")
            assert focused(page)["checked"], f"Space did not tick {now['label']!r}"
        now = tab_to(page, lambda f: True, "the next control", limit=1)
    assert now["tag"] == "button" and now["text"] == "Submit my answers", f"after the last question focus went to {now}"


# --- by keyboard, JavaScript on ---------------------------------------------------------------------

@pytest.mark.browser
def test_a_learner_answers_a_knowledge_check_and_the_assessment_with_the_keyboard(page: Page, numbers):
    sign_in(page)
    page.goto(PAGE)
    expect(heading(page)).to_have_text(PAGE_TITLE)
    expect(page.locator("main ol")).to_have_count(0)  # '1. Spotting abuse' and '1 in 4 women' are words, not lists

    check = check_region(page, HOW_MANY)
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Check my answer", "the first check's button")
    activate(page)  # nothing chosen
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose an answer")
    expect(check.locator(".govuk-error-message")).to_contain_text("Choose an answer")
    first = tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Choose an answer", "the error summary's link")
    assert first["inMain"]
    page.keyboard.press("Enter")
    now = focused(page)
    assert now["type"] == "radio" and now["label"] == "1 in 4 women", f"the summary's link took focus to {now}"
    choose_radio(page, "1 in 100 women")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Check my answer", "Check my answer", limit=2)
    activate(page)
    feedback = check.get_by_role("alert")
    expect(feedback).to_be_focused()  # announced: GOV.UK Frontend (or the #feedback fragment) moves focus there
    expect(feedback).to_contain_text("Not quite")
    expect(feedback).to_contain_text("You chose: 1 in 100 women")
    expect(feedback).to_contain_text("The right answer: 1 in 4 women")
    expect(page).not_to_have_title(re.compile(r"^Error: "))
    expect(check.get_by_label("1 in 100 women", exact=True)).to_be_checked()  # the form shows what was chosen
    expect(check_region(page, HATE_INCIDENT).get_by_role("alert")).to_have_count(0)

    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Go to the assessment", "the assessment link")
    activate(page)
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Start the assessment", "Start the assessment")
    activate(page, "Space")
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    expect(page.get_by_label("999.", exact=True)).to_have_count(1)
    answer_by_keyboard(page, WRONG)
    activate(page)
    expect(heading(page)).to_have_text("You did not pass this time")
    # The next step comes first: the first link after the score is the page to read again, before any question.
    first_link = tab_to(page, lambda f: f["inMain"] and f["tag"] in ("a", "button"), "the first action in main")
    assert first_link["text"] == f"Page 1: {PAGE_TITLE}", f"the first action after the result is {first_link}"


# --- JavaScript off ---------------------------------------------------------------------------------

@pytest.mark.browser
def test_the_same_journey_works_with_javascript_off(browser, live_server, numbers):
    page = new_page(browser, live_server, java_script_enabled=False)
    sign_in(page)
    page.goto(PAGE)
    check = check_region(page, HOW_MANY)
    check.get_by_role("button", name="Check my answer").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    link = page.locator(".govuk-error-summary").get_by_role("link", name="Choose an answer")
    first_option = check.get_by_label("1 in 4 women", exact=True)
    assert link.get_attribute("href") == "#" + first_option.get_attribute("id")
    expect(check.locator(".govuk-error-message")).to_contain_text("Choose an answer")
    expect(page.get_by_role("alert").filter(has_text="Your answer")).to_have_count(0)

    first_option.check()
    check.get_by_role("button", name="Check my answer").click()
    expect(page).to_have_url(re.compile(r"#feedback-how-many$"))
    feedback = check.get_by_role("alert")
    expect(feedback).to_contain_text("Correct")
    expect(feedback).to_contain_text("Right. About 1 in 4 women and 1 in 7 men.")
    expect(feedback).to_be_in_viewport()
    expect(feedback).to_be_focused()  # the fragment's target takes focus: tabindex="-1"

    start_attempt(page)
    page.get_by_role("button", name="Submit my answers").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    links = page.locator(".govuk-error-summary a")
    expect(links).to_have_text([f"Answer question {n}" for n in range(1, 7)])
    for n in range(1, 7):  # each links to the first option of its own question
        target = page.locator(links.nth(n - 1).get_attribute("href"))
        expect(target.locator("xpath=ancestor::fieldset//h3")).to_contain_text(f"Question {n}")
    answer(page, {stem: labels for stem, labels in WRONG.items() if stem != "is a crime."})
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.locator(".govuk-error-summary a")).to_have_count(1)
    expect(page.get_by_role("group", name=re.compile("is a crime")).locator(".govuk-error-message")).to_contain_text("Answer question")
    answer(page, {"is a crime.": WRONG["is a crime."]})
    page.get_by_role("button", name="Submit my answers").click()
    expect(heading(page)).to_have_text("You did not pass this time")
    gate = page.get_by_role("heading", name="Before you try again")
    review = page.get_by_role("heading", name="What your answers teach")
    assert gate.bounding_box()["y"] < review.bounding_box()["y"], "the retry's explanation comes after the review"
    page.context.close()


# --- regions, headings, axe and the look of every page ----------------------------------------------

def audit(page: Page, name: str, shots: Path, found: dict[str, list]) -> None:
    """Photograph at 1024 and 320 px; keep every axe finding (best practice too) and any sideways scroll."""
    for width in (1024, 320):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(shots / f"learn-{name}-{width}.png"), full_page=True, animations="disabled", caret="hide")
        page.add_script_tag(path=str(AXE))
        results = page.evaluate(RUN_AXE, ALL_TAGS)
        problems = [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}" for v in results["violations"]]
        if page.evaluate(SIDEWAYS) > 0:
            problems.append(f"scrolls sideways by {page.evaluate(SIDEWAYS)}px")
        if problems:
            found[f"{name} at {width}px"] = problems
    page.set_viewport_size({"width": 1024, "height": 800})


@pytest.mark.browser
def test_every_page_of_the_journey_has_distinct_regions_headings_in_order_and_no_axe_findings(browser, live_server, numbers, shots):
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run npm ci")
    page = new_page(browser, live_server, bypass_csp=True)
    found: dict[str, list] = {}
    sign_in(page)
    page.goto(PAGE)
    expect(check_region(page, HOW_MANY)).to_have_count(1)
    expect(check_region(page, HATE_INCIDENT)).to_have_count(1)
    headings_in_order(page)
    audit(page, "lesson-page", shots, found)
    check_region(page, HOW_MANY).get_by_role("button", name="Check my answer").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    headings_in_order(page)
    audit(page, "check-error", shots, found)
    check_region(page, HOW_MANY).get_by_label("1 in 4 women", exact=True).check()
    check_region(page, HOW_MANY).get_by_role("button", name="Check my answer").click()
    expect(check_region(page, HOW_MANY).get_by_role("alert")).to_contain_text("Correct")
    headings_in_order(page)
    audit(page, "check-right", shots, found)
    check_region(page, HATE_INCIDENT).get_by_label("Yes", exact=True).check()
    check_region(page, HATE_INCIDENT).get_by_role("button", name="Check my answer").click()
    expect(check_region(page, HATE_INCIDENT).get_by_role("alert")).to_contain_text("Not quite")
    audit(page, "check-wrong", shots, found)

    page.goto(ASSESSMENT)
    headings_in_order(page)
    audit(page, "assessment-start", shots, found)
    start_attempt(page)
    assert [text for level, text in headings_in_order(page) if level == 2] == ["Questions 1 to 3", "Questions 4 to 6"]
    expect(page.locator("main ol")).to_have_count(0)
    audit(page, "attempt", shots, found)
    page.get_by_role("button", name="Submit my answers").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    headings_in_order(page)
    audit(page, "attempt-errors", shots, found)
    answer(page, WRONG)
    page.get_by_role("button", name="Submit my answers").click()
    expect(heading(page)).to_have_text("You did not pass this time")
    headings_in_order(page)
    audit(page, "result-fail", shots, found)
    page.goto(PAGE)  # read the page again, as the retry rules ask
    start_attempt(page)
    answer(page, RIGHT)
    page.get_by_role("button", name="Submit my answers").click()
    expect(heading(page)).to_have_text("You passed")
    headings_in_order(page)
    audit(page, "result-pass", shots, found)
    page.context.close()
    assert found == {}, "\n".join(f"{name}: {problems}" for name, problems in found.items())


@pytest.mark.browser
def test_no_answer_or_feedback_reaches_the_page_before_the_learner_answers(browser, live_server, numbers):
    page = new_page(browser, live_server, java_script_enabled=False)
    sign_in(page)
    page.goto(PAGE)
    feedback_lines = [line.strip()[2:] for line in NUMBERED_CHECK.splitlines() if line.strip().startswith(">")]
    before = page.content()
    check_region(page, HOW_MANY).get_by_role("button", name="Check my answer").click()  # an empty answer: an error, no feedback
    expect(page).to_have_title(re.compile(r"^Error: "))
    for state, html in (("before answering", before), ("after an empty answer", page.content())):
        assert not [line for line in feedback_lines if line in html], f"a knowledge check's feedback is on the page {state}"
        assert "govuk-notification-banner" not in html, f"a feedback banner is on the page {state}"
        assert not re.search(r"\bcorrect\b|\[x\]", html, re.IGNORECASE), f"the answer key shows {state}"
    page.context.close()
