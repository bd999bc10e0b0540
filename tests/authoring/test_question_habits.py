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


def test_does_authoring_measure_print_the_figures_for_each_notebook(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Page\n\nLesson.", "# Assessment\n\nAnswer.", LONGEST_RIGHT, TRUE_RIGHT)
    result = CliRunner().invoke(main, ["measure", str(path)])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"{path}:", "  pool 2 for 2 asked (1.00x)", "  longest option right in 1 of 1 one-answer questions",
        "  shortest option right in 0 of 1 (rewriting only the longest moves the tell here)",
        "  true or false: 1 of 1 have 'True' right", "  scenarios: 0 of 2", "  'all of the above' and the like: 0",
        "  assessment questions repeating a knowledge check: 0", "  test-wise guesser: 50% of the pool right"]
