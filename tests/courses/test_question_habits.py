"""Do the five modules' assessments measure understanding rather than reward test-wise guessing?

The figures come from authoring.question_habits (the one home of the measure, also printed by
`authoring measure`); the limits are issue 14's. Each test prints the module's figures, so
`pytest -s tests/courses` shows them.
"""

from __future__ import annotations

import re

import pytest

from authoring import load
from authoring.question_habits import Habits, measure, text
from tests.conftest import ROOT

MODULES = sorted(p.stem for p in (ROOT / "courses").glob("*.ipynb"))
# Places in the three partnerships' areas that the scenarios are set in: York, North Yorkshire and the City of London.
LOCAL = re.compile(r"\b(York|North Yorkshire|Harrogate|Scarborough|Selby|Whitby|Northallerton|Skipton|Ripon|Richmond|Malton|"
                   r"Thirsk|Knaresborough|Filey|Tadcaster|Pickering|Settle|City of London|the City|Square Mile|St Paul's|"
                   r"Bishopsgate|London Wall|Cheapside|Moorgate|Liverpool Street|Smithfield|Fenchurch|Leadenhall|Guildhall|"
                   r"Barbican|Bank)\b")
# "What should Sam do?", "What can Jade do?", "How can he apply?", "Who is best placed
# to do this?", "the best advice", "the best way to report".
ASKS_WHAT_TO_DO = re.compile(r"\b(should|do|how can)\b|\bbest (advice|way)\b", re.IGNORECASE)


def habits_of(module_id: str) -> Habits:
    habits = measure(load(ROOT / "courses" / f"{module_id}.ipynb"))
    print(module_id, *habits.lines(), sep="\n  ")
    return habits


def test_are_all_five_modules_measured():
    assert len(MODULES) == 5


@pytest.mark.parametrize("module_id", MODULES)
def test_does_the_pool_hold_half_as_many_again_as_an_attempt_asks(module_id):
    assert habits_of(module_id).within_limits()["pool"]


@pytest.mark.parametrize("module_id", MODULES)
def test_is_the_right_option_rarely_the_longest_or_the_shortest(module_id):
    limits = habits_of(module_id).within_limits()
    assert limits["longest"] and limits["shortest"]


@pytest.mark.parametrize("module_id", MODULES)
def test_are_true_and_false_each_right_in_40_to_60_percent(module_id):
    habits = habits_of(module_id)
    assert habits.true_false, "every module has some true/false questions"
    assert habits.within_limits()["true or false"]


@pytest.mark.parametrize("module_id", MODULES)
def test_are_there_no_catch_all_options_or_repeated_knowledge_checks(module_id):
    limits = habits_of(module_id).within_limits()
    assert limits["catch-all"] and limits["repeats"]


@pytest.mark.parametrize("module_id", MODULES)
def test_does_a_test_wise_guesser_get_under_35_percent(module_id):
    assert habits_of(module_id).within_limits()["test-wise"]


@pytest.mark.parametrize("module_id", MODULES)
def test_are_half_the_questions_local_scenarios_that_ask_what_to_do(module_id):
    habits = habits_of(module_id)
    module = load(ROOT / "courses" / f"{module_id}.ipynb")
    scenarios = [module.rendered_questions[q.id] for q in module.questions if q.scored and q.kind.case_study]
    assert len(scenarios) == habits.scenarios
    for scenario in scenarios:
        assert LOCAL.search(text(scenario["case_study"])), f"{scenario['id']} is not set in York, North Yorkshire or the City"
    asking_what_to_do = [s["id"] for s in scenarios if ASKS_WHAT_TO_DO.search(text(s["stem"]))]
    print(f"  scenarios asking what to do: {len(asking_what_to_do)} of {habits.pool}")
    assert 2 * len(asking_what_to_do) >= habits.pool
