"""GIFT text formats, braces and the module title: each question's text, answer and feedback is read in its
own format tag (or the question's) as Moodle does, and becomes Markdown that shows learners what Moodle shows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from authoring import load
from authoring.gift_import import import_gift, parse_gift

TODAY = dt.date(2026, 1, 5)


def read_one(gift: str):
    result = parse_gift(gift, "bank.gift")
    assert result.problems == []
    (question,) = result.questions
    return question


@pytest.mark.parametrize(("gift", "text", "options"), [
    # answers and feedback without a tag take the question's format
    ("::q::[html]Which is <b>right</b>?{=<em>This</em>#<strong>Yes</strong>, this. ~That#No.}",
     "Which is **right**?", [("*This*", True, "**Yes**, this."), ("That", False, "No.")]),
    # an answer's or a feedback's own tag wins, after any weight; feedback takes the question's, not the answer's
    ("::q::[html]Which?{~%50%[plain]<b>as typed</b>#[markdown]**bold** ~%50%[markdown]*this*#<i>yes</i> ~%-100%[moodle]2 * 3#[plain]a_b}",
     "Which?", [("\\<b\\>as typed\\</b\\>", True, "**bold**"), ("*this*", True, "*yes*"), ("2 \\* 3", False, "a\\_b")]),
    # no tag is Moodle's auto-format: Markdown's own characters are shown as typed, line breaks kept
    ("Is 2*3 \\= 6?\nThink first.{=Yes#It is 6_exactly ~No}",
     "Is 2\\*3 \\= 6?\\\nThink first.", [("Yes", True, "It is 6\\_exactly"), ("No", False, "")]),
    # auto-format text holding HTML tags is shown as HTML by Moodle, so it is converted too
    ("[moodle]Is <b>this</b> right?{=Yes ~No}", "Is **this** right?", [("Yes", True, ""), ("No", False, "")]),
    ("Is R&amp;D one team?\nThink.{=Yes#R&amp;D is. ~No#a < b}", "Is R&D one team?\\\nThink.", [("Yes", True, "R&D is."), ("No", False, "a \\< b")]),
    # [plain] shows tags and entities as typed; [html] decodes entities
    ("[plain]Is <b>R&amp;D</b> a team?{=Yes ~No}", "Is \\<b\\>R\\&amp;D\\</b\\> a team?", [("Yes", True, ""), ("No", False, "")]),
    ("[html]<p>Is R&amp;D &lt;one&gt; team&rsquo;s?</p><p>Costs $5.</p>{=Yes ~No}",
     "Is R&D \\<one\\> team’s?\n\nCosts \\$5.", [("Yes", True, ""), ("No", False, "")]),
    # [markdown] is kept as it is
    ("[markdown]Is **this** `code`?{=[plain]*Yes* ~*No*}", "Is **this** `code`?", [("\\*Yes\\*", True, ""), ("*No*", False, "")]),
    # paragraphs and line breaks in an answer or its feedback join into the one line an option has
    ("[html]Which?{=<p>One</p><p>answer</p>#<p>Right.</p><p>Because.</p> ~Two<br>lines}",
     "Which?", [("One answer", True, "Right. Because."), ("Two lines", False, "")]),
])
def test_is_each_part_read_in_its_own_format_or_the_questions(gift: str, text: str, options: list):
    question = read_one(gift)
    assert (question.text, question.options) == (text, options)


def test_does_true_false_feedback_take_its_own_format():
    question = read_one("::tf::[plain]Is 1 < 2?{T#[html]<em>No</em>, it is.#*Yes*, it is.}")
    assert question.text == "Is 1 \\< 2?"
    assert question.options == [("True", True, "\\*Yes\\*, it is."), ("False", False, "*No*, it is.")]


def test_do_learners_see_what_moodle_shows_and_never_tags(tmp_path: Path):
    gift = tmp_path / "bank.gift"
    gift.write_text("::q::[html]<p>Which is <strong>right</strong>?</p>{\n\t=[plain]<b>as typed</b>#[html]<em>Yes</em>\n"
                    "\t~Not <i>this</i>#No &amp; never.\n}\n", encoding="utf-8")
    assert import_gift(gift, tmp_path / "bank.ipynb", today=TODAY).errors == []
    (rendered,) = load(tmp_path / "bank.ipynb", TODAY).rendered_questions.values()
    assert rendered["stem"] == "Which is <strong>right</strong>?"
    assert [o["html"] for o in rendered["options"]] == ["&lt;b&gt;as typed&lt;/b&gt;", "Not <em>this</em>"]
    assert sorted(rendered["feedback"].values()) == ["<em>Yes</em>", "No &amp; never."]


@pytest.mark.parametrize(("gift", "message", "fix"), [
    ("[html]Who is on call?<table><tr><td>Sam</td></tr></table>{=Sam ~Jo}", "the question text is [html] with <table>", "sentences or a list"),
    ("[html]<p>Which first?</p><ul><li>Safety</li><li>Notes</li></ul>{=Safety ~Notes}", "the question text is [html] with <ul>", "sentences"),
    ("[html]Which poster?{=<img src\\=\"https\\://example.org/p.png\"> ~The other}", "option 1 is [html] with <img>", "Markdown image with alt text"),
    ("[html]Which?{=Safety#<script>alert(1)</script>Right. ~Notes}", "the feedback of option 1 is [html] with <script>", "cannot run code"),
    ("Which?{=Safety ~[html]<iframe src\\=\"https\\://example.org\"></iframe>}", "option 2 is [html] with <iframe>", "link to the page"),
    ("[html]Which?{=<a href\\=\"javascript\\:go()\">Safety</a> ~Notes}", "option 1 has a link to 'javascript:go()'", "https://"),
    ("[html]True?{T#<ol><li>No</li></ol>#Yes}", "the feedback for the wrong answer is [html] with <ol>", "sentences"),
    ("[moodle]Which <u>one</u>?<br><video src\\=\"x\"></video>{=A ~B}", "the question text is [html] with <video>", "Markdown or plain words"),
])
def test_is_html_that_cannot_be_converted_reported_with_its_line_and_fix(gift: str, message: str, fix: str):
    result = parse_gift("::Fine::Which is fine? {=This ~That}\n\n// a comment\n" + gift + "\n", "bank.gift")
    (problem,) = result.errors
    where, what = str(problem).split(": ", 1)
    assert where == "bank.gift:line 4" and what.startswith(message) and fix in what.split(" — ", 1)[1]
    assert [q.name for q in result.questions] == ["fine"]


# --- braces ---------------------------------------------------------------------------------------------

NO_CLOSING = "the { that starts this question's answers has no closing }"


@pytest.mark.parametrize(("gift", "problems"), [
    ("// one\n\n::Q1::Which is right?\n{\n\t=This\n\t~That\n", [(3, NO_CLOSING)]),  # the file ends inside the answers
    ("::Q1::Which\nis right? {\n\t=This\n\t~That\n::Q2::Next? {=Yes ~No}\n", [(1, NO_CLOSING)]),  # runs into the next question
    ("::Q1::Which is right? {\n\t=This\n\n\t~That\n}\n", [(1, NO_CLOSING), (4, "this question has a } with no { before it")]),
    ("::Q1::Which is right? =This ~That}\n", [(1, "this question has a } with no { before it")]),
])
def test_is_an_unclosed_brace_reported_at_the_line_its_question_starts(gift: str, problems: list):
    result = parse_gift("::Fine::Which is fine? {=This ~That}\n\n" + gift, "bank.gift")
    assert [(int(p.path.rsplit(" ", 1)[1]) - 2, p.message) for p in result.errors] == problems
    assert all("blank line" in p.fix or "{" in p.fix for p in result.errors)
    assert result.questions[0].name == "fine"


def test_do_escaped_braces_in_the_text_not_count_as_answers():
    question = read_one("::q::Which of \\{ or \\} opens?\n{=\\{ ~\\}}\n")
    assert question.text == "Which of { or } opens?" and [o[0] for o in question.options] == ["{", "}"]


# --- the module title -----------------------------------------------------------------------------------

BANK = "::q1::Who do you tell? {=The lead#Right. ~Nobody#No.}\n"


@pytest.mark.parametrize(("opening", "out", "settings"), [
    ("// Module: Hate crime: spot it, report it\n// Module id: hate-crime\n\n", "hate-crime", ("hate-crime", "Hate crime: spot it, report it")),
    ("// Module: Hate crime: spot it, report it\n\n", "copy-of-bank", ("copy-of-bank", "Hate crime: spot it, report it")),  # the id is the file's
    ("// A bank from Moodle\n\n", "safeguarding-basics", ("safeguarding-basics", "Safeguarding basics")),  # no title: from the file name
    ("", "safeguarding-basics", ("safeguarding-basics", "Safeguarding basics")),
])
def test_does_import_take_the_title_from_the_module_comment(opening: str, out: str, settings: tuple, tmp_path: Path):
    gift = tmp_path / "bank.gift"
    gift.write_text(opening + BANK, encoding="utf-8")
    assert import_gift(gift, tmp_path / f"{out}.ipynb", today=TODAY).errors == []
    module = load(tmp_path / f"{out}.ipynb", TODAY)
    assert (module.settings.id, module.settings.title) == settings


def test_is_a_module_comment_among_the_questions_not_taken_as_the_title():
    assert parse_gift(BANK + "\n// Module: Not the title\n::q2::Next? {=Yes ~No}\n").title == ""
