"""GIFT question banks: every course survives export and import, Moodle's own GIFT reads in, and what our
format cannot hold is reported by line with a fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, given
from hypothesis import strategies as st

from authoring import check, load
from authoring.cli import main
from authoring.gift import escape, export_gift, unescape
from authoring.gift_import import category_outcome, import_gift, parse_gift
from authoring.kinds import BY_NAME
from authoring.structure import ANY_QUESTION_HEADING, OPTION_LIKE, PAGE_HEADING_LINE
from tests.builders import settings_cell, write_notebook
from tests.conftest import ROOT

COURSES = sorted((ROOT / "courses").glob("*.ipynb"))
TODAY = dt.date(2026, 1, 5)


def summary(module) -> list[tuple]:
    """What must survive a round trip: every question's id, kind, scoring, outcome, text and options with key and feedback."""
    return [(q.id, q.kind.name, q.scored, q.outcome, q.case_study, q.stem, [(o.id, o.text, o.correct, o.feedback) for o in q.options])
            for q in module.questions]


@pytest.mark.parametrize("course", COURSES, ids=lambda p: p.stem)
def test_does_every_course_round_trip_through_gift(course: Path, tmp_path: Path):
    original = load(course)
    gift = tmp_path / "bank.gift"
    gift.write_text(export_gift(original), encoding="utf-8")
    result = import_gift(gift, tmp_path / "bank.ipynb", today=TODAY)
    assert result.errors == []
    imported = load(tmp_path / "bank.ipynb", TODAY)
    assert [p for p in imported.problems if p.is_error and not _starter(p)] == []
    assert sorted(summary(imported)) == sorted(summary(original))
    assert len(original.questions) >= 10


def _starter(problem) -> bool:
    """The owner the importer writes is a starting value that check refuses until the trainer writes theirs (issue 13)."""
    return "is still the starter's" in problem.message or "is not chosen yet" in problem.message


def test_does_an_imported_bank_pass_check_and_keep_scored_questions_last(tmp_path: Path):
    gift = tmp_path / "moodle.gift"
    gift.write_text(MOODLE_BANK, encoding="utf-8")
    result = CliRunner().invoke(main, ["import-gift", str(gift), "--out", str(tmp_path / "bank.ipynb")])
    assert result.exit_code == 0, result.output
    assert "3 question(s) written" in result.output
    assert [p for p in check([tmp_path / "bank.ipynb"]) if p.is_error and not _starter(p)] == []


MOODLE_BANK = """// A bank exported by Moodle, with no Safer Learning comments
$CATEGORY: $course$/Safeguarding

::Q1 Who to tell::Who should you tell first about a concern? {
  =Your safeguarding lead#Right. They know the local routes.
  ~Nobody#No. Concerns must be shared.
}

::Q2 Routes::Which are ways to report hate crime? {
  ~%50%Call 999 in an emergency#Right.
  ~%50%Report online#Right.
  ~%-100%Post about it on social media#No. That is not a report.
}

::Q3::A hate incident is always a crime.{FALSE#No. Some incidents are not crimes.#Right. They can be recorded anyway.}
"""


def test_does_moodles_own_gift_read_in_with_names_as_ids_and_kinds_from_the_answers():
    result = parse_gift(MOODLE_BANK, "moodle.gift")
    assert result.problems == []
    one, several, true_false = result.questions
    assert (one.name, one.kind_words, one.options[0]) == ("q1-who-to-tell", "", ("Your safeguarding lead", True, "Right. They know the local routes."))
    assert (several.kind_words, [o[1] for o in several.options]) == (BY_NAME["multiple"].words, [True, True, False])
    assert true_false.kind_words == BY_NAME["true_false"].words
    assert {q.outcome for q in result.questions} == {"Safeguarding"}  # the category becomes the learning outcome
    assert true_false.options == [("True", False, "No. Some incidents are not crimes."), ("False", True, "Right. They can be recorded anyway.")]


@pytest.mark.parametrize(("gift", "line", "message", "fix"), [
    ("::N::How many days are in a week? {#7}", 1, "numeric questions are not supported", "turn it into a choice"),
    ("Match the service to its number {=Police -> 999 =Non-emergency -> 101}", 1, "matching questions are not supported", "one multiple-choice question"),
    ("Name the duty placed on councils. {=Prevent =the Prevent duty}", 1, "short answer questions are not supported", "add wrong options"),
    ("Describe your local reporting route. {}", 1, "essay questions are not supported", "give the question options"),
    ("The {=Prevent ~Protect} duty applies to councils.", 1, "missing-word question", "answers after the question text"),
    ("Which are right? {~%60%One ~%40%Two ~Three}", 1, "partial credit", "equal share"),
    ("Which is right? {=%50%One ~Two}", 1, "partial credit", "mark each option right (=) or wrong (~)"),
    ("Which is right? {=One =Two ~Three}", 1, "more than one option is marked fully right", "keep one '='"),
    ("Which is right? {~One ~Two}", 1, "no option is marked right", "mark the right option with ="),
    ("// intro\n\nJust some text with no answers.", 3, "no answers in { }", "Markdown cell"),
    ("Which? {=One ~Two ####General feedback}", 1, "general feedback (####) is not supported", "feedback of the options"),
    ("::Q1::[latex]Which? {=One ~Two}", 1, "[latex] is not one GIFT knows", "[markdown]"),
])
def test_is_each_unsupported_gift_feature_reported_with_its_line_and_a_fix(gift, line, message, fix, tmp_path: Path):
    path = tmp_path / "bank.gift"
    path.write_text("// heading comment\n\n::Fine::Which is fine? {=This ~That}\n\n" + gift + "\n", encoding="utf-8")
    result = import_gift(path, tmp_path / "bank.ipynb")
    (problem,) = result.errors
    text = str(problem)
    assert text.startswith(f"{path}:line {line + 4}: ") and message in text and " — " in text and fix in text.split(" — ", 1)[1]
    assert [q.name for q in result.questions] == ["fine"]  # the good question is read, the bad one reported
    assert not (tmp_path / "bank.ipynb").exists()  # nothing is written while a problem stands


def test_does_the_command_line_refuse_a_bank_with_problems_and_say_where(tmp_path: Path):
    path = tmp_path / "bank.gift"
    path.write_text("Which number? {#7}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import-gift", str(path), "--out", str(tmp_path / "out.ipynb")])
    assert result.exit_code == 1 and f"{path}:line 1: numeric questions are not supported" in result.output
    assert "no notebook was written" in result.output


def test_does_import_refuse_to_overwrite_a_notebook(tmp_path: Path):
    (tmp_path / "out.ipynb").write_text("{}", encoding="utf-8")
    path = tmp_path / "bank.gift"
    path.write_text("Which? {=One ~Two}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import-gift", str(path), "--out", str(tmp_path / "out.ipynb")])
    assert result.exit_code == 1 and "already exists" in result.output
    assert (tmp_path / "out.ipynb").read_text(encoding="utf-8") == "{}"


def test_is_an_empty_file_reported(tmp_path: Path):
    path = tmp_path / "empty.gift"
    path.write_text("// only a comment\n", encoding="utf-8")
    assert "the file holds no questions" in str(import_gift(path, tmp_path / "x.ipynb").errors[0])


def test_does_export_gift_print_or_write_the_bank(tmp_path: Path):
    course = ROOT / "courses" / "hate-crime.ipynb"
    printed = CliRunner().invoke(main, ["export-gift", str(course)])
    assert printed.exit_code == 0 and "::kc-nchi-code::[markdown]" in printed.output
    written = CliRunner().invoke(main, ["export-gift", str(course), "--out", str(tmp_path / "bank.gift")])
    assert written.exit_code == 0
    assert (tmp_path / "bank.gift").read_text(encoding="utf-8") == export_gift(load(course))


def test_are_multiple_answer_questions_exported_with_equal_shares_moodle_accepts(tmp_path: Path):
    text = export_gift(load(ROOT / "courses" / "hate-crime.ipynb"))
    shares = {line.split("%")[1] for line in text.splitlines() if line.startswith("\t~%") and not line.startswith("\t~%-100%")}
    assert shares and shares <= {"100", "50", "33.33333", "25", "20", "16.66667"}


TEXT = st.text(alphabet=st.sampled_from(list("ab ~=#{}:\\n\nÅ-–'\"[]%>")), max_size=40)


@given(TEXT)
def test_does_escaping_undo_exactly(text: str):
    assert unescape(escape(text)) == text
    assert "\n" not in escape(text)


WORDS = st.text(alphabet=st.sampled_from(list("ab ~=#{}:\\Å-'\"[]%>")), max_size=30).map(lambda text: " ".join(text.split()))


@given(stem=WORDS.filter(bool), right=WORDS.filter(bool), wrong=WORDS.filter(bool), feedback=WORDS)
def test_do_special_characters_in_any_part_of_a_question_survive_gift(stem: str, right: str, wrong: str, feedback: str):
    assume(right != wrong)
    assume(not any(p.match(stem) for p in (OPTION_LIKE, PAGE_HEADING_LINE, ANY_QUESTION_HEADING)))  # no notebook stem: reported
    gift = f"::q::[markdown]{escape(stem)} {{\n\t={escape(right)}#{escape(feedback)}\n\t~{escape(wrong)}#{escape(feedback)}\n}}\n"
    result = parse_gift(gift)
    assert result.problems == []
    (question,) = result.questions
    assert question.text == stem.strip()
    assert question.options == [(right, True, feedback), (wrong, False, feedback)]


POOLED_CELLS = (
    "# Lesson\n\nRead this.",
    "### Knowledge check {#kc}\n\nIs this a check?\n\n- [x] Yes\n  > Right.\n- [ ] No\n  > It is.\n",
    "# Assessment\n\nAnswer every question.",
    "## Outcome: Spot the signs",
    "### Question {#spot-1}\n\nWhich is a sign?\n\n- [x] This\n  > Yes.\n- [ ] That\n  > No.\n",
    "### Question (true or false) {#spot-2}\n\nSigns can be subtle.\n\n- [x] True\n  > Yes.\n- [ ] False\n  > No.\n",
    "## Outcome: Report it to the lead / the hub",
    "### Question (multiple answers) {#report-1}\n\nWho do you tell?\n\n- [x] Lead\n  > Yes.\n- [x] Hub\n  > Yes.\n- [ ] Nobody\n  > No.\n",
)


def test_do_learning_outcomes_travel_as_gift_categories_and_come_back(tmp_path: Path):
    notebook = write_notebook(tmp_path / "pooled.ipynb", *POOLED_CELLS, settings=settings_cell(assessment={"questions": 2}))
    original = load(notebook, TODAY)
    assert original.ok, original.problems
    text = export_gift(original)
    categories = [line for line in text.splitlines() if line.startswith("$CATEGORY:")]
    assert categories == ["$CATEGORY: $course$/tiny-module/Spot the signs", "$CATEGORY: $course$/tiny-module/Report it to the lead // the hub"]
    assert text.index(categories[0]) < text.index("::spot-1::") and text.index(categories[1]) < text.index("::report-1::")
    assert text.index("::kc::") < text.index(categories[0])  # knowledge checks are filed under no outcome
    gift = tmp_path / "bank.gift"
    gift.write_text(text, encoding="utf-8")
    result = import_gift(gift, tmp_path / "bank.ipynb", today=TODAY)
    assert result.errors == []
    imported = load(tmp_path / "bank.ipynb", TODAY)
    assert [p for p in imported.problems if p.is_error and not _starter(p)] == []
    assert summary(imported) == summary(original)
    assert [q.outcome for q in imported.questions] == ["", "Spot the signs", "Spot the signs", "Report it to the lead / the hub"]


def test_does_a_module_without_outcomes_export_no_categories():
    assert "$CATEGORY" not in export_gift(load(ROOT / "tests" / "data" / "tiny-module" / "tiny-module.ipynb"))


@pytest.mark.parametrize(("path", "outcome"), [
    (" $course$/Safeguarding", "Safeguarding"),
    ("$course$/top/Prevent/Spot the   signs ", "Spot the signs"),
    ("$course$/top", ""),
    ("$system$/", ""),
    ("$module$/Either // or", "Either / or"),
])
def test_is_the_outcome_the_last_part_of_the_category_path(path: str, outcome: str):
    assert category_outcome(path) == outcome


def test_are_categories_regrouped_so_each_outcome_is_written_once(tmp_path: Path):
    gift = tmp_path / "bank.gift"
    gift.write_text("$CATEGORY: $course$/A\n\nOne? {=Yes ~No}\n\n$CATEGORY: $course$/B\n\nTwo? {=Yes ~No}\n\n"
                    "$CATEGORY: $course$/A\n\nThree? {=Yes ~No}\n", encoding="utf-8")
    assert import_gift(gift, tmp_path / "bank.ipynb", today=TODAY).errors == []
    imported = load(tmp_path / "bank.ipynb", TODAY)
    assert [p for p in imported.problems if p.is_error and not _starter(p)] == []
    assert [(q.stem, q.outcome) for q in imported.questions] == [("One?", "A"), ("Three?", "A"), ("Two?", "B")]


def test_is_a_question_left_outside_every_category_reported(tmp_path: Path):
    result = parse_gift("First? {=Yes ~No}\n\n$CATEGORY: $course$/A\n\nSecond? {=Yes ~No}\n", "bank.gift")
    (problem,) = result.errors
    assert str(problem).startswith("bank.gift:line 1: this question has no $CATEGORY but others do") and "$CATEGORY: $course$/" in str(problem)
