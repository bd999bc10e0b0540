"""Does `authoring measure` count, on a trainer's notebook, what a test-wise guesser can exploit?"""

from __future__ import annotations

from fractions import Fraction

from click.testing import CliRunner

from authoring.cli import main
from authoring.module import load
from authoring.question_habits import measure
from tests.builders import settings_cell, write_notebook

CHECK = "### Knowledge check\n\nWho keeps the record?\n\n- [x] The safeguarding lead\n  > They do.\n- [ ] Nobody\n  > Someone must."
LONGEST_RIGHT = ("### Question\n\nWho do you tell first?\n\n- [x] Your organisation's safeguarding lead\n  > They know the routes.\n"
                 "- [ ] Nobody\n  > Concerns are shared.")
SHORTEST_RIGHT = ("### Question\n\nWho writes the note?\n\n- [x] You\n  > The person who saw it writes it down.\n"
                  "- [ ] A colleague who was not there\n  > They did not see it.")
TRUE_RIGHT = "### Question (true or false)\n\nA hate incident can be reported.\n\n- [x] True\n  > It can.\n- [ ] False\n  > It can."
FALSE_RIGHT = "### Question (true or false)\n\nOnly crimes can be reported.\n\n- [ ] True\n  > Incidents too.\n- [x] False\n  > Incidents too."
SCENARIO = ("### Question (scenario)\n\nSam works at a York library. A visitor shouts abuse at a Polish family and all of the above.\n\n"
            "What should Sam do first?\n\n- [x] Make sure the family are safe\n  > Safety first.\n- [ ] Ignore it\n  > Never.\n"
            "- [ ] All of the above\n  > Not a real choice.")
REPEAT = CHECK.replace("### Knowledge check", "### Question {#record-keeper}")  # its own id: otherwise a clash


def test_are_a_modules_guessing_habits_counted_exactly(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Page\n\nLesson.", CHECK, "# Assessment\n\nAnswer.", LONGEST_RIGHT, SHORTEST_RIGHT,
                          TRUE_RIGHT, FALSE_RIGHT, SCENARIO, REPEAT, settings=settings_cell(assessment={"questions": 4}))
    habits = measure(load(path))
    assert (habits.asked, habits.pool, habits.pool_ratio) == (4, 6, 1.5)
    assert (habits.longest_right, habits.one_answer) == (3, 4)  # all but SHORTEST_RIGHT: the scenario's and the repeat's too
    assert habits.shortest_right == 1
    assert (habits.true_right, habits.true_false) == (1, 2)
    assert habits.scenarios == 1
    assert len(habits.catch_all) == 1 and len(habits.repeats) == 1
    # 'the longest' is right 3 times, 'False' once: 4 of the 6 questions in the pool
    assert habits.test_wise == Fraction(4, 6)


def test_does_authoring_measure_print_each_figure_with_its_limit_and_the_questions_to_fix(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Page\n\nLesson.", "# Assessment\n\nAnswer.", LONGEST_RIGHT, TRUE_RIGHT)
    result = CliRunner().invoke(main, ["measure", str(path)])
    assert result.exit_code == 1  # FIX lines: a script can stop on them
    lines = result.output.splitlines()
    assert lines[0] == f"{path}:"
    assert lines[1] == "  FIX: pool 2 for 2 asked (1.00x; aim for 1.5x or more)"
    assert lines[2].startswith("  FIX: right option longer than all the others in 1 of 1 one-answer questions (aim for a third or fewer): ")
    assert lines[3].startswith("  OK: right option shorter than all the others in 0 of 1")
    assert lines[4] == "  FIX: true or false: 1 of 1 have 'True' right (aim for 40% to 60%)"
    assert lines[5] == "  FIX: scenarios: 0 of 2 (aim for half or more)"
    assert lines[6:8] == ["  OK: 'all of the above' and the like: 0", "  OK: assessment questions repeating a knowledge check: 0"]
    assert lines[8].startswith("  FIX: a guesser who picks the longest option") and "gets 50% of the questions right (aim for under 35%)" in lines[8]


def test_does_authoring_measure_name_the_questions_behind_each_count(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Page\n\nLesson.", CHECK, "# Assessment\n\nAnswer.", SCENARIO, REPEAT,
                          settings=settings_cell(assessment={"questions": 1}))
    habits = measure(load(path))
    assert habits.repeats == ["record-keeper"] and habits.catch_all == [habits.longest_ids[0]]
    output = CliRunner().invoke(main, ["measure", str(path)]).output
    assert "'all of the above' and the like: 1: " + habits.catch_all[0] in output
    assert "repeating a knowledge check: 1: record-keeper" in output


def test_does_a_module_within_every_limit_pass_authoring_measure():
    from tests.conftest import ROOT

    result = CliRunner().invoke(main, ["measure", str(ROOT / "courses")])
    assert result.exit_code == 0 and "FIX" not in result.output and result.output.count("  OK: ") == 5 * 8
