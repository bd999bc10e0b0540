"""Every course's SCORM package, played in two real SCORM 1.2 runtimes from npm (scorm-again and
simplify-scorm) behind a strict recorder of the call sequence, for four learner journeys: pass; fail,
retry, pass; close part way and resume; finish, then look back at a page.

The recorder fails a journey on any call before LMSInitialize or after LMSFinish, any error code,
and any value outside strict SCORM 1.2 (scorm_recorder.js). The tests then read what the runtime kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from authoring.scoring import score_percent
from authoring.scorm_record import question_record
from tests.browser.conftest import Page, expect
from tests.browser.scorm_host import (
    COURSES,
    RUNTIMES,
    answers,
    asked_ids,
    close_module,
    hosted,
    module_source,
    read_every_page,
    recorded,
    reopen_module,
    skip_to_assessment,
    take_assessment,
    tick,
)

SESSION_TIME = re.compile(r"^\d{4}:\d{2}:\d{2}\.\d{2}$")


@pytest.fixture(params=COURSES)
def course(request) -> str:
    return request.param


@pytest.fixture(params=list(RUNTIMES))
def runtime(request) -> str:
    return request.param


@pytest.fixture
def lms(browser, tmp_path: Path, course: str, runtime: str) -> Iterator[Page]:
    """The host page with the course's package framed under the runtime; the learner's first session has begun."""
    with hosted(browser, tmp_path, module_source(course), runtime) as page:
        page.goto("/host.html")
        yield page


def finished_cleanly(page: Page, sessions: int = 1) -> dict:
    """Each session began with LMSInitialize, ended with one LMSFinish and broke no rule; the state the runtime kept."""
    found = recorded(page)
    assert len(found["sessions"]) == sessions
    for session in found["sessions"]:
        assert session["problems"] == []
        assert session["calls"][0] == "LMSInitialize" and session["calls"][-1] == "LMSFinish"
        assert session["calls"].count("LMSFinish") == 1 and "LMSCommit" in session["calls"]
        assert SESSION_TIME.match(session["sent"]["cmi.core.session_time"]), session["sent"]  # HHHH:MM:SS.SS
    state = found["state"]
    assert state["session_time"] not in ("", None)  # the runtime accepted it
    assert 0 < len(state["suspend_data"]) <= 4096
    return state


def expected_interactions(course: str, asked: list[str], wrong: set[str]) -> list[tuple[str, str, str]]:
    """(id, type, result) for each question asked, in the order asked."""
    questions = {q["id"]: q for q in module_source(course).questions}
    return [(question_record(questions[q])["ref"], question_record(questions[q])["type"], "wrong" if q in wrong else "correct") for q in asked]


def kept_interactions(state: dict) -> list[tuple[str, str, str]]:
    for interaction in state["interactions"]:
        assert interaction["weighting"] == "1" and interaction["pattern"]
        assert (interaction["student_response"] == interaction["pattern"]) == (interaction["result"] == "correct")
    return [(i["id"], i["type"], i["result"]) for i in state["interactions"]]


def test_does_a_learner_who_reads_everything_and_passes_get_passed_and_the_score(lms: Page, course: str):
    source = module_source(course)
    frame = lms.frame_locator("#sco")
    read_every_page(frame, source)
    asked = asked_ids(frame)
    take_assessment(frame, answers(source, wrong={asked[0]}))
    expected = score_percent(len(asked) - 1, len(asked))
    expect(frame.locator("#sl-result-heading")).to_have_text("You passed")
    expect(frame.locator("#sl-result-detail")).to_contain_text(f"{len(asked) - 1} of {len(asked)} questions correctly ({expected}%)")
    frame.get_by_role("button", name="Finish the module").click()
    expect(frame.get_by_text("You have finished this module")).to_be_visible()

    state = finished_cleanly(lms)
    assert (state["status"], state["raw"], state["min"], state["max"]) == ("passed", str(expected), "0", "100")
    assert (state["exit"], state["location"]) == ("", str(len(source.pages)))
    assert kept_interactions(state) == expected_interactions(course, asked, wrong={asked[0]})


def test_is_a_fail_recorded_and_can_the_learner_try_again_and_pass(lms: Page, course: str):
    source = module_source(course)
    frame = lms.frame_locator("#sco")
    skip_to_assessment(frame, source)
    first = asked_ids(frame)
    take_assessment(frame, answers(source, wrong=set(first)))
    expect(frame.locator("#sl-result-heading")).to_have_text("You did not pass this time")
    assert (recorded(lms)["state"]["status"], recorded(lms)["state"]["raw"]) == ("failed", "0")

    frame.get_by_role("button", name="Try the assessment again").click()
    second = asked_ids(frame)
    expect(frame.locator(".sl-question:not([hidden]) input:checked")).to_have_count(0)
    take_assessment(frame, answers(source, wrong=set()))
    expect(frame.locator("#sl-result-heading")).to_have_text("You passed")
    frame.get_by_role("button", name="Finish the module").click()

    state = finished_cleanly(lms)
    assert (state["status"], state["raw"], state["exit"]) == ("passed", "100", "")
    assert kept_interactions(state) == (expected_interactions(course, first, wrong=set(first)) + expected_interactions(course, second, wrong=set()))


def test_does_a_learner_who_closes_part_way_come_back_to_the_same_page_and_answers(lms: Page, course: str):
    source = module_source(course)
    frame = lms.frame_locator("#sco")
    read_every_page(frame, source)
    asked = asked_ids(frame)
    right = answers(source, wrong=set())
    tick(frame, right, asked[: len(asked) // 2])
    close_module(lms)
    left = finished_cleanly(lms)
    assert (left["status"], left["exit"], left["location"], left["interactions"]) == ("incomplete", "suspend", str(len(source.pages)), [])

    reopen_module(lms)
    expect(frame.locator(f"#page-{len(source.pages)}-title")).to_be_visible()
    assert asked_ids(frame) == asked  # the same questions, with the same ticks
    ticked = frame.locator(".sl-question[data-scored='true'] input:checked").evaluate_all("els => els.map(e => e.id)")
    assert sorted(ticked) == sorted(f"{q}-{o}" for q in asked[: len(asked) // 2] for o in right[q])
    knowledge = next(q for q in source.questions if not q["scored"])
    expect(frame.locator(f"[id='{knowledge['id']}-feedback']")).to_contain_text("Correct")  # checked before leaving
    take_assessment(frame, {q: [] if q in asked[: len(asked) // 2] else right[q] for q in asked})
    expect(frame.locator("#sl-result-heading")).to_have_text("You passed")
    close_module(lms)
    second = finished_cleanly(lms, sessions=2)
    assert (second["status"], second["raw"], second["exit"]) == ("passed", "100", "")
    assert kept_interactions(second) == expected_interactions(course, asked, wrong=set())

    reopen_module(lms)  # a submitted attempt comes back as submitted: its result, its answers, nothing to send again
    expect(frame.locator("#sl-result-heading")).to_have_text("You passed")
    expect(frame.get_by_role("button", name="Submit my answers")).to_be_hidden()
    expect(frame.locator(".sl-question[data-scored='true']:not([hidden]) input:checked")).to_have_count(sum(len(right[q]) for q in asked))
    close_module(lms)
    state = finished_cleanly(lms, sessions=3)
    assert (state["status"], state["raw"], state["exit"]) == ("passed", "100", "")
    assert kept_interactions(state) == []  # the fresh runtime of session 3 was sent none: the attempt was already recorded


def test_does_looking_back_after_finishing_send_nothing_more(lms: Page, course: str):
    source = module_source(course)
    frame = lms.frame_locator("#sco")
    skip_to_assessment(frame, source)
    take_assessment(frame, answers(source, wrong=set()))
    frame.get_by_role("button", name="Finish the module").click()
    last = len(source.pages)
    frame.locator(f"#page-{last} .sl-nav button[data-go='{last - 1}']").click()  # Previous page
    expect(frame.locator(f"#page-{last - 1}-title")).to_be_visible()
    frame.locator(f"#page-{last - 1} .sl-nav button[data-go='{last}']").click()
    expect(frame.locator("#sl-result-heading")).to_have_text("You passed")
    lms.evaluate("document.getElementById('sco').src = 'about:blank'")  # and leaves
    expect(lms.frame_locator("#sco").locator("body")).to_be_empty()
    state = finished_cleanly(lms)  # no call after LMSFinish, though the learner moved and left
    assert (state["status"], state["raw"], state["location"]) == ("passed", "100", str(last))
