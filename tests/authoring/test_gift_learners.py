"""What learners see of an imported GIFT bank: the built module shows the question as Moodle shows it, never a
tutor's hidden note, a stray backslash or an answer key the bank did not have. Each case goes from a GIFT file
through `authoring import-gift` and `authoring build` to the HTML in the built module."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import pytest
import yaml

from authoring import build
from authoring.gift_import import import_gift, parse_gift
from tests.builders import SETTINGS

TODAY = dt.date(2026, 1, 5)


def import_and_build(tmp_path: Path, gift_text: str) -> list[dict]:
    """Import a bank, write the trainer's own settings in place of the starting ones, build it; the built questions."""
    gift = tmp_path / "bank.gift"
    gift.write_text(gift_text, encoding="utf-8")
    notebook = tmp_path / "bank.ipynb"
    assert import_gift(gift, notebook, today=TODAY).errors == []
    nb = nbformat.read(str(notebook), as_version=4)
    settings = yaml.safe_load(nb.cells[0].source.strip("-\n"))
    settings.update({k: SETTINGS[k] for k in ("priority_area", "owner", "guidance", "review_by")})
    nb.cells[0].source = "---\n" + yaml.safe_dump(settings, sort_keys=False) + "---"
    nbformat.write(nb, str(notebook))
    report = build([notebook], tmp_path / "out", today=TODAY)
    assert [str(p) for p in report.problems if p.is_error] == []
    manifest = json.loads((report.built[0] / "manifest.json").read_text(encoding="utf-8"))
    return manifest["questions"]


def shown(question: dict) -> str:
    """Everything a learner's page holds for a question: its text and every option."""
    return question["stem"] + " | " + " | ".join(o["html"] for o in question["options"])


def test_is_a_tutors_html_comment_in_moodle_text_never_shown_to_learners(tmp_path: Path):
    (question,) = import_and_build(tmp_path, '::q::Which is right? <!-- tutor note: the answer is "report it" -->'
                                              "{=Report it ~Ignore it}\n")
    assert question["stem"] == "Which is right?" and "tutor note" not in shown(question)


def test_is_an_html_comment_in_the_answers_reported_as_a_comment_not_as_matching():
    result = parse_gift("::q::Which is right?{=Report it ~Ignore it <!-- never this -->}\n", "bank.gift")
    (problem,) = result.errors
    assert "HTML comment" in problem.message and "take the comment out" in problem.fix


@pytest.mark.parametrize("hidden", [
    '<span style="display:none">Answer: report it</span>',
    '<span style="color: red; visibility : hidden">Answer: report it</span>',
    "<span hidden>Answer: report it</span>",
    '<span aria-hidden="true">Answer: report it</span>',
    '<span class="accesshide">Answer: report it</span>',
    '<span class="text d-none">Answer: report it</span>',
    '<span style="font-size: 0px">Answer: report it</span>',
])
def test_is_text_the_html_hides_reported_because_learners_would_see_it(hidden: str):
    result = parse_gift(f"::q::[html]<p>Which is right? {hidden}</p>{{=Report it ~Ignore it}}\n", "bank.gift")
    (problem,) = result.errors
    assert problem.path == "bank.gift:line 1" and "hides" in problem.message and "Answer: report it" in problem.message
    assert "delete" in problem.fix and result.questions == []


def test_is_hidden_text_in_an_option_or_feedback_reported_too():
    result = parse_gift('::q::[html]Which?{=Yes#<b style\\="display\\: none">x</b> ~No}\n', "bank.gift")
    assert [p.message.split(",")[0] for p in result.errors] == ["the feedback of option 1 hides text from view with style or hidden ('x')"]


@pytest.mark.parametrize("stem", [
    "[html]<p>Under the <strong>Care Act 2014</strong>, who is an “adult at risk”?<br></p>",
    "[html]<p>Under the <strong>Care Act 2014</strong>, who is an “adult at risk”?<br/>\n</p>",
    "[html]Under the <strong>Care Act 2014</strong>, who is an “adult at risk”?<br>",
    "[html]<p>Under the <strong>Care Act 2014</strong>, who is an “adult at risk”?<br><br></p>",
    "Under the <strong>Care Act 2014</strong>, who is an “adult at risk”?<br>",
    "[html]<p><br>Under the <strong>Care Act 2014</strong>, who is an “adult at risk”?</p>",
    "[html]Under the <strong>Care Act 2014</strong>, who is an “adult at risk”?<br><br><p></p>",
])
def test_does_a_line_break_at_the_end_or_start_of_the_text_leave_no_backslash_for_learners(stem: str, tmp_path: Path):
    (question,) = import_and_build(tmp_path, f"::q::{stem}{{=Anyone over 18 with care needs<br>#Right.<br> ~Anyone<br></p>}}\n")
    assert question["stem"] == "Under the <strong>Care Act 2014</strong>, who is an “adult at risk”?"
    assert sorted(o["html"] for o in question["options"]) == ["Anyone", "Anyone over 18 with care needs"]


@pytest.mark.parametrize("line", ["- [x] new friends online", "* [ ] new friends online", "1. [x] new friends online",
                                  "### Question", "# Spotting the signs"])
def test_can_markdown_question_text_not_change_the_answer_key_or_the_pages(line: str):
    gift = f"::q::[markdown]Which of these is a warning sign?\n{line}\n{{=Secrecy ~Homework}}\n"
    result = parse_gift(gift, "bank.gift")
    (problem,) = result.errors
    assert problem.path == "bank.gift:line 2" and f"'{line}'" in problem.message and "\\" in problem.fix
    assert result.questions == []


@pytest.mark.parametrize("fmt", ["", "[moodle]", "[plain]", "[html]"])
def test_do_option_lines_in_other_formats_stay_words_learners_read(fmt: str, tmp_path: Path):
    (question,) = import_and_build(tmp_path, f"::q::{fmt}Which of these is a warning sign?\n- [x] new friends online\n{{=Secrecy ~Homework}}\n")
    assert len(question["options"]) == 2
    assert "[x] new friends online" in question["stem"]


@pytest.mark.parametrize(("text", "href"), [
    ("See https\\://www.example.gov.uk/prevent_duty for details.", "https://www.example.gov.uk/prevent_duty"),
    ("See https\\://www.example.gov.uk/a*b*c for details.", "https://www.example.gov.uk/a*b*c"),
    ("[plain]See <https\\://www.gov.uk/prevent_duty>.", "https://www.gov.uk/prevent_duty"),
    ("[html]<p>See https\\://www.example.gov.uk/prevent_duty for details.</p>", "https://www.example.gov.uk/prevent_duty"),
])
def test_does_a_web_address_in_the_text_reach_learners_as_written(text: str, href: str, tmp_path: Path):
    (question,) = import_and_build(tmp_path, f"::q::{text} Who leads?{{=The lead ~Nobody}}\n")
    assert f'href="{href}"' in question["stem"] and f">{href}</a>" in question["stem"]
    assert "\\" not in question["stem"] and "%5C" not in question["stem"]


@pytest.mark.parametrize("fmt", ["", "[plain]", "[moodle]", "[html]"])
def test_is_a_placeholder_in_text_moodle_shows_as_typed_reported(fmt: str):
    result = parse_gift(f"::q::{fmt}What does \\{{\\{{pass_mark\\}}\\}} mean?{{=The pass mark ~Nothing}}\n", "bank.gift")
    (problem,) = result.errors
    assert "'{{'" in problem.message and "placeholder" in problem.message and "[markdown]" in problem.fix


def test_does_a_placeholder_in_markdown_text_stay_a_placeholder(tmp_path: Path):
    (question,) = import_and_build(tmp_path, "::q::[markdown]You need \\{\\{pass_mark\\}\\}% to pass. True?{T}\n")
    assert question["stem"] == "You need 80% to pass. True?"


@pytest.mark.parametrize("gift", [
    "::q::[HTML]<p>Which?</p>{=Yes ~No}", "::q::[html ]Which?{=Yes ~No}", "::q::[ html]Which?{=Yes ~No}",
    "::q::Which?{=[latex]a ~b}", "::q::Which?{=a#[latex]x ~b}", "::q::Which?{=[Markdown]*a* ~b}", "::q::Is it?{T#[HTML]no#yes}",
])
def test_is_a_format_tag_moodle_would_show_to_learners_reported(gift: str):
    result = parse_gift(gift + "\n", "bank.gift")
    (problem,) = result.errors
    assert "is not one GIFT knows" in problem.message and "lower case" in problem.fix


def test_is_an_option_starting_with_words_in_brackets_kept(tmp_path: Path):
    (question,) = import_and_build(tmp_path, "::q::Who do you call?{=[Name] of the lead ~Nobody}\n")
    assert sorted(o["html"] for o in question["options"]) == ["Nobody", "[Name] of the lead"]


@pytest.mark.parametrize("gift", [
    "::q::[html]" + "<b>" * 400 + "x" + "</b>" * 400 + "{=Yes ~No}",
    "::q::[html]Which?" + "<span>" * 600 + "x" + "</span>" * 600 + "{=Yes ~No}",
    "::q::[moodle]Which?" + "<i>" * 3000 + "x{=Yes ~No}",
    "::q::Which?{=" + "<i>" * 3000 + "x ~No}",
])
def test_is_html_nested_too_deeply_reported_not_a_crash(gift: str):
    result = parse_gift(gift + "\n", "bank.gift")
    (problem,) = result.errors
    assert problem.path == "bank.gift:line 1" and "nested" in problem.message and "take out the repeated tags" in problem.fix


@pytest.mark.parametrize(("gift", "message"), [
    ('[markdown]Which? <span style\\="display\\:none">Answer: report it</span>', "hides text from view"),
    ("[markdown]Which? <span hidden>Answer: report it</span>", "hides text from view"),
    ("[markdown]Which? <details><summary>Hint</summary>Answer: report it</details>", "with <details>"),
    ("[plain]Which? <!-- Answer: report it -->", "HTML comment"),
])
def test_is_html_in_markdown_or_a_comment_in_plain_text_that_learners_would_see_reported(gift: str, message: str):
    result = parse_gift(f"::q::{gift}{{=Report it ~Ignore it}}\n", "bank.gift")
    (problem,) = result.errors
    assert message in problem.message and result.questions == []


def test_is_an_option_line_written_with_gifts_newline_escape_reported_at_the_files_own_line():
    result = parse_gift("// one\n\n::q::[markdown]Which is a sign?\\n- [x] new friends online\\nPick one.{=Secrecy ~Homework}\n", "bank.gift")
    (problem,) = result.errors
    assert problem.path == "bank.gift:line 3" and "'- [x] new friends online'" in problem.message
