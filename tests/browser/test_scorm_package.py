"""SCORM packages in a real browser, launched by a real SCORM 1.2 runtime (scorm-again, from npm) as an LMS would.

A local page plays the LMS: it sets `window.API` to scorm-again's Scorm12API and frames the package. The
learner clicks through every page and the assessment; the test then reads what the runtime recorded.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from authoring import load
from authoring.scoring import score_percent
from authoring.scorm import build_package, source_from_module
from tests.browser.conftest import AXE, Page, expect, new_page, serving
from tests.builders import settings_cell, write_notebook
from tests.conftest import ROOT

COURSES = sorted(p.stem for p in (ROOT / "courses").glob("*.ipynb"))
SCORM_AGAIN = ROOT / "node_modules" / "scorm-again" / "dist" / "scorm-again.js"
HOST_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test LMS</title>
<script src="scorm-again.js"></script>
<script>
  window.API = new Scorm12API({autocommit: false, lmsCommitUrl: false, logLevel: 5});
  window.calls = [];
  window.errors = [];
  window.sent = {};
  ["LMSInitialize", "LMSCommit", "LMSFinish"].forEach(function (name) {
    window.API.on(name, function () { window.calls.push(name); });
  });
  window.API.on("LMSSetValue.cmi.*", function (element, value) {
    window.sent[element] = value;
    var code = String(window.API.LMSGetLastError());
    if (code !== "0") { window.errors.push([element, value, code]); }
  });
</script></head>
<body><h1>Test LMS</h1><iframe id="sco" title="Module" src="package/index.html" width="1000" height="700"></iframe></body></html>
"""
RECORDED = """() => {
  const core = JSON.parse(JSON.stringify(API.cmi)).core;  // serialising is how write-only elements are read back
  return {calls: window.calls, errors: window.errors, sent: window.sent, status: core.lesson_status, raw: core.score.raw, min: core.score.min,
          max: core.score.max, location: core.lesson_location, exit: core.exit, session_time: core.session_time};
}"""
SESSION_TIME = re.compile(r"^\d{4}:\d{2}:\d{2}\.\d{2}$")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None


@functools.cache
def module_source(name: str):
    """The package source of a course, built once for the whole run."""
    module = load(ROOT / "courses" / f"{name}.ipynb")
    assert module.ok, module.problems
    return source_from_module(module)


def serving_folder(folder: Path) -> AbstractContextManager[str]:
    """A folder served over HTTP on a free local port, for as long as the block runs."""
    return serving(ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder))))


@contextmanager
def notebook_site(browser, tmp_path: Path, notebook: Path) -> Iterator[Page]:
    """A notebook written by the test, packaged and framed by the host page; yields a page on the host."""
    module = load(notebook)
    assert not [p for p in module.problems if p.for_build().is_error], module.problems
    site = tmp_path / "site"
    with zipfile.ZipFile(io.BytesIO(build_package(source_from_module(module)))) as archive:
        archive.extractall(site / "package")
    (site / "host.html").write_text(HOST_PAGE, encoding="utf-8")
    (site / "scorm-again.js").write_bytes(SCORM_AGAIN.read_bytes())
    with serving_folder(site) as base_url:
        page = new_page(browser, base_url)
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto("/host.html")
        yield page
        page.context.close()
        assert problems == [], f"the package raised script errors: {problems}"


@pytest.fixture
def course() -> str:
    """The course a test packages; tests that run every course parametrize it."""
    return "hate-crime"


@pytest.fixture
def lms_site(tmp_path: Path, course: str) -> Iterator[str]:
    """A local 'LMS': the host page with scorm-again, and the course's package unzipped beside it."""
    with zipfile.ZipFile(io.BytesIO(build_package(module_source(course)))) as archive:
        archive.extractall(tmp_path / "package")
    (tmp_path / "host.html").write_text(HOST_PAGE, encoding="utf-8")
    (tmp_path / "scorm-again.js").write_bytes(SCORM_AGAIN.read_bytes())
    with serving_folder(tmp_path) as url:
        yield url


@pytest.fixture
def lms_page(browser, lms_site) -> Iterator[Page]:
    page = new_page(browser, lms_site)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    page.context.close()
    assert problems == [], f"the package raised script errors: {problems}"


def answers(source, wrong: set[str]) -> dict[str, list[str]]:
    """Option ids to tick for each scored question: the key's, or one wrong option for those in `wrong`."""
    chosen = {}
    for question in (q for q in source.questions if q["scored"]):
        correct = source.answer_key[question["id"]]["correct"]
        if question["id"] in wrong:
            chosen[question["id"]] = [next(o["id"] for o in question["options"] if o["id"] not in correct)]
        else:
            chosen[question["id"]] = list(correct)
    return chosen


def read_every_page(frame, source) -> None:
    """Click through the lesson pages, answering each knowledge check correctly and reading its feedback."""
    lesson_pages = source.pages[:-1] if source.has_assessment else source.pages
    questions = {q["id"]: q for q in source.questions}
    for page in lesson_pages:
        heading = frame.locator(f"#page-{page['number']}-title")
        expect(heading).to_be_visible()
        for block in page["blocks"]:
            if block["type"] == "question" and not questions[block["id"]]["scored"]:
                for option_id in source.answer_key[block["id"]]["correct"]:
                    frame.locator(f"[id='{block['id']}-{option_id}']").check()
                frame.locator(f"[data-check='{block['id']}']").click()
                expect(frame.locator(f"[id='{block['id']}-feedback']")).to_contain_text("Correct")
        frame.locator(f"#page-{page['number']} .sl-nav button[data-go='{page['number'] + 1}']").click()


def take_assessment(frame, chosen: dict[str, list[str]]) -> None:
    """Tick the chosen options of the questions this attempt asks (a pooled course asks some of its pool)."""
    asked = set(asked_ids(frame))
    for question_id, option_ids in chosen.items():
        for option_id in option_ids if question_id in asked else []:
            frame.locator(f"[id='{question_id}-{option_id}']").check()
    frame.get_by_role("button", name="Submit my answers").click()


@pytest.mark.parametrize("course", COURSES)
def test_does_each_course_complete_in_a_scorm_runtime_with_the_right_status_and_score(lms_page: Page, course: str):
    source = module_source(course)
    scored = [q["id"] for q in source.questions if q["scored"]]
    lms_page.goto("/host.html")
    frame = lms_page.frame_locator("#sco")
    read_every_page(frame, source)
    asked = asked_ids(frame)
    assert len(asked) == min(len(scored), (source.assessment or {}).get("questions") or len(scored))
    take_assessment(frame, answers(source, wrong={asked[0]}))
    expected = score_percent(len(asked) - 1, len(asked))
    expect(frame.locator("#sl-result-heading")).to_have_text("You passed")
    expect(frame.locator("#sl-result-detail")).to_contain_text(f"{len(asked) - 1} of {len(asked)} questions correctly ({expected}%)")
    frame.get_by_role("button", name="Finish the module").click()
    expect(frame.get_by_text("You have finished this module")).to_be_visible()

    recorded = lms_page.evaluate(RECORDED)
    assert recorded["errors"] == []
    assert recorded["calls"][0] == "LMSInitialize" and recorded["calls"][-1] == "LMSFinish"
    assert recorded["calls"].count("LMSFinish") == 1 and "LMSCommit" in recorded["calls"]
    assert recorded["status"] == "passed"
    assert (recorded["raw"], recorded["min"], recorded["max"]) == (str(expected), "0", "100")
    assert recorded["location"] == str(len(source.pages))
    assert recorded["exit"] == ""
    assert SESSION_TIME.match(recorded["sent"]["cmi.core.session_time"]), recorded["sent"]
    assert recorded["session_time"] not in ("", "00:00:00")  # the runtime accepted and kept it


def test_is_a_failed_assessment_recorded_and_can_the_learner_try_again_and_pass(lms_page: Page):
    source = module_source("hate-crime")
    scored = [q["id"] for q in source.questions if q["scored"]]
    lms_page.goto("/host.html")
    frame = lms_page.frame_locator("#sco")
    frame.get_by_role("button", name="Next page").first.click()
    expect(frame.locator("#page-2-title")).to_be_focused()
    for number in range(2, len(source.pages)):
        frame.locator(f"#page-{number} .sl-nav button[data-go='{number + 1}']").click()

    frame.get_by_role("button", name="Submit my answers").click()
    expect(frame.get_by_role("alert")).to_contain_text("Answer question 1")
    assert lms_page.evaluate("API.cmi.core.lesson_status") == "incomplete"  # nothing is marked until every question is answered

    take_assessment(frame, answers(source, wrong=set(scored)))
    expect(frame.locator("#sl-result-heading")).to_have_text("You did not pass this time")
    expect(frame.locator(f"[id='{asked_ids(frame)[0]}-feedback']")).to_contain_text("Not quite")
    assert lms_page.evaluate("[API.cmi.core.lesson_status, API.cmi.core.score.raw]") == ["failed", "0"]

    frame.get_by_role("button", name="Try the assessment again").click()
    take_assessment(frame, answers(source, wrong=set()))
    expect(frame.locator("#sl-result-heading")).to_have_text("You passed")
    frame.get_by_role("button", name="Finish the module").click()
    recorded = lms_page.evaluate(RECORDED)
    assert (recorded["status"], recorded["raw"], recorded["exit"], recorded["errors"]) == ("passed", "100", "", [])


def test_does_a_learner_who_leaves_early_resume_on_the_same_page(lms_page: Page):
    lms_page.goto("/host.html")
    frame = lms_page.frame_locator("#sco")
    frame.get_by_role("button", name="Next page").first.click()
    frame.locator("#page-2 .sl-nav button[data-go='3']").click()
    expect(frame.locator("#page-3-title")).to_be_visible()
    lms_page.evaluate("document.getElementById('sco').src = 'about:blank'")  # the learner closes the module
    lms_page.wait_for_function("window.calls.indexOf('LMSFinish') >= 0")
    recorded = lms_page.evaluate(RECORDED)
    assert (recorded["status"], recorded["location"], recorded["exit"]) == ("incomplete", "3", "suspend")

    state = lms_page.evaluate("JSON.stringify({core: {lesson_location: API.cmi.core.lesson_location, lesson_status: API.cmi.core.lesson_status}})")
    lms_page.evaluate(f"window.API = new Scorm12API({{lmsCommitUrl: false, logLevel: 5}}); window.API.loadFromJSON({state}); "
                      "document.getElementById('sco').src = 'package/index.html'")
    expect(frame.locator("#page-3-title")).to_be_visible()
    expect(frame.locator("#page-1-title")).to_be_hidden()


def test_does_the_package_work_as_a_plain_web_page_without_an_lms(lms_page: Page):
    source = module_source("hate-crime")
    lms_page.goto("/package/index.html")
    expect(lms_page.get_by_text("not connected to a learning management system")).to_be_visible()
    for number in range(1, len(source.pages)):
        lms_page.locator(f"#page-{number} .sl-nav button[data-go='{number + 1}']").click()
    take_assessment(lms_page, answers(source, wrong=set()))
    expect(lms_page.locator("#sl-result-heading")).to_have_text("You passed")


def test_has_the_launch_page_no_serious_accessibility_problems(browser, lms_site):
    page = new_page(browser, lms_site, bypass_csp=True)  # axe-core is injected as an inline script
    page.goto("/package/index.html")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']}).then(r => r.violations"
                              ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id))")
    page.context.close()
    assert found == []


def pooled_question(question_id: str, text: str) -> str:
    return f"### Question {{#{question_id}}}\n\n{text}\n\n- [x] Right\n  > Yes.\n- [ ] Wrong\n  > No.\n- [ ] Also wrong\n  > No.\n"


POOL = {"Spot the signs": ["spot-1", "spot-2", "spot-3"], "Report it": ["report-1", "report-2"]}
TRUE_FALSE = "### Question (true or false) {#report-2}\n\nA hate incident can be reported.\n\n- [x] True\n  > Yes.\n- [ ] False\n  > No.\n"


def asked_ids(frame) -> list[str]:
    """The scored questions this attempt shows, in page order."""
    return frame.locator(".sl-question[data-scored='true']:not([hidden])").evaluate_all("els => els.map(e => e.dataset.question)")


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
        assert page.evaluate("[API.cmi.core.lesson_status, API.cmi.core.score.raw]") == ["failed", "50"]

        frame.get_by_role("button", name="Try the assessment again").click()
        again = asked_ids(frame)
        assert len(again) == 2 and [len(set(again) & set(ids)) for ids in POOL.values()] == [1, 1]
        expect(frame.locator(".sl-question:not([hidden]) input:checked")).to_have_count(0)
        answer_pooled(frame, right=set(again), asked=again)
        expect(frame.locator("#sl-result-detail")).to_contain_text("2 of 2 questions correctly (100%)")
        frame.get_by_role("button", name="Finish the module").click()
        recorded = page.evaluate(RECORDED)
    assert (recorded["status"], recorded["raw"], recorded["errors"]) == ("passed", "100", [])


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
