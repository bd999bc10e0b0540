"""The SCORM runtime scores, passes and draws as the LMS does: node runs the JavaScript a package ships
and its answers are compared with authoring.scoring and authoring.assessment for every case."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from authoring import load
from authoring.scoring import passes, score_percent
from authoring.scorm import CONNECTION, MARKING, QUESTIONS, RECORD, RUNTIME, build_package, source_from_module
from tests.conftest import ROOT

NODE = shutil.which("node")
TOTALS = range(1, 121)
PASS_MARKS = range(1, 101)
EVERY_FRACTION = """
const marking = require(process.argv[1]);
const scores = {}, passes = {};
for (let total = 1; total <= %(top)d; total++) {
  for (let correct = 0; correct <= total; correct++) {
    scores[correct + "/" + total] = marking.scorePercent(correct, total);
    passes[correct + "/" + total] = [];
    for (let mark = 1; mark <= 100; mark++) { passes[correct + "/" + total].push(marking.passes(correct, total, mark)); }
  }
}
console.log(JSON.stringify({scores, passes, nothingAsked: [marking.scorePercent(0, 0), marking.passes(0, 0, 1)]}));
"""
MANY_DRAWS = """
const marking = require(process.argv[1]);
const groups = JSON.parse(process.argv[2]);
const draws = [];
for (let n = 0; n < 400; n++) { draws.push(marking.draw(groups, Math.random)); }
console.log(JSON.stringify(draws));
"""


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    """The marking script exactly as a package ships it."""
    if NODE is None:
        pytest.skip("the parity tests need node (apt-get install nodejs)")
    module = load(ROOT / "tests" / "data" / "tiny-module" / "tiny-module.ipynb")
    folder = tmp_path_factory.mktemp("package")
    zipfile.ZipFile(io.BytesIO(build_package(source_from_module(module)))).extractall(folder)
    return folder


def run_node(script: str, *args: str) -> object:
    result = subprocess.run([NODE, "-e", script, *args], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_does_the_runtime_score_and_pass_every_fraction_as_the_lms_does(shipped: Path):
    found = run_node(EVERY_FRACTION % {"top": max(TOTALS)}, str(shipped / MARKING))
    expected_scores = {f"{c}/{t}": score_percent(c, t) for t in TOTALS for c in range(t + 1)}
    expected_passes = {f"{c}/{t}": [passes(c, t, mark) for mark in PASS_MARKS] for t in TOTALS for c in range(t + 1)}
    assert found["scores"] == expected_scores
    assert found["passes"] == expected_passes
    assert found["nothingAsked"] == [0, False]
    assert found["scores"]["5/8"] == 63 and found["passes"]["8/10"][79] is True  # 62.5% rounds up; 80% meets an 80% mark


def test_does_the_runtime_mark_with_the_shipped_rules_and_load_them_first(shipped: Path):
    runtime = (shipped / RUNTIME).read_text(encoding="utf-8")
    assert "Math.round" not in runtime and "marking.scorePercent(" in runtime and "marking.passes(" in runtime
    page = (shipped / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<script src="([^"]+)" defer>', page) == [MARKING, RECORD, CONNECTION, QUESTIONS, RUNTIME]


@pytest.mark.parametrize("groups", [
    [{"outcome": "Spot", "ask": 2, "questions": ["a", "b", "c"]}, {"outcome": "Report", "ask": 1, "questions": ["d", "e"]}],
    [{"outcome": "", "ask": 4, "questions": ["a", "b", "c", "d", "e", "f"]}],
    [{"outcome": "", "ask": 3, "questions": ["a", "b", "c"]}],
])
def test_does_each_attempt_ask_each_outcomes_share_and_every_question_in_time(shipped: Path, groups: list[dict]):
    draws = run_node(MANY_DRAWS, str(shipped / MARKING), json.dumps(groups))
    for drawn in draws:
        assert len(drawn) == len(set(drawn)) == sum(g["ask"] for g in groups)
        for group in groups:
            assert len(set(drawn) & set(group["questions"])) == group["ask"]
    assert {q for drawn in draws for q in drawn} == {q for g in groups for q in g["questions"]}


FITS = """
const marking = require(process.argv[1]);
console.log(JSON.stringify(JSON.parse(process.argv[3]).map((ids) => marking.fitsDraw(JSON.parse(process.argv[2]), ids))));
"""


def test_is_a_restored_attempt_accepted_only_when_the_draw_could_have_made_it(shipped: Path):
    groups = [{"outcome": "Spot", "ask": 2, "questions": ["a", "b", "c"]}, {"outcome": "Report", "ask": 1, "questions": ["d", "e"]}]
    tries = [["a", "c", "e"], ["b", "a", "d"],  # could be drawn
             ["a"], ["a", "b"], ["a", "b", "c"], ["a", "a", "d"], ["a", "b", "d", "e"], ["a", "b", "x"], [], ["constructor", "a", "d"]]
    assert run_node(FITS, str(shipped / MARKING), json.dumps(groups), json.dumps(tries)) == [True, True] + [False] * 8
