"""Question pools as a trainer writes them: outcome headings, `assessment:` settings, and every mistake reported with its cell and fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from authoring import build, check, load
from authoring.assessment import allocate
from authoring.cli import main
from tests.builders import pooled_question, settings_cell, write_notebook, write_pooled_notebook

ASSESSMENT = "# Assessment\n\nAnswer every question."


def problems_for(path: Path) -> list[str]:
    return [str(p) for p in check([path])]


def errors_for(path: Path) -> list[str]:
    return [str(p) for p in check([path]) if p.is_error]


# A good pool

def test_does_a_good_pooled_module_check_clean(tmp_path):
    path = write_pooled_notebook(tmp_path / "pooled.ipynb", outcomes=3, per_outcome=4, questions=6)
    assert problems_for(path) == []


def test_does_the_check_command_pass_a_good_pool_and_fail_a_bad_one(tmp_path):
    write_pooled_notebook(tmp_path / "good" / "pooled.ipynb", outcomes=2, per_outcome=3, questions=4)
    bad = write_pooled_notebook(tmp_path / "bad" / "pooled.ipynb", outcomes=2, per_outcome=3, questions=7)
    good_run = CliRunner().invoke(main, ["check", str(tmp_path / "good")])
    bad_run = CliRunner().invoke(main, ["check", str(tmp_path / "bad")])
    assert good_run.exit_code == 0 and "1 notebook(s) checked: 0 error(s), 0 warning(s)" in good_run.output
    assert bad_run.exit_code == 1
    assert f"{bad}:cell 1: the assessment asks 7 questions but the pool has only 6 scored questions" in bad_run.output


def test_does_each_scored_question_carry_the_outcome_above_it_into_the_manifest(tmp_path):
    source = write_pooled_notebook(tmp_path / "src" / "pooled.ipynb", outcomes=2, per_outcome=3, questions=4)
    report = build([source], tmp_path / "out")
    manifest = json.loads((report.built[0] / "manifest.json").read_text())
    outcomes = {q["id"]: q["outcome"] for q in manifest["questions"]}
    assert outcomes == {f"q-{o}-{n}": f"Outcome {o}" for o in (1, 2) for n in (1, 2, 3)}


def test_do_the_settings_carry_the_assessment_rules_with_defaults_for_the_rest(tmp_path):
    source = write_pooled_notebook(tmp_path / "src" / "pooled.ipynb", outcomes=2, per_outcome=3,
                                   questions=4, after_fail="wait", wait_minutes=30, show_after_fail="answers")
    report = build([source], tmp_path / "out")
    manifest = json.loads((report.built[0] / "manifest.json").read_text())
    assert manifest["settings"]["assessment"] == {"questions": 4, "after_fail": "wait", "wait_minutes": 30, "failed_attempts": 3,
                                                  "failed_attempts_hours": 24, "show_after_fail": "answers"}


def test_does_a_module_without_assessment_settings_ask_every_question_with_the_default_rules(tmp_path):
    module = load(write_pooled_notebook(tmp_path / "pooled.ipynb", outcomes=1, per_outcome=5))
    rules = module.settings.assessment_rules
    assert (rules.questions, rules.after_fail, rules.failed_attempts, rules.failed_attempts_hours, rules.show_after_fail) == \
        (None, "review", 3, 24, "outcomes")
    assert "There are 5 questions." in module.pages[-1].blocks[0]["html"]


def test_is_a_knowledge_check_after_an_outcome_heading_left_out_of_the_outcome(tmp_path):
    check_cell = "### Knowledge check\n\nWarm up?\n\n- [x] Yes\n  > Right, warm up.\n- [ ] No\n  > No need."
    module = load(write_notebook(tmp_path / "m.ipynb", ASSESSMENT, "## Outcome: Spot the signs", check_cell, pooled_question(1, 1)))
    assert [p.message for p in module.problems.errors] == [  # learners never see it there, so it is an error too
        "a knowledge check on the assessment page is never shown: learners see only the scored questions there"]
    assert [(q.scored, q.outcome) for q in module.questions] == [(False, ""), (True, "Spot the signs")]


# Mistakes in the notebook, each with its cell and fix

def _outcome_on_an_earlier_page(path: Path) -> Path:
    return write_notebook(path, "# Page 1\n\nLesson.", "## Outcome: Spot the signs", ASSESSMENT, pooled_question(1, 1))


def _question_before_the_first_outcome(path: Path) -> Path:
    return write_notebook(path, ASSESSMENT, pooled_question(1, 1), "## Outcome: Spot the signs", pooled_question(2, 1))


def _duplicate_outcome(path: Path) -> Path:
    return write_notebook(path, ASSESSMENT, "## Outcome: Spot the signs", pooled_question(1, 1),
                          "## Outcome: Share a concern", pooled_question(2, 1), "## Outcome: Spot the signs", pooled_question(3, 1))


@pytest.mark.parametrize(("write", "expected"), [
    (lambda path: write_pooled_notebook(path, outcomes=2, per_outcome=3, questions=8),
     "cell 1: the assessment asks 8 questions but the pool has only 6 scored questions — add 2 more '### Question' cells, or lower 'questions' under 'assessment'"),
    (lambda path: write_pooled_notebook(path, outcomes=3, per_outcome=2, questions=2),
     "cell 1: the pool has 3 learning outcomes but an attempt asks only 2 questions — ask at least one question per outcome, or merge outcomes"),
    (_outcome_on_an_earlier_page,
     "cell 3: an '## Outcome:' heading is not on the assessment page — move it to the last page, above the scored questions it groups"),
    (_question_before_the_first_outcome,
     "cell 3: this scored question comes before the first '## Outcome:' heading — move it under an outcome heading, so every question tests an outcome"),
    (lambda path: write_notebook(path, ASSESSMENT, "## Outcome:", pooled_question(1, 1)),
     "cell 3: the outcome heading has no text — write what the learner can do, e.g. '## Outcome: Recognise the signs of radicalisation'"),
    (_duplicate_outcome,
     "cell 7: the outcome 'Spot the signs' is written twice — give each outcome heading different words, or put its questions under the first one"),
], ids=["pool too small", "more outcomes than questions", "outcome on an earlier page", "question before the first outcome",
        "empty outcome", "duplicate outcome"])
def test_is_each_pool_mistake_reported_with_its_cell_and_fix(tmp_path, write, expected):
    path = write(tmp_path / "m.ipynb")
    assert f"{path}:{expected}" in errors_for(path)


def test_is_an_empty_outcome_heading_the_only_error_its_questions_get(tmp_path):
    """The question under an empty heading does not come before the first heading: saying so would send the trainer the wrong way."""
    path = write_notebook(tmp_path / "m.ipynb", ASSESSMENT, "## Outcome:", pooled_question(1, 1), "## Outcome: Share a concern", pooled_question(2, 1))
    assert errors_for(path) == [f"{path}:cell 3: the outcome heading has no text — write what the learner can do, "
                                "e.g. '## Outcome: Recognise the signs of radicalisation'"]


def test_is_an_outcome_written_twice_reported_even_when_its_first_heading_has_no_questions_yet(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", ASSESSMENT, "## Outcome: Spot the signs", "## Outcome: Share a concern",
                          pooled_question(1, 1), "## Outcome: Spot the signs", pooled_question(2, 1))
    assert any(e.startswith(f"{path}:cell 6: the outcome 'Spot the signs' is written twice") for e in errors_for(path)), errors_for(path)


def test_is_a_question_sharing_a_cell_with_its_outcome_heading_an_error_not_lost_in_silence(tmp_path):
    """A trainer who types the first question under the heading in one cell would lose that question."""
    path = write_notebook(tmp_path / "m.ipynb", ASSESSMENT, "## Outcome: Spot the signs\n\n" + pooled_question(1, 1), pooled_question(1, 2))
    assert errors_for(path) == [f"{path}:cell 3: the outcome heading shares its cell with more text, which learners would never see "
                                "(a question there would be lost) — split the cell just after the heading (Ctrl+Shift+- in JupyterLab), "
                                "so the heading is alone in its cell"]


@pytest.mark.parametrize("heading", ["### Outcome: Spot the signs", "## Outcome - Spot the signs", "## outcome – Spot the signs",
                                     "# Assessment\n\nAnswer every question.\n\n## Outcome: Spot the signs"])
def test_is_an_outcome_heading_written_another_way_an_error_saying_how_to_write_it(tmp_path, heading):
    """Each would group nothing (its questions joining the outcome above) and show to learners as text."""
    cells = [heading] if heading.startswith("# Assessment") else [ASSESSMENT, heading]
    path = write_notebook(tmp_path / "m.ipynb", *cells, pooled_question(1, 1))
    cell = len(cells) + 1
    assert f"{path}:cell {cell}: this cell has a line that looks like an outcome heading but is not one — write '## Outcome: " \
           "<what the learner can do>' as the only line of a Markdown cell of its own" in errors_for(path)


def test_are_learning_outcomes_named_in_lesson_prose_left_alone(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Page\n\n## Outcomes of this module\n\nYou will learn to spot signs.", ASSESSMENT,
                          pooled_question(1, 1))
    assert errors_for(path) == []


def test_are_assessment_settings_without_scored_questions_reported_with_the_missing_assessment(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Page\n\nLesson.", settings=settings_cell(assessment={"questions": 3}))
    found = problems_for(path)
    assert f"{path}:cell 1: warning: assessment settings are given but the module has no scored questions — " \
           "add '### Question' cells on the last page, or remove the 'assessment' settings" in found
    assert any(p.startswith(f"{path}: the module has no assessment") for p in errors_for(path))


# Mistakes in the `assessment:` settings

@pytest.mark.parametrize(("assessment", "expected"), [
    ({"questions": "ten"}, "assessment questions 'ten' is not a whole number from 1 to 200 — write e.g. '  questions: 10'"),
    ({"questions": 0}, "assessment questions '0' is not a whole number from 1 to 200"),
    ({"questions": 201}, "assessment questions '201' is not a whole number from 1 to 200"),
    ({"questions": 2.5}, "assessment questions '2.5' is not a whole number from 1 to 200"),
    ({"questions": True}, "assessment questions 'True' is not a whole number from 1 to 200"),
    ({"wait_minutes": 0}, "assessment wait_minutes '0' is not a whole number from 1 to 10080 — write e.g. '  wait_minutes: 60'"),
    ({"failed_attempts": 51}, "assessment failed_attempts '51' is not a whole number from 1 to 50 — write e.g. '  failed_attempts: 3'"),
    ({"failed_attempts_hours": "a day"},
     "assessment failed_attempts_hours 'a day' is not a whole number from 1 to 720 — write e.g. '  failed_attempts_hours: 24'"),
    ({"after_fail": "retry"}, "assessment after_fail 'retry' is not one of ours — use one of: review, wait"),
    ({"show_after_fail": "marks"}, "assessment show_after_fail 'marks' is not one of ours — use one of: outcomes, answers"),
    (10, "assessment must be a group of settings, each on its own indented line — write the assessment settings as in "
         "docs/authoring.md, section 'Question pools and retries'"),
    (["questions: 10"], "assessment must be a group of settings, each on its own indented line"),
])
def test_is_a_bad_assessment_setting_an_error_in_the_settings_cell(tmp_path, assessment, expected):
    path = write_notebook(tmp_path / "m.ipynb", ASSESSMENT, pooled_question(1, 1), settings=settings_cell(assessment=assessment))
    assert any(e.startswith(f"{path}:cell 1: {expected}") for e in errors_for(path)), errors_for(path)


@pytest.mark.parametrize(("assessment", "expected"), [
    ({"question": 1}, "unknown assessment setting 'question' — did you mean 'questions'?"),
    ({"failed_atempts": 3}, "unknown assessment setting 'failed_atempts' — did you mean 'failed_attempts'?"),
    ({"colour": "red"}, "unknown assessment setting 'colour' — use one of: questions, after_fail"),
    ({"after_fail": "reveiw"}, "assessment after_fail 'reveiw' is not one of ours — did you mean 'review'?"),
])
def test_is_a_misspelt_assessment_setting_an_error_that_guesses_the_word_meant(tmp_path, assessment, expected):
    """A misspelt name would silently switch the pool off: every attempt would ask every question."""
    path = write_notebook(tmp_path / "m.ipynb", ASSESSMENT, pooled_question(1, 1), pooled_question(1, 2),
                          settings=settings_cell(assessment=assessment))
    assert any(e.startswith(f"{path}:cell 1: {expected}") for e in errors_for(path)), errors_for(path)


def test_are_assessment_settings_typed_without_their_indent_an_error_saying_to_indent_them(tmp_path):
    settings = settings_cell().replace("---\n", "---\nassessment:\nquestions: 1\nafter_fail: wait\n", 1)
    path = write_notebook(tmp_path / "m.ipynb", ASSESSMENT, pooled_question(1, 1), pooled_question(1, 2), settings=settings)
    assert f"{path}:cell 1: 'questions' is an assessment setting but is not under 'assessment:' — write 'assessment:' on its own " \
           "line, then '  questions: ...' under it, indented by two spaces" in errors_for(path)
    assert any("'after_fail' is an assessment setting" in e for e in errors_for(path))


def test_is_a_misspelt_module_setting_given_the_word_meant(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", ASSESSMENT, pooled_question(1, 1), settings=settings_cell(pass_mrk=70))
    # an error since issue 13: the misspelt setting would leave the default pass mark in what is published
    assert f"{path}:cell 1: unknown setting 'pass_mrk' on line 14: it would be ignored, so the module would get the default " \
           "pass_mark, 80 — did you mean 'pass_mark'? Write it exactly so: 'pass_mark: 70'" in problems_for(path)


def test_are_settings_in_a_markdown_cell_an_error_that_says_to_make_it_raw_and_still_read(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Assessment\n\nYou need 70% to pass.", pooled_question(1, 1),
                          settings=settings_cell(pass_mark=70), raw_first=False)
    assert errors_for(path) == [f"{path}:cell 1: cell 1 holds the settings but is a Markdown cell — select it and change its "
                                "type to Raw (press Esc, then R, in JupyterLab)"]
    assert load(path).settings.pass_mark == 70


def test_are_stated_numbers_not_compared_with_settings_that_could_not_be_read(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Assessment\n\nYou need 75% to pass.", pooled_question(1, 1),
                          settings="---\npass_mark: 75\n  bad: [indent\n---")
    assert not [p for p in problems_for(path) if "to pass but pass_mark is" in p]


# How an attempt's questions are spread over the outcomes

@pytest.mark.parametrize(("pool", "asked", "expected"), [
    ({"A": 4, "B": 4, "C": 4}, 6, {"A": 2, "B": 2, "C": 2}),
    ({"A": 1, "B": 9}, 5, {"A": 1, "B": 4}),  # a small outcome still gets its one question
    ({"A": 2, "B": 4, "C": 6}, 6, {"A": 1, "B": 2, "C": 3}),
    ({"A": 2, "B": 2, "C": 2}, 4, {"A": 2, "B": 1, "C": 1}),  # on a tie the earlier outcome gets the odd question
    ({"A": 3, "B": 3}, 20, {"A": 3, "B": 3}),  # never more than the pool holds
    ({"": 5}, 3, {"": 3}),  # a module without outcome headings
])
def test_does_allocate_give_the_expected_split(pool, asked, expected):
    assert allocate(pool, asked) == expected


@given(st.lists(st.integers(min_value=1, max_value=15), min_size=1, max_size=6).flatmap(
    lambda sizes: st.tuples(st.just(sizes), st.integers(min_value=len(sizes), max_value=sum(sizes)))))
def test_does_allocate_ask_each_outcome_at_least_once_and_no_more_than_it_holds(case):
    sizes, asked = case
    pool = {f"outcome {n}": size for n, size in enumerate(sizes)}
    counts = allocate(pool, asked)
    assert list(counts) == list(pool)
    assert sum(counts.values()) == asked
    assert all(1 <= counts[o] <= pool[o] for o in pool)
    assert allocate(dict(pool), asked) == counts  # the same split on every call, so on every server


# Feedback after a fail is shown without marks, so it must explain, not judge

def _scored(feedback: str, kind: str = "Question") -> str:
    return (f"### {kind}\n\nWhat does WRAP stand for? ({kind})\n\n"
            f"- [x] Workshop to Raise Awareness of Prevent\n  > WRAP is the Home Office's Prevent awareness workshop.\n"
            f"- [ ] Working to Reduce Anti-social Problems\n  > {feedback}\n")


@pytest.mark.parametrize(("feedback", "verdict"), [
    ("No. WRAP is about Prevent.", "No"),
    ("Right. WRAP is a workshop.", "Right"),
    ("Correct! It is a workshop.", "Correct"),
    ("Yes, it is a workshop.", "Yes"),
    ("Wrong: it is a workshop.", "Wrong"),
    ("Incorrect. It is a workshop.", "Incorrect"),
    ("Not quite. It is a workshop.", "Not quite"),
    ("That's right. It is a workshop.", "That's right"),
    ("That is wrong — it is a workshop.", "That is wrong"),
    ("**No.** WRAP is about Prevent.", "No"),
    ("No", "No"),
])
def test_does_feedback_that_opens_with_a_verdict_get_a_warning_naming_the_option(tmp_path, feedback, verdict):
    path = write_notebook(tmp_path / "m.ipynb", ASSESSMENT, _scored(feedback))
    assert problems_for(path) == [
        f"{path}:cell 3: warning: the feedback on option 2 opens with a verdict, '{verdict}' — start with the reason instead: "
        "after a failed attempt learners see this feedback without marks, and a verdict would tell them which answers were right"]


@pytest.mark.parametrize("feedback", [
    "WRAP is about Prevent, not anti-social behaviour.",
    "Nobody uses that name; WRAP is about Prevent.",
    "No one calls it that; WRAP is about Prevent.",
    "Right to Ask is part of Clare's Law, not Prevent.",
    "Correctly named, WRAP would mention Prevent.",
])
def test_is_feedback_that_explains_left_alone(tmp_path, feedback):
    path = write_notebook(tmp_path / "m.ipynb", ASSESSMENT, _scored(feedback))
    assert problems_for(path) == []


def test_may_a_knowledge_check_keep_its_verdicts(tmp_path):
    """Knowledge-check feedback is shown with the right answer, so a verdict gives nothing away."""
    path = write_notebook(tmp_path / "m.ipynb", "# Page\n\nLesson.", _scored("No. WRAP is about Prevent.", "Knowledge check"),
                          ASSESSMENT, _scored("WRAP is about Prevent."))
    assert problems_for(path) == []


@pytest.mark.parametrize(("feedback", "named"), [
    ("It stands for Workshop to Raise Awareness of Prevent.", "workshop to raise awareness of prevent"),
    ("WRAP is the WORKSHOP to raise awareness of Prevent!", "workshop to raise awareness of prevent"),
])
def test_does_feedback_on_a_wrong_option_that_names_the_right_answer_get_a_warning(tmp_path, feedback, named):
    """After a fail the learner sees it beside the answer they chose: it would hand them the key for next time."""
    path = write_notebook(tmp_path / "m.ipynb", ASSESSMENT, _scored(feedback))
    assert problems_for(path) == [
        f"{path}:cell 3: warning: the feedback on wrong option 2 names the right answer, '{named}' — say what is wrong with this "
        "choice without naming the right one: after a failed attempt learners see this feedback, and it would hand them the answer for next time"]


def test_does_true_or_false_feedback_that_states_the_answer_get_a_warning(tmp_path):
    question = ("### Question (true or false)\n\nOnly the victim's view decides whether it is a hate crime.\n\n"
                "- [ ] True\n  > The law looks at how anyone saw it.\n- [x] False\n  > Anyone's perception counts.\n")
    wrong = question.replace("> The law looks at how anyone saw it.", "> That statement is false: anyone's view counts.")
    assert problems_for(write_notebook(tmp_path / "a.ipynb", ASSESSMENT, question)) == []
    assert [p for p in problems_for(write_notebook(tmp_path / "b.ipynb", ASSESSMENT, wrong)) if "names the right answer, 'false'" in p]

