"""What a SCORM package records: interaction ids and option characters in strict SCORM 1.2 formats
(authoring/scorm_record.py), and the resume state in cmi.suspend_data within 4,096 characters, run in
node from the file a package ships (safer-learning-record.js)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from authoring import load
from authoring.scorm import source_from_module
from authoring.scorm_record import CHOICE_CHARACTERS, question_record
from tests.conftest import ROOT

NODE = shutil.which("node")
RECORD = ROOT / "authoring" / "scorm_package" / "safer-learning-record.js"
COURSES = sorted((ROOT / "courses").glob("*.ipynb"))
RUN = "const record = require(process.argv[1]); const calls = JSON.parse(process.argv[2]);\n" \
      "console.log(JSON.stringify(calls.map(([name, args]) => record[name](...args))));"
VERSION = "94471603afa3"


def in_node(*calls: tuple[str, list]) -> list:
    """Each (function name, arguments) run in node against the shipped record script; their answers."""
    if NODE is None:
        pytest.skip("the record tests need node (apt-get install nodejs)")
    done = subprocess.run([NODE, "-e", RUN, str(RECORD), json.dumps(calls)], capture_output=True, text=True, check=True, timeout=30)
    return json.loads(done.stdout)


def options(count: int) -> list[dict]:
    return [{"id": f"option-{n}", "html": f"Option {n}"} for n in range(count)]


def test_is_a_true_or_false_question_recorded_as_true_false_with_t_and_f():
    record = question_record({"id": "a-perception", "kind": "true_false", "scored": True,
                              "options": [{"id": "x1", "html": "False"}, {"id": "x2", "html": " true "}]})
    assert record == {"kind": "true_false", "scored": True, "ref": "a-perception", "type": "true-false", "responses": {"x1": "f", "x2": "t"}}


def test_does_a_choice_question_get_one_character_per_option_and_none_past_36():
    assert question_record({"id": "q", "kind": "multiple", "scored": True, "options": options(4)})["responses"] == {
        "option-0": "a", "option-1": "b", "option-2": "c", "option-3": "d"}
    many = question_record({"id": "q", "kind": "single", "scored": True, "options": options(40)})
    assert sorted(many["responses"].values()) == sorted(CHOICE_CHARACTERS) and "option-36" not in many["responses"]
    assert many["type"] == "choice"


@pytest.mark.parametrize("question_id", ["has space", "semi;colon", "é-accent", "x" * 256, ""])
def test_is_a_question_id_that_is_no_cmi_identifier_given_a_stable_one_that_is(question_id: str):
    ref = question_record({"id": question_id, "kind": "single", "scored": True, "options": options(2)})["ref"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,255}", ref) and ref == question_record({"id": question_id, "kind": "single", "scored": True,
                                                                                 "options": options(2)})["ref"]


def worst_state(path: Path) -> dict:
    """The longest resume state a course can have: every knowledge check ticked in full and checked, and the
    attempt asking its longest-named questions, every option ticked."""
    source = source_from_module(load(path))
    records = [question_record(q) for q in source.questions]
    every = {r["ref"]: "".join(sorted(r["responses"].values())) for r in records}
    knowledge = [{"ref": r["ref"], "ticked": every[r["ref"]], "checked": True} for r in records if not r["scored"]]
    asked = sorted((r for r in records if r["scored"]), key=lambda r: -len(r["ref"]))[:(source.assessment or {}).get("questions") or 999]
    return {"version": source.version[:12], "submitted": True, "knowledge": knowledge,
            "assessment": [{"ref": r["ref"], "ticked": every[r["ref"]], "checked": False} for r in asked]}


def test_does_the_largest_real_courses_resume_state_fit_suspend_data_whole():
    states = [worst_state(path) for path in COURSES]
    texts = in_node(*[("encodeResume", [state]) for state in states])
    assert max(len(text) for text in texts) <= 4096
    decoded = in_node(*[("decodeResume", [text, state["version"]]) for text, state in zip(texts, states, strict=True)])
    assert decoded == states  # nothing dropped, nothing changed


def test_are_knowledge_checks_dropped_first_and_is_suspend_data_never_over_4096():
    entry = {"ref": "k" * 200, "ticked": "abcde", "checked": True}
    asked = [{"ref": f"q-{n}-" + "x" * 100, "ticked": "ab", "checked": False} for n in range(12)]
    huge = [{"ref": f"q-{n}-" + "x" * 240, "ticked": "abcdefghij", "checked": False} for n in range(20)]
    fits, no_knowledge, nothing = in_node(
        ("encodeResume", [{"version": VERSION, "submitted": False, "knowledge": [entry] * 3, "assessment": asked}]),
        ("encodeResume", [{"version": VERSION, "submitted": False, "knowledge": [entry] * 30, "assessment": asked}]),
        ("encodeResume", [{"version": VERSION, "submitted": True, "knowledge": [entry] * 30, "assessment": huge}]))
    assert len(fits) <= 4096 and fits.count("k" * 200) == 3
    assert len(no_knowledge) <= 4096 and "k" * 200 not in no_knowledge and no_knowledge.count("q-") == 12
    assert nothing == ""


def test_does_a_state_too_large_for_its_ticks_keep_the_attempts_questions_and_whether_it_was_submitted():
    asked = [{"ref": f"q-{n}-" + "x" * 150, "ticked": "abcdefghijklmnopqrstuvwxyz0123456789", "checked": False} for n in range(24)]
    (text,) = in_node(("encodeResume", [{"version": VERSION, "submitted": True, "knowledge": [], "assessment": asked}]))
    assert 0 < len(text) <= 4096
    (state,) = in_node(("decodeResume", [text, VERSION]))
    assert state["submitted"] is True and [e["ref"] for e in state["assessment"]] == [e["ref"] for e in asked]
    assert {e["ticked"] for e in state["assessment"]} == {""}


@pytest.mark.parametrize(("count", "expected"), [("0", 0), ("7", 7), ("120", 120), ("", 0), ("abc", 0), ("1.5", 0), ("-3", 0),
                                                 (" 4", 0), ("1e3", 0), ("0x10", 0), (None, 0)])
def test_is_an_lmss_interaction_count_used_only_when_it_is_a_whole_number(count: str | None, expected: int):
    assert in_node(("interactionCount", [count])) == [expected]


def test_does_no_saved_name_reach_the_built_in_properties_of_an_object():
    script = ("const record = require(process.argv[1]);\n"
              "const ids = record.byRef({'q-one': {ref: 'q-one'}});\n"
              "console.log(JSON.stringify(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'q-one'].map((n) => ids[n] === undefined ? null : typeof ids[n])));")
    done = subprocess.run([NODE or "node", "-e", script, str(RECORD)], capture_output=True, text=True, check=True, timeout=30)
    assert json.loads(done.stdout) == [None, None, None, None, "string"]


@pytest.mark.parametrize("text", ["", "garbage", f"2|{VERSION}|0||", "1|another|0|q:a|", f"1|{VERSION}|0|q:A|",
                                  f"1|{VERSION}|0|q a:b|", f"1|{VERSION}|yes|q:a|", f"1|{VERSION}|0|q:a:b|", f"1|{VERSION}|0|q:a"])
def test_is_saved_state_from_another_version_or_unreadable_ignored(text: str):
    assert in_node(("decodeResume", [text, VERSION])) == [None]


def test_does_a_saved_state_read_back_as_written():
    (state,) = in_node(("decodeResume", [f"1|{VERSION}|1|a-one:ac,a-two:|kc-one:b+,kc-two:ab", VERSION]))
    assert state == {"version": VERSION, "submitted": True,
                     "assessment": [{"ref": "a-one", "ticked": "ac", "checked": False}, {"ref": "a-two", "ticked": "", "checked": False}],
                     "knowledge": [{"ref": "kc-one", "ticked": "b", "checked": True}, {"ref": "kc-two", "ticked": "ab", "checked": False}]}


def test_is_an_interaction_written_in_strict_scorm_12_formats():
    answered, unrecordable = in_node(
        ("interactionValues", [3, {"ref": "a-one", "type": "choice", "time": "09:05:07", "right": False, "response": "a,c", "pattern": "b"}]),
        ("interactionValues", [0, {"ref": "a-two", "type": "choice", "time": "23:59:59", "right": True, "response": None, "pattern": None}]))
    assert answered == [["cmi.interactions.3.id", "a-one"], ["cmi.interactions.3.type", "choice"], ["cmi.interactions.3.time", "09:05:07"],
                        ["cmi.interactions.3.weighting", "1"], ["cmi.interactions.3.student_response", "a,c"],
                        ["cmi.interactions.3.result", "wrong"], ["cmi.interactions.3.correct_responses.0.pattern", "b"]]
    assert [name for name, _ in unrecordable] == [f"cmi.interactions.0.{n}" for n in ("id", "type", "time", "weighting", "result")]
    assert in_node(("response", [{"x": "c", "y": "a"}, ["x", "y"]]), ("response", [{"x": "c"}, ["x", "z"]]),
                   ("response", [{"x": "c"}, []])) == ["a,c", None, None]


def test_is_the_session_time_written_as_a_scorm_12_timespan():
    assert in_node(("timespan", [0]), ("timespan", [3_723_456]), ("timespan", [10**12])) == [
        "0000:00:00.00", "0001:02:03.45", "9999:46:40.00"]
