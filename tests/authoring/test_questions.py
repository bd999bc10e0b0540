"""Does the question parser turn any text into a question or a clean problem, never an exception?"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from authoring.problems import ProblemList
from authoring.questions import is_question_cell, parse_question

LINE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["- [x] Right", "- [ ] Wrong", "  > feedback", "", "### Question", "- [X] Caps", "* [ ] star", "- []", "{#id}"]),
)
HEADING = st.sampled_from(["### Question", "### Knowledge check", "### Question (multiple answers)", "### Question (scenario)",
                           "### Question (true or false)", "### Question (", "### Knowledge check {#x}", "### question (SCENARIO, multiple answers)"])


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_question_or_problems(text):
    problems = ProblemList("t.ipynb")
    question = parse_question(text, 3, problems)
    assert question is not None or problems.errors
    for problem in problems:
        assert problem.cell == 3 and problem.message and problem.fix


@settings(max_examples=400, deadline=None)
@given(HEADING, st.lists(LINE, max_size=12))
def test_question_shaped_text_gives_a_question_or_problems(heading, lines):
    text = "\n".join([heading, *lines])
    assert is_question_cell(text)
    problems = ProblemList("t.ipynb")
    question = parse_question(text, 7, problems)
    if question is None:
        assert problems.errors
    elif not problems.errors:
        assert len(question.options) >= 2 and question.correct_ids
        assert question.kind.multiple_answers or len(question.correct_ids) == 1


def test_are_options_feedback_and_kind_read_as_written():
    problems = ProblemList("t.ipynb")
    question = parse_question(
        "### Question (scenario, multiple answers) {#case-one}\n\nAmina runs a café in York.\n\nShe sees a poster.\n\n"
        "What should she do?\n\n- [x] Report it\n  > Right: report it\n  > to the police.\n- [ ] Ignore it\n  continued text\n  > No.\n"
        "- [X] Keep a note\n  > Right.", 4, problems)
    assert not problems.errors
    assert question.id == "case-one" and question.kind.name == "scenario_multiple" and question.scored
    assert question.case_study == "Amina runs a café in York.\n\nShe sees a poster."
    assert question.stem == "What should she do?"
    assert [(o.text, o.correct, o.feedback) for o in question.options] == [
        ("Report it", True, "Right: report it to the police."), ("Ignore it continued text", False, "No."), ("Keep a note", True, "Right.")]


def test_are_option_ids_stable_and_unrelated_to_position():
    text = "### Knowledge check\n\nWhich?\n\n- [x] A\n  > y\n- [ ] B\n  > n"
    first = parse_question(text, 1, ProblemList("t"))
    again = parse_question(text, 9, ProblemList("t"))
    assert [o.id for o in first.options] == [o.id for o in again.options]
    assert all(len(o.id) == 10 and o.id not in ("a", "b") for o in first.options)
    assert first.scored is False


def test_is_feedback_typed_on_the_option_line_kept_out_of_the_no_feedback_warning():
    problems = ProblemList("t.ipynb")
    parse_question("### Knowledge check\n\nWho?\n\n- [x] RIGHTANS\u00a0> FBSECRET\n- [ ] Wrong\n  \uff1e fb\n", 3, problems)
    assert [p.message for p in problems] == [
        "option 1 (line 5) has a '>' on the option line, so learners would see the feedback after it as part of the answer",
        "line 7, under option 2, starts with '\uff1e', which looks like '>' but does not start feedback, so learners would see it as part of the answer"]


def test_is_a_heading_with_200000_spaces_read_in_one_pass():
    # The heading tail's three '\\s*' backtracked cubically; now possessive (bench/check_hostile.py times it).
    spaces = " " * 200_000
    question = parse_question(f"### Question{spaces}(multiple answers){spaces}{{#an-id}}{spaces}\n\nWho?\n\n- [x] A\n  > y\n- [ ] B\n  > n",
                              1, ProblemList("t"))
    assert question.id == "an-id" and question.kind.multiple_answers
