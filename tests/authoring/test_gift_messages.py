"""What the trainer is told when a GIFT bank has a mistake: the message names what is really wrong, at its line,
with the fix, and never a traceback or an answer key quietly different from the bank's."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from authoring import load
from authoring.gift_import import import_gift, parse_gift
from authoring.questions import QUESTION_ID
from tests.conftest import ROOT

TODAY = dt.date(2026, 1, 5)
FINE = "::Fine::Which is fine? {=This ~That}\n\n"


def the_error(gift: str) -> tuple[int, str, str]:
    """(line, message, fix) of the one error a bank after a fine question gives; the fine question is still read."""
    result = parse_gift(FINE + gift + "\n", "bank.gift")
    (problem,) = result.errors
    assert [q.name for q in result.questions] == ["fine"]
    return int(problem.path.rsplit(" ", 1)[1]) - 2, problem.message, problem.fix


@pytest.mark.parametrize(("gift", "message", "fix"), [
    ("Who to call? {=999 ~101}}", "this question has a } with no { before it", "\\}"),
    ("Who to call? {=999#see } here ~101}", "the answers end at the first }", "write \\}"),
    ("Who to call? {=999 ~101}\\", "a \\ after the answers", "delete it"),
    ("Pick one {#q2} then: who to call? {=999 ~101}", "two sets of { answers }", "write \\{ and \\}"),
    ("Who to call? {=999{=112 ~101} ~0}", "a second { inside this question's answers", "write \\{"),
    ("Who to call? {=Call 999 ~Wait = see ~Ask}", "more than one option is marked fully right", "write \\="),
    ("Who to call? {~=Call 999 ~Wait}", "option 1 is empty", "delete the extra ~ or ="),
    ("Who to call? {~%50% ~%50%Call 999 ~Wait}", "option 1 is empty", "delete the extra ~ or ="),
    ("Is it right? {=It&#39;s right ~It isn&#39;t}", "an unescaped # inside an HTML entity ('&#39;')", "&\\#39;"),
    ("Which apply? {~%50%One ~%50%Two}", "every option is marked right", "add a wrong option"),
    ("Who to call? {=999 ~101 <!-- x -->}", "the answers hold an HTML comment", "take the comment out"),
    ("Who to call?\x00 {=999 ~101}", "an invisible control character (U+0000)", "delete it"),
])
def test_does_a_mistake_in_the_answers_say_what_is_wrong_and_how_to_fix_it(gift: str, message: str, fix: str):
    line, said, how = the_error(gift)
    assert line == 1 and message in said and fix in how


def test_is_a_non_html_word_in_angle_brackets_shown_as_typed():
    (_fine, question) = parse_gift(FINE + "[moodle]Press <Enter> to continue. Then? {=Save ~Close}\n").questions
    assert question.text == "Press \\<Enter\\> to continue. Then?"


def test_when_every_question_fails_is_only_what_is_wrong_with_them_said(tmp_path: Path):
    gift = tmp_path / "bank.gift"
    gift.write_text("Which number? {#7}\n\nWhich word? {=only}\n", encoding="utf-8")
    messages = [p.message for p in import_gift(gift, tmp_path / "bank.ipynb").errors]
    assert messages == ["numeric questions are not supported", "short answer questions are not supported"]


@pytest.mark.parametrize(("encoding", "where"), [("cp1252", "line 2"), ("utf-16", "line 1")])
def test_is_a_file_not_saved_as_utf8_reported_with_where_and_how_to_save_it(encoding: str, where: str, tmp_path: Path):
    gift = tmp_path / "bank.gift"
    gift.write_bytes("::q1::Who? {=Lead ~Nobody}\n::q2::Who’s the lead? {=Sam ~Jo}\n".encode(encoding))
    (problem,) = import_gift(gift, tmp_path / "bank.ipynb").errors
    assert "is not UTF-8" in problem.message and where in problem.message and "UTF-8" in problem.fix and "Notepad" in problem.fix


def test_does_a_long_bank_get_an_estimated_time_check_accepts(tmp_path: Path):
    gift = tmp_path / "bank.gift"
    gift.write_text("".join(f"::q{n}::Question {n}? {{=Yes ~No}}\n\n" for n in range(300)), encoding="utf-8")
    assert import_gift(gift, tmp_path / "bank.ipynb", today=TODAY).errors == []
    module = load(tmp_path / "bank.ipynb", TODAY)
    assert module.settings.estimated_minutes == 240
    assert not [p for p in module.problems if "estimated_minutes" in p.message]


def test_are_ids_from_names_short_readable_and_renamings_said():
    result = parse_gift("::" + "Long name " * 500 + "::One? {=Yes ~No}\n\n::Über die Sicherheit::Two? {=Yes ~No}\n\n"
                        "::Who::Three? {=Yes ~No}\n\n::Who::Four? {=Yes ~No}\n", "bank.gift")
    ids = [q.name for q in result.questions]
    assert len(ids[0]) <= 64 and ids[0].startswith("long-name-long-name") and not ids[0].endswith("-")
    assert ids[1:] == ["uber-die-sicherheit", "who", "who-2"]
    (note,) = result.problems
    assert not note.is_error and note.path == "bank.gift:line 7" and "'Who'" in note.message and "who-2" in note.message
    long = "::" + "Long name " * 500 + "::"
    twins = [q.name for q in parse_gift(f"{long}One? {{=Yes ~No}}\n\n{long}Two? {{=Yes ~No}}\n").questions]
    assert twins[1].endswith("-2") and all(len(i) <= 64 and QUESTION_ID.match(i) for i in twins) and twins[0] != twins[1]


def test_does_python_dash_m_authoring_run_the_command_line():
    result = subprocess.run([sys.executable, "-m", "authoring", "--help"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0 and "import-gift" in result.stdout
