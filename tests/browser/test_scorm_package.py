"""SCORM packages in a real browser, framed by a stand-in LMS running a real SCORM 1.2 runtime from npm.

The learner journeys of every course in both runtimes are in test_scorm_journeys.py; these tests cover
the rest: links to other sites, checks before marking, the package without an LMS, accessibility, and
question pools (scorm_host.py has the host page).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from authoring import load
from authoring.scorm import build_package, source_from_module
from authoring.scorm_links import NEW_TAB_TEXT
from tests.browser.conftest import AXE, Page, expect, new_page
from tests.browser.scorm_host import (
    COURSES,
    answers,
    asked_ids,
    hosted,
    module_source,
    recorded,
    serving_folder,
    skip_to_assessment,
    take_assessment,
    write_site,
)
from tests.builders import QUESTION, settings_cell, write_notebook

LINKS = ("# Where to report\n\nReport online at [True Vision](https://www.report-it.org.uk/), "
         "read [how to report](#how-to-report) below, or email [the hub](mailto:hub@testville.example).\n\n"
         "## How to report\n\nCall 101.")


@contextmanager
def notebook_site(browser, tmp_path: Path, notebook: Path, runtime: str = "scorm-again") -> Iterator[Page]:
    """A notebook written by the test, packaged and framed by the host page; yields a page on the host."""
    module = load(notebook)
    assert not [p for p in module.problems if p.for_build().is_error], module.problems
    with hosted(browser, tmp_path, source_from_module(module), runtime) as page:
        page.goto("/host.html")
        yield page


def test_does_a_link_to_another_site_open_a_new_tab_and_say_so_while_the_module_stays(browser, tmp_path: Path):
    notebook = write_notebook(tmp_path / "links.ipynb", LINKS, QUESTION)
    with notebook_site(browser, tmp_path, notebook) as page:
        frame = page.frame_locator("#sco")
        link = frame.get_by_role("link", name=f"True Vision{NEW_TAB_TEXT}")
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        with page.context.expect_page() as opened:
            link.click()
        assert opened.value.evaluate("window.opener") is None  # the new tab cannot reach back into the module
        opened.value.close()
        expect(frame.locator("#page-1-title")).to_be_visible()  # the module and its session are still there
        assert recorded(page)["sessions"][0]["problems"] == [] and "LMSFinish" not in recorded(page)["sessions"][0]["calls"]
        for name in ("how to report", "the hub"):  # a part of the page and an email address stay as they were
            expect(frame.get_by_role("link", name=name, exact=True)).not_to_have_attribute("target", "_blank")


def test_is_nothing_marked_until_every_question_asked_is_answered(browser, tmp_path: Path):
    source = module_source("hate-crime")
    with hosted(browser, tmp_path, source) as page:
        page.goto("/host.html")
        frame = page.frame_locator("#sco")
        frame.get_by_role("button", name="Next page").first.click()
        expect(frame.locator("#page-2-title")).to_be_focused()
        for number in range(2, len(source.pages)):
            frame.locator(f"#page-{number} .sl-nav button[data-go='{number + 1}']").click()
        frame.get_by_role("button", name="Submit my answers").click()
        expect(frame.get_by_role("alert")).to_contain_text("Answer question 1")
        found = recorded(page)
    assert found["state"]["status"] == "incomplete" and found["state"]["interactions"] == []


def test_does_the_package_work_as_a_plain_web_page_without_an_lms(browser, tmp_path: Path):
    source = module_source("hate-crime")
    with hosted(browser, tmp_path, source) as page:
        page.goto("/package/index.html")
        expect(page.get_by_text("not connected to a learning management system")).to_be_visible()
        skip_to_assessment(page, source)
        take_assessment(page, answers(source, wrong=set()))
        expect(page.locator("#sl-result-heading")).to_have_text("You passed")


@pytest.mark.parametrize("course", COURSES)
def test_has_every_launch_page_no_moderate_or_worse_accessibility_problems(browser, tmp_path: Path, course: str):
    write_site(tmp_path, build_package(module_source(course)), "scorm-again")
    with serving_folder(tmp_path) as base_url:
        page = new_page(browser, base_url, bypass_csp=True)  # axe-core is injected as an inline script
        page.goto("/package/index.html")
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        found = []
        for number in range(1, len(module_source(course).pages) + 1):  # each page as the learner sees it, every question shown
            page.evaluate("(n) => document.querySelectorAll('.sl-page').forEach(p => { p.hidden = p.dataset.page !== String(n); "
                          "p.querySelectorAll('.sl-question').forEach(q => { q.hidden = false; }); })", number)
            found += page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa', 'best-practice']}).then(r => "
                                   "r.violations.filter(v => ['moderate', 'serious', 'critical'].includes(v.impact)).map(v => v.id))")
        page.context.close()
    assert found == []


def pooled_question(question_id: str, text: str) -> str:
    return f"### Question {{#{question_id}}}\n\n{text}\n\n- [x] Right\n  > Yes.\n- [ ] Wrong\n  > No.\n- [ ] Also wrong\n  > No.\n"


POOL = {"Spot the signs": ["spot-1", "spot-2", "spot-3"], "Report it": ["report-1", "report-2"]}
TRUE_FALSE = "### Question (true or false) {#report-2}\n\nA hate incident can be reported.\n\n- [x] True\n  > Yes.\n- [ ] False\n  > No.\n"


def answer_pooled(frame, right: set[str], asked: list[str]) -> None:
    for question_id in asked:
        choice = "Right" if question_id in right else "Wrong"
        if question_id == "report-2":
            choice = "True" if question_id in right else "False"
        frame.locator(f".sl-question[data-question='{question_id}']").get_by_label(choice, exact=True).check()
    frame.get_by_role("button", name="Submit my answers").click()


def test_does_a_pooled_module_ask_only_its_questions_per_outcome_and_score_those(browser, tmp_path: Path):
    cells = ["# Lesson\n\nRead this.", "# Assessment\n\nAnswer every question."]
    for outcome, ids in POOL.items():
        cells.append(f"## Outcome: {outcome}")
        cells.extend(TRUE_FALSE if qid == "report-2" else pooled_question(qid, f"Question text {qid}?") for qid in ids)
    notebook = write_notebook(tmp_path / "pooled.ipynb", *cells, settings=settings_cell(assessment={"questions": 2}))
    with notebook_site(browser, tmp_path, notebook) as page:
        frame = page.frame_locator("#sco")
        frame.locator("#page-1 .sl-nav button[data-go='2']").click()
        asked = asked_ids(frame)
        assert len(asked) == 2 and [len(set(asked) & set(ids)) for ids in POOL.values()] == [1, 1]  # one from each outcome
        for question_id in {q for ids in POOL.values() for q in ids} - set(asked):
            expect(frame.locator(f".sl-question[data-question='{question_id}']")).to_be_hidden()
        expect(frame.locator(".sl-question:not([hidden]) .sl-question-number")).to_have_text(["Question 1", "Question 2"])
        labels = frame.locator(".sl-question[data-question='report-2'] .sl-label").all_inner_texts()
        assert sorted(labels) == ["False", "True"]  # shuffled like every kind, so its place says nothing

        frame.get_by_role("button", name="Submit my answers").click()
        expect(frame.locator("#sl-error-list li")).to_have_text(["Answer question 1", "Answer question 2"])  # unasked ones are not required
        answer_pooled(frame, right={asked[0]}, asked=asked)
        expect(frame.locator("#sl-result-detail")).to_contain_text("1 of 2 questions correctly (50%)")
        assert (recorded(page)["state"]["status"], recorded(page)["state"]["raw"]) == ("failed", "50")

        frame.get_by_role("button", name="Try the assessment again").click()
        again = asked_ids(frame)
        assert len(again) == 2 and [len(set(again) & set(ids)) for ids in POOL.values()] == [1, 1]
        expect(frame.locator(".sl-question:not([hidden]) input:checked")).to_have_count(0)
        answer_pooled(frame, right=set(again), asked=again)
        expect(frame.locator("#sl-result-detail")).to_contain_text("2 of 2 questions correctly (100%)")
        frame.get_by_role("button", name="Finish the module").click()
        found = recorded(page)
    assert (found["state"]["status"], found["state"]["raw"], found["sessions"][0]["problems"]) == ("passed", "100", [])


def test_does_a_retry_draw_the_pool_again(browser, tmp_path: Path):
    cells = ["# Assessment\n\nAnswer the question.", *(pooled_question(f"q-{n}", f"Question text {n}?") for n in range(1, 7))]
    notebook = write_notebook(tmp_path / "pool.ipynb", *cells, settings=settings_cell(assessment={"questions": 1}))
    with notebook_site(browser, tmp_path, notebook) as page:
        frame = page.frame_locator("#sco")
        seen = set()
        for _attempt in range(12):  # the chance that 12 draws from 6 all give the same question is 6 ** -11
            (asked,) = asked_ids(frame)
            seen.add(asked)
            answer_pooled(frame, right=set(), asked=[asked])
            expect(frame.locator("#sl-result-detail")).to_contain_text("0 of 1 questions correctly (0%)")
            frame.get_by_role("button", name="Try the assessment again").click()
        assert len(seen) > 1


@pytest.mark.parametrize("course", ["hate-crime", "prevent-city-businesses"])
def test_does_a_page_with_wide_tables_fit_a_320_pixel_screen_with_the_tables_scrolling_in_their_boxes(browser, tmp_path: Path, course: str):
    source = module_source(course)
    numbers = [p["number"] for p in source.pages if any("<table" in b.get("html", "") for b in p["blocks"])]
    write_site(tmp_path, build_package(source), "scorm-again")
    with serving_folder(tmp_path) as base_url:
        page = new_page(browser, base_url)
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto("/package/index.html")
        for number in range(1, max(numbers) + 1):
            if number in numbers:
                expect(page.locator(f"#page-{number}-title")).to_be_visible()
                assert page.evaluate("document.documentElement.scrollWidth") <= 320  # the page itself never scrolls sideways
                box = page.locator(f"#page-{number} .sl-table-scroll").first
                box.focus()  # a keyboard user reaches the box to scroll it
                expect(box).to_be_focused()
            page.locator(f"#page-{number} .sl-nav button[data-go='{number + 1}']").click()
        page.context.close()
