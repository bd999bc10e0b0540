"""What an imported bank's notebook starts with: settings GIFT cannot carry are left for the trainer to choose
(and the import says which), and Moodle's own categories never become learning outcomes learners see."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from authoring import check, load
from authoring.cli import main
from authoring.gift_import import category_outcome, parse_gift

TODAY = dt.date(2026, 1, 5)
BANK = "::q1::Who do you tell? {=The lead#Right. ~Nobody#No.}\n"


def imported(tmp_path: Path, text: str) -> tuple[str, Path]:
    """Import a bank with the command a trainer runs; what it printed and the notebook."""
    gift, notebook = tmp_path / "bank.gift", tmp_path / "bank.ipynb"
    gift.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["import-gift", str(gift), "--out", str(notebook)])
    assert result.exit_code == 0, result.output
    return result.output, notebook


def test_must_the_trainer_choose_the_priority_area_of_an_imported_bank(tmp_path: Path):
    _output, notebook = imported(tmp_path, BANK)
    messages = [p.message for p in check([notebook]) if p.is_error]
    assert any(m.startswith("the priority area") and "is not chosen yet" in m for m in messages)
    assert load(notebook, TODAY).settings.priority_area == "TO DO"


def test_does_the_import_say_which_settings_gift_cannot_carry(tmp_path: Path):
    output, _notebook = imported(tmp_path, "// Module: Hate crime\n// Module id: hate-crime\n\n" + BANK)
    said = output.split("GIFT carries only the questions", 1)[1]
    for setting in ("priority_area", "content_note", "assessment", "pass_mark", "audience"):
        assert setting in said


@pytest.mark.parametrize("path", ["$course$/top/Default for Safeguarding Adults", "$course$/Default for SA1", "$module$/top/Default for Quiz 1"])
def test_is_moodles_automatic_default_category_not_an_outcome(path: str):
    assert category_outcome(path) == ""
    result = parse_gift(f"$CATEGORY: {path}\n\n{BANK}", "bank.gift")
    assert result.problems == [] and [q.outcome for q in result.questions] == [""]


def test_is_a_named_category_under_the_default_one_the_outcome():
    result = parse_gift("$CATEGORY: $course$/top\n\n$CATEGORY: $course$/top/Default for SA\n\n"
                        "$CATEGORY: $course$/top/Default for SA/Spot the signs\n\n" + BANK, "bank.gift")
    assert result.problems == [] and [q.outcome for q in result.questions] == ["Spot the signs"]


def test_does_a_question_left_in_moodles_default_category_say_where_it_is_filed():
    result = parse_gift("$CATEGORY: $course$/top/Default for SA\n\n" + BANK + "\n$CATEGORY: $course$/top/Default for SA/Spot the signs\n\n"
                        "::q2::Which is a sign? {=Secrecy ~Homework}\n", "bank.gift")
    (problem,) = result.errors
    assert problem.path == "bank.gift:line 3" and "'$course$/top/Default for SA'" in problem.message
    assert "no $CATEGORY" not in problem.message and "category named for its outcome" in problem.fix
