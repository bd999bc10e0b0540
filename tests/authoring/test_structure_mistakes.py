"""Does a cell typed the wrong way either become what the trainer meant, or an error naming the cell and the fix?

Issue 13: an answer key ('[x]' ticks and '>' feedback) must never reach a lesson page, pages must not
merge silently, and a module that no learner could complete must not pass `check`.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_raw_cell

from authoring import build, check
from authoring.cli import main
from authoring.module import load
from authoring.outline import outline
from tests.builders import QUESTION, settings_cell, write_notebook

PAGE = "# A page\n\nSome lesson text."
ASSESSMENT = "# Assessment\n\nAnswer the question."
OPTIONS = "- [x] Call the safeguarding lead\n  > SECRET-RIGHT feedback.\n- [ ] Say nothing\n  > SECRET-WRONG feedback."
CHECK = f"### Knowledge check\n\nWho do you tell?\n\n{OPTIONS}"


def built(tmp_path: Path, *cells: str, **settings: object) -> tuple[Path, object]:
    """Write the notebook and build it into tmp_path/out; returns (notebook path, build report)."""
    path = write_notebook(tmp_path / "m.ipynb", *cells, settings=settings_cell(**settings) if settings else None)
    return path, build([path], tmp_path / "out")


def manifest(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "out" / "tiny-module" / "manifest.json").read_text(encoding="utf-8"))


def answer_key(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "out" / "tiny-module" / "answer-key.json").read_text(encoding="utf-8"))


def learner_text(data: dict) -> str:
    """Everything a learner can be shown: page titles and blocks, question stems and options."""
    pages = [p["title"] + "".join(b.get("html", "") for b in p["blocks"]) for p in data["pages"]]
    questions = [q["stem"] + q["case_study"] + "".join(o["html"] for o in q["options"]) for q in data["questions"]]
    return "\n".join(pages + questions)


def messages(path: Path) -> list[str]:
    return [str(p) for p in check([path])]


def assert_nothing_published(tmp_path: Path, path: Path, report: object) -> None:
    assert report.failed == [path] and not report.built
    assert not (tmp_path / "out" / "tiny-module").exists()


# 1. Answer keys typed outside a question

SHOWN = "so learners would see it as lesson text, with the right answers ticked and the feedback showing"


@pytest.mark.parametrize(("heading", "what", "meant"), [
    ("## Knowledge check", "a heading with 2 '#'", "### Knowledge check"),
    ("#### Knowledge check (scenario)", "a heading with 4 '#'", "### Knowledge check (scenario)"),
    ("###Knowledge check", "not a heading at all (there is no space after the '#')", "### Knowledge check"),
    ("### Knowledge-check", "written differently from a question heading", "### Knowledge check"),
])
def test_is_a_knowledge_check_heading_with_the_wrong_hashes_an_error_and_never_shown(tmp_path, heading, what, meant):
    path, report = built(tmp_path, PAGE, CHECK.replace("### Knowledge check", heading), ASSESSMENT, QUESTION)
    assert_nothing_published(tmp_path, path, report)
    assert f"{path}:cell 3: '{heading}' is {what}, not a question heading, {SHOWN} — change the first line to '{meant}': " \
           "a question heading has exactly three '#' and a space" in messages(path)


def test_is_a_scored_question_typed_with_four_hashes_an_error(tmp_path):
    question = f"#### Question\n\nWho do you tell?\n\n{OPTIONS}"
    path, report = built(tmp_path, PAGE, ASSESSMENT, QUESTION, question)
    assert_nothing_published(tmp_path, path, report)
    assert f"{path}:cell 5: '#### Question' is a heading with 4 '#', not a question heading, {SHOWN} — change the first line to " \
           "'### Question': a question heading has exactly three '#' and a space" in messages(path)


def test_is_a_question_typed_with_one_hash_an_error_and_not_a_page(tmp_path):
    question = f"# Question\n\nWho do you tell?\n\n{OPTIONS}"
    path, report = built(tmp_path, PAGE, ASSESSMENT, QUESTION, question)
    assert_nothing_published(tmp_path, path, report)
    module = load(path)
    assert [p.title for p in module.pages] == ["A page", "Assessment"]  # no page called 'Question'
    assert [str(p) for p in module.problems] == [
        f"{path}:cell 5: '# Question' is a page heading (it would start a page of its own), not a question heading, {SHOWN} — "
        "change the first line to '### Question': a question heading has exactly three '#' and a space"]


def test_is_a_question_in_the_same_cell_as_its_page_heading_an_error(tmp_path):
    path, report = built(tmp_path, f"# A page\n\nSome lesson text.\n\n{CHECK}", ASSESSMENT, QUESTION)
    assert_nothing_published(tmp_path, path, report)
    assert messages(path) == [
        f"{path}:cell 2: the question heading '### Knowledge check' is on line 5 of the cell, not at the top, so the whole cell is "
        "lesson text: learners would see the question with the right answers ticked and the feedback showing — split the cell just "
        "above that line (click at the start of line 5 and press Ctrl+Shift+- in JupyterLab), so '### Knowledge check' is the first "
        "line of its own cell"]


def test_is_an_option_list_with_no_question_heading_an_error(tmp_path):
    path, report = built(tmp_path, f"# A page\n\nWho do you tell?\n\n{OPTIONS}", ASSESSMENT, QUESTION)
    assert_nothing_published(tmp_path, path, report)
    assert messages(path) == [
        f"{path}:cell 2: line 5 is written as an answer option ('- [x] ...' or an option with '> ' feedback under it) but the cell "
        f"is not a question, {SHOWN} — if it is a question, start the cell with '### Knowledge check' or '### Question' (three '#'); "
        "if it is a list, take the brackets and the '> ' lines out"]


@pytest.mark.parametrize("item", ["- [ x ] Call", "-[x] Call", "* [X] Call", "1. [x] Call", "  - [x] Call", "- [✓] Call"])
def test_is_every_way_of_typing_a_tick_caught_outside_a_question(tmp_path, item):
    path, report = built(tmp_path, f"# A page\n\nWho do you tell?\n\n{item}\n- [ ] Nobody", ASSESSMENT, QUESTION)
    assert_nothing_published(tmp_path, path, report)
    assert any(m.startswith(f"{path}:cell 2: line 5 is written as an answer option") for m in messages(path))


def test_are_options_without_brackets_but_with_feedback_an_error(tmp_path):
    cell = "# A page\n\nWho do you tell?\n\n- The lead\n  > SECRET-RIGHT feedback.\n- Nobody\n  > SECRET-WRONG feedback."
    path, report = built(tmp_path, cell, ASSESSMENT, QUESTION)
    assert_nothing_published(tmp_path, path, report)
    assert any(m.startswith(f"{path}:cell 2: line 5 is written as an answer option") for m in messages(path))


def test_are_callouts_quotes_reference_links_and_code_left_alone(tmp_path):
    lesson = ("# A page\n\n> **Key point:** Share the concern.\n> It is the same as any other worry.\n\n> A quotation.\n\n"
              "- [Prevent duty guidance](https://www.gov.uk/prevent)\n- [ACT Early](https://actearly.uk)\n\n"
              "```\n- [x] shown as code\n# a comment\n```\n\n## Questions to ask yourself\n\nText.")
    path, report = built(tmp_path, lesson, ASSESSMENT, QUESTION)
    assert report.built and messages(path) == []
    html = learner_text(manifest(tmp_path))
    assert "sl-key-point" in html and "A quotation." in html and "- [x] shown as code" in html


# Options inside a question: what the trainer meant, or an error

def test_is_feedback_typed_on_the_option_line_an_error(tmp_path):
    question = "### Question\n\nWho do you tell?\n\n- [x] Call 999 > Right, because it is urgent\n  > Why.\n- [ ] Nobody\n  > Why not."
    path, report = built(tmp_path, PAGE, ASSESSMENT, question)
    assert_nothing_published(tmp_path, path, report)
    assert f"{path}:cell 4: option 1 (line 5) has a '>' on the option line, so learners would see the feedback after it as part of " \
           "the answer — put the feedback on its own line under the option, indented by two spaces ('  > Because...'); if the '>' " \
           "belongs to the answer, write '\\>' instead" in messages(path)


@pytest.mark.parametrize(("right", "wrong", "warned"), [
    ("- [ x ]", "- [ ]", "'- [ x ]'"), ("- [x ]", "- [ ]", "'- [x ]'"), ("-[x]", "-[ ]", "'-[x]'"), ("* [X]", "* [ ]", None),
    ("+ [x]", "- []", "'- []'"),
])
def test_is_an_option_with_odd_spacing_read_as_meant(tmp_path, right, wrong, warned):
    question = f"### Question\n\nWho do you tell?\n\n{right} The lead\n  > SECRET-RIGHT feedback.\n{wrong} Nobody\n  > SECRET-WRONG feedback."
    path, report = built(tmp_path, PAGE, ASSESSMENT, question)
    assert report.built, report.problems
    data = manifest(tmp_path)
    assert [o["html"] for o in data["questions"][0]["options"]] == ["The lead", "Nobody"]
    assert "[" not in learner_text(data) and "SECRET" not in learner_text(data)
    key = answer_key(tmp_path)[data["questions"][0]["id"]]
    assert key["correct"] == [data["questions"][0]["options"][0]["id"]]
    found = messages(path)
    if warned is None:
        assert found == []
    else:
        assert any(m.startswith(f"{path}:cell 4: warning: option ") and f"is written {warned}, which JupyterLab does not show as a tick box" in m
                   for m in found), found


def test_are_numbered_options_an_error(tmp_path):
    question = "### Question\n\nWho do you tell?\n\n1. [x] The lead\n   > Why.\n2. [ ] Nobody\n   > Why not."
    path, report = built(tmp_path, PAGE, ASSESSMENT, question)
    assert_nothing_published(tmp_path, path, report)
    assert f"{path}:cell 4: option 1 (line 5) is numbered, '1. [x]'; learners see options without numbers, in a new order in each " \
           "attempt — start each option with '- [x]' (right) or '- [ ]' (wrong) instead of a number" in messages(path)


def test_is_an_option_ticked_with_another_mark_an_error(tmp_path):
    question = "### Question\n\nWho do you tell?\n\n- [✓] The lead\n  > Why.\n- [ ] Nobody\n  > Why not."
    path, report = built(tmp_path, PAGE, ASSESSMENT, question)
    assert_nothing_published(tmp_path, path, report)
    assert f"{path}:cell 4: option 1 (line 5) is marked '[✓]', which means neither right nor wrong — mark a right option with [x] " \
           "and a wrong one with [ ]" in messages(path)


def test_is_a_line_straight_after_feedback_more_feedback_not_answer_text(tmp_path):
    question = "### Question\n\nWho do you tell?\n\n- [x] The lead\n  > SECRET-RIGHT feedback\n  SECRET-MORE on the next line.\n- [ ] Nobody\n  > Why not."
    path, report = built(tmp_path, PAGE, ASSESSMENT, question)
    assert report.built and messages(path) == []
    data = manifest(tmp_path)
    assert "SECRET" not in learner_text(data)
    assert answer_key(tmp_path)[data["questions"][0]["id"]]["feedback"][data["questions"][0]["options"][0]["id"]] == \
        "SECRET-RIGHT feedback SECRET-MORE on the next line."


def test_is_indented_text_after_feedback_and_a_blank_line_an_error(tmp_path):
    question = "### Question\n\nWho do you tell?\n\n- [x] The lead\n  > Why.\n\n  SECRET more reasons\n- [ ] Nobody\n  > Why not."
    path, report = built(tmp_path, PAGE, ASSESSMENT, question)
    assert_nothing_published(tmp_path, path, report)
    assert f"{path}:cell 4: line 8 is indented under an option after its feedback, so learners would see it as part of the answer — " \
           "start it with '> ' if it is more feedback, or move it up to the option's own line if it is part of the answer" in messages(path)


def test_is_a_second_question_in_one_cell_an_error(tmp_path):
    path, report = built(tmp_path, PAGE, ASSESSMENT, QUESTION + "\n" + CHECK.replace("Knowledge check", "Question"))
    assert_nothing_published(tmp_path, path, report)
    assert f"{path}:cell 4: a second question heading is on line 10 of this cell, so that question would be lost — split the cell " \
           "just above line 10 (click at its start and press Ctrl+Shift+- in JupyterLab)" in messages(path)


# 2. Pages that silently merge

def test_is_a_page_heading_inside_a_cell_an_error(tmp_path):
    path, report = built(tmp_path, "# A page\n\nText.\n\n# Another page\n\nMore.", ASSESSMENT, QUESTION)
    assert_nothing_published(tmp_path, path, report)
    assert messages(path) == [
        f"{path}:cell 2: the page heading '# Another page' on line 5 is inside the cell, so it does not start a new page: learners "
        "would see it in the middle of the page before — split the cell just above it (click at the start of line 5 and press "
        "Ctrl+Shift+- in JupyterLab), so the heading is the first line of its own cell"]


def test_is_a_page_title_underlined_with_equals_signs_an_error(tmp_path):
    path, report = built(tmp_path, PAGE, "Another page\n============\n\nMore.", ASSESSMENT, QUESTION)
    assert_nothing_published(tmp_path, path, report)
    assert messages(path) == [
        f"{path}:cell 3: 'Another page' is underlined with '=' on line 2: JupyterLab shows a big heading, but it does not start a page "
        "— write it as '# Another page' at the top of its own cell, and delete the '=' line"]


def test_is_a_page_heading_without_a_space_an_error(tmp_path):
    path, report = built(tmp_path, PAGE, "#Another page\n\nMore.", ASSESSMENT, QUESTION)
    assert_nothing_published(tmp_path, path, report)
    assert messages(path) == [
        f"{path}:cell 3: the first line '#Another page' has no space after the '#', so it is not a heading: learners see the '#' and "
        "no new page starts — put a space after the '#' ('# Page title'), or write '\\#' if you meant a hashtag"]


def words(count: int, word: str = "lesson") -> str:
    return " ".join([word] * count)


def test_does_a_page_merged_by_a_double_hash_warn_and_show_in_the_outline(tmp_path):
    cells = [f"# Page {n}\n\n{words(200)}" for n in (1, 2, 3)] + [f"## Page 4\n\n{words(200)}", f"## Page 5\n\n{words(200)}",
                                                                  f"# Page 6\n\n{words(200)}", CHECK, ASSESSMENT, QUESTION]
    path, report = built(tmp_path, *cells)
    assert report.built  # a warning: the trainer may really have meant one long page
    assert [p["title"] for p in manifest(tmp_path)["pages"]] == ["Page 1", "Page 2", "Page 3", "Page 6", "Assessment"]
    assert messages(path) == [
        f"{path}:cell 4: warning: page 3, 'Page 3', has 604 words, far more than the module's other pages: two pages may have merged "
        "into one — check the outline ('authoring check --outline'); if a page is missing, give it a '# ' heading at the top of its "
        "first cell (a heading typed '## ' stays inside the page before)"]
    pages = outline(load(path))
    assert [(p.number, p.title, p.cell, p.words, p.questions) for p in pages] == [
        (1, "Page 1", 2, 200, []), (2, "Page 2", 3, 200, []), (3, "Page 3", 4, 604, []),
        (4, "Page 6", 7, 200, ["Knowledge check (one answer), cell 8"]),
        (5, "Assessment", 9, 3, ["Question (one answer), cell 10"])]


def test_does_check_outline_print_each_page_after_the_problems(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", f"# Signs of radicalisation {{lang=cy}}\n\n{words(420)}", CHECK, ASSESSMENT, QUESTION)
    result = CliRunner().invoke(main, ["check", "--outline", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "", f"{path}: outline",
        "  Page 1: Signs of radicalisation [cy] (cell 2) — 420 words, 1 knowledge check",
        "      Knowledge check (one answer), cell 3",
        "  Page 2: Assessment (cell 4) — 3 words, 1 scored question",
        "1 notebook(s) checked: 0 error(s), 0 warning(s)"]


# 3. Modules no learner could complete

NO_ASSESSMENT_FIX = ("add a last page, '# Assessment', holding '### Question' cells: only those are marked ('### Knowledge check' "
                     "questions are not), and a learner completes the module by passing them")


def test_is_a_module_with_only_knowledge_checks_an_error(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, CHECK)
    assert messages(path) == [f"{path}: the module has no assessment: no learner can pass it, so no one can complete it in the LMS — {NO_ASSESSMENT_FIX}"]
    assert not load(path).ok


def test_is_an_assessment_page_with_no_scored_questions_an_error_on_that_page(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, CHECK)
    assert f"{path}:cell 3: the page 'Assessment' has no scored questions, so the module has no assessment: no learner can pass it, " \
           f"so no one can complete it in the LMS — {NO_ASSESSMENT_FIX}" in messages(path)


def test_is_a_pool_smaller_than_the_questions_asked_an_error(tmp_path):
    path, report = built(tmp_path, PAGE, ASSESSMENT, QUESTION, assessment={"questions": 3})
    assert_nothing_published(tmp_path, path, report)
    assert messages(path) == [f"{path}:cell 1: the assessment asks 3 questions but the pool has only 1 scored questions — add 2 more "
                              "'### Question' cells, or lower 'questions' under 'assessment'"]


def test_is_a_knowledge_check_on_the_assessment_page_an_error(tmp_path):
    path, report = built(tmp_path, PAGE, ASSESSMENT, CHECK, QUESTION)
    assert_nothing_published(tmp_path, path, report)
    assert messages(path) == [f"{path}:cell 4: a knowledge check on the assessment page is never shown: learners see only the "
                              "scored questions there — move it to a lesson page before the assessment, or make it a scored '### Question'"]


def test_is_text_after_a_scored_question_an_error(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, "Now read this case before the next question.")
    assert messages(path) == [
        f"{path}:cell 5: this cell comes after a scored question on the assessment page, but learners only see it above the 'Start the "
        "assessment' button, not next to the questions — move it above the first '### Question'; if it is a case study, put it inside "
        "a '### Question (scenario)' cell"]


# 4. A page's language

def test_does_lang_in_a_page_heading_set_the_page_language(tmp_path):
    path, report = built(tmp_path, "# Croeso {lang=cy}\n\nTestun.", ASSESSMENT, QUESTION)
    assert report.built and messages(path) == []
    assert [(p.title, p.lang) for p in load(path).pages] == [("Croeso", "cy"), ("Assessment", "")]
    assert manifest(tmp_path)["pages"][0]["title"] == "Croeso" and "{" not in learner_text(manifest(tmp_path))


@pytest.mark.parametrize(("heading", "expected"), [
    ("# Croeso {language=cy}", "the page heading ends with '{language=cy}', which is not a setting a page can have — to say the page is "
                               "in another language, end the heading with its code, e.g. '{lang=cy}' for Welsh; otherwise remove the braces"),
    ("# Croeso {lang=welsh yes}", "the page heading ends with '{lang=welsh yes}', which is not a setting a page can have"),
    ("# Croeso {lang=w}", "'w' in '{lang=w}' is not a language code — write a language code, e.g. {lang=cy} for Welsh or {lang=en} for English"),
    ("# Croeso {lang=cy", "the page heading has a '{' that is never closed ('{lang=cy') — close it with '}', e.g. '# Croeso {lang=cy}', or remove it"),
    ("# Croeso {lang=cy} i bawb", "the page heading has braces '{lang=cy} i bawb' that are not at its end, and learners would see them"),
])
def test_is_an_unknown_heading_attribute_an_error(tmp_path, heading, expected):
    path, report = built(tmp_path, f"{heading}\n\nTestun.", ASSESSMENT, QUESTION)
    assert_nothing_published(tmp_path, path, report)
    assert any(m.startswith(f"{path}:cell 2: {expected}") for m in messages(path)), messages(path)


def test_is_lang_on_a_heading_inside_a_page_an_error(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# A page\n\n## Croeso {lang=cy}\n\nTestun.", ASSESSMENT, QUESTION)
    assert messages(path) == [f"{path}:cell 2: the heading '## Croeso {{lang=cy}}' ends with braces that learners would see as text — only "
                              "a page heading ('# ') can end with {lang=cy}; remove the braces from this heading"]


def test_are_placeholders_in_a_page_title_not_read_as_attributes(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Help in {{partnership_name}}\n\nText.", ASSESSMENT, QUESTION)
    assert messages(path) == []


# Found while hunting: other ways a cell's structure hides content

def test_is_a_question_left_in_a_raw_cell_a_warning(tmp_path):
    notebook = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION)
    nb = nbformat.read(str(notebook), 4)
    nb.cells.insert(2, new_raw_cell(CHECK))
    nbformat.write(nb, str(notebook))
    assert messages(notebook) == [f"{notebook}:cell 3: warning: this Raw cell holds a question, but Raw cells after the first are left out, "
                                  "so learners will not see it — if learners should see it, change the cell to Markdown (press Esc, then M, in JupyterLab)"]


def test_do_the_five_courses_still_pass():
    courses = Path(__file__).resolve().parents[2] / "courses"
    assert [str(p) for p in check([courses])] == []


# Found by an outside attacker: answer keys hidden from the checker but still shown by the renderer

def assert_no_answer_key_shown(tmp_path: Path, path: Path, report: object) -> None:
    """Either nothing is published, or no page or question text a learner sees holds a tick or feedback."""
    if report.built:
        shown = json.dumps(manifest(tmp_path)["pages"]) + learner_text(manifest(tmp_path))
        assert "[x]" not in shown and "[X]" not in shown and "SECRET" not in shown
    else:
        assert_nothing_published(tmp_path, path, report)


QUOTE_FIX = ("a question cannot be inside a quote: take the '>' off the start of its lines and put the question in a cell of its own, "
             "starting with '### Knowledge check' or '### Question'; if it is a quoted list, take the brackets out")


@pytest.mark.parametrize(("cell", "line", "what"), [
    ("> ### Knowledge check\n>\n> Who?\n>\n> - [x] RIGHTANS\n>   > SECRET-RIGHT\n> - [ ] Wrong\n>   > SECRET-WRONG", 1, "a question heading"),
    ("# A page\n\nSome text\n\n> - [x] RIGHTANS\n>   > SECRET-RIGHT\n> - [ ] Wrong", 5, "an answer option"),
    ("> > ### Knowledge check\n> > - [x] RIGHTANS\n> >   > SECRET-RIGHT", 1, "a question heading"),
    ("# A page\n\n>- [x] RIGHTANS\n>  > SECRET-RIGHT\n>- [ ] Wrong", 3, "an answer option"),
    ("# A page\n\nText\n>>> * [X] RIGHTANS SECRET-RIGHT", 4, "an answer option"),
    ("# A page\n\n> Think about it.\n>\n> ###Knowledge check\n> Who?", 5, "a question heading"),
])
def test_is_a_question_or_an_option_inside_a_quote_an_error(tmp_path, cell, line, what):
    path, report = built(tmp_path, PAGE, cell, ASSESSMENT, QUESTION)
    assert_nothing_published(tmp_path, path, report)
    assert f"{path}:cell 3: line {line} is {what} inside a quote (the line starts with '>'), {SHOWN} — {QUOTE_FIX}" in messages(path)


def test_is_an_option_in_a_quote_in_a_question_cell_an_error(tmp_path):
    question = "### Question\n\nWho do you tell?\n\n> - [x] SECRET-QUOTED\n\n- [x] The lead\n  > Why.\n- [ ] Nobody\n  > Why not."
    path, report = built(tmp_path, PAGE, ASSESSMENT, question)
    assert_nothing_published(tmp_path, path, report)
    assert f"{path}:cell 4: line 5 is an answer option inside a quote (the line starts with '>'), {SHOWN} — {QUOTE_FIX}" in messages(path)


def test_are_quotes_that_mention_brackets_or_questions_left_alone(tmp_path):
    lesson = ("# A page\n\n> **Key point:** tick [x] on the form.\n\n> Ask yourself the question: who do I tell?\n>\n"
              "> - [Prevent duty guidance](https://www.gov.uk/prevent)\n> - Notice, check, share")
    path, report = built(tmp_path, lesson, ASSESSMENT, QUESTION)
    assert report.built and messages(path) == []
    assert "sl-key-point" in learner_text(manifest(tmp_path))


@pytest.mark.parametrize(("cell", "line"), [
    ("# A page\n\nText\n\n```a`b\n\n### Knowledge check\n\nWho?\n\n- [x] RIGHTANS\n  > SECRET-RIGHT\n- [ ] Wrong\n  > SECRET-WRONG", 7),
    ("# A page\n\nText\n\n\t```\n\n- [x] RIGHTANS\n  > SECRET-RIGHT\n- [ ] Wrong\n  > SECRET-WRONG", 7),
    ("# A page\n\n  \t```\n- [x] RIGHTANS\n  > SECRET-RIGHT\n- [ ] Wrong", 4),
    ("# A page\n\n- An item\n\n  ```\n  code\n\n- [x] RIGHTANS\n  > SECRET-RIGHT\n- [ ] Wrong", 8),  # the fence ends with its list item
])
def test_does_a_line_that_only_looks_like_a_code_fence_hide_nothing(tmp_path, cell, line):
    path, report = built(tmp_path, PAGE, cell, ASSESSMENT, QUESTION)
    assert_nothing_published(tmp_path, path, report)
    assert any(m.startswith(f"{path}:cell 3: ") and f"line {line}" in m and SHOWN in m or "on line 7 of the cell" in m
               for m in messages(path)), messages(path)


@pytest.mark.parametrize("example", [
    "~~~markdown\n- [x] A right answer\n  > Why it is right.\n~~~",
    "````\n```\n- [x] A right answer\n```\n  > Why it is right.\n````",
    "- Write it like this:\n\n  ```\n  - [x] A right answer\n  ```",
    "   ```md\n### Knowledge check\n- [x] A right answer\n   ```",
])
def test_is_an_answer_option_shown_as_a_fenced_code_example_allowed(tmp_path, example):
    path, report = built(tmp_path, f"# How to write a question\n\n{example}", ASSESSMENT, QUESTION)
    assert report.built and messages(path) == []
    assert "- [x] A right answer" in learner_text(manifest(tmp_path))


SPACE_SEPARATORS = ["\u00a0", "\u1680", *map(chr, range(0x2000, 0x200B)), "\u202f", "\u205f", "\u3000"]


@pytest.mark.parametrize("space", SPACE_SEPARATORS)
def test_is_an_option_typed_with_any_unicode_space_after_the_bullet_caught_in_a_lesson(tmp_path, space):
    cell = f"# A page\n\nWho?\n\n-{space}[x] RIGHTANS\n  > SECRET-RIGHT\n-{space}[ ] Wrong\n  > SECRET-WRONG"
    path, report = built(tmp_path, cell, ASSESSMENT, QUESTION)
    assert_no_answer_key_shown(tmp_path, path, report)
    assert_nothing_published(tmp_path, path, report)
    assert any(m.startswith(f"{path}:cell 2: line 5 is written as an answer option") for m in messages(path)), messages(path)


@pytest.mark.parametrize("space", SPACE_SEPARATORS)
def test_is_an_option_typed_with_any_unicode_space_read_as_an_option_in_a_question(tmp_path, space):
    question = (f"###{space}Knowledge check\n\nWho?\n\n-{space}[x]{space}The lead\n  >{space}SECRET-RIGHT\n"
                f"-{space}[{space}]{space}Nobody\n  > SECRET-WRONG")
    path, report = built(tmp_path, PAGE, question, ASSESSMENT, QUESTION)
    assert report.built and messages(path) == []
    check = next(q for q in manifest(tmp_path)["questions"] if not q["scored"])
    assert [o["html"] for o in check["options"]] == ["The lead", "Nobody"]
    assert_no_answer_key_shown(tmp_path, path, report)


FEEDBACK_ON_LINE = ("has a '>' on the option line, so learners would see the feedback after it as part of the answer — put the feedback "
                    "on its own line under the option, indented by two spaces ('  > Because...'); if the '>' belongs to the answer, write '\\>' instead")


@pytest.mark.parametrize("option", ["- [x] RIGHTANS\u00a0> SECRET-RIGHT", "- [x] RIGHTANS >SECRET-RIGHT", "- [x] RIGHTANS\u2003>\u2003SECRET-RIGHT",
                                    "- [x] RIGHTANS \uff1e SECRET-RIGHT", "- [x] > SECRET-RIGHT"])
def test_is_feedback_typed_on_the_option_line_however_spaced_an_error(tmp_path, option):
    question = f"### Question\n\nWho do you tell?\n\n{option}\n- [ ] Nobody\n  > Why not."
    path, report = built(tmp_path, PAGE, ASSESSMENT, question)
    assert_nothing_published(tmp_path, path, report)
    found = messages(path)
    assert f"{path}:cell 4: option 1 (line 5) {FEEDBACK_ON_LINE}" in found
    assert not any("option 1 has no feedback" in m for m in found), found  # the error already says where the feedback went


@pytest.mark.parametrize("mark", ["\uff1e", "\ufe65", "\u203a", "\u276f"])
def test_is_feedback_under_an_option_typed_with_a_look_alike_of_the_quote_mark_an_error(tmp_path, mark):
    question = f"### Question\n\nWho do you tell?\n\n- [x] The lead\n  {mark} SECRET-RIGHT\n- [ ] Nobody\n  > Why not."
    path, report = built(tmp_path, PAGE, ASSESSMENT, question)
    assert_nothing_published(tmp_path, path, report)
    assert messages(path) == [
        f"{path}:cell 4: line 6, under option 1, starts with '{mark}', which looks like '>' but does not start feedback, so learners "
        "would see it as part of the answer — type the feedback with the ordinary '>' character (Shift and the full stop key on a UK "
        "keyboard): '  > Because...'"]


def test_is_an_escaped_quote_mark_in_an_option_part_of_the_answer(tmp_path):
    question = "### Question\n\nWhen is a score high?\n\n- [x] A score \\> 14\n  > Why.\n- [ ] A score of 3\n  > Why not."
    path, report = built(tmp_path, PAGE, ASSESSMENT, question)
    assert report.built and messages(path) == []
    assert [o["html"] for o in manifest(tmp_path)["questions"][0]["options"]] == ["A score &gt; 14", "A score of 3"]


def test_does_html_in_an_option_show_only_the_option_text_never_its_feedback(tmp_path):
    # The option's text is the trainer's own, shown to learners anyway: the renderer's report on the tag is enough
    # (whether it warns or refuses is render.py's rule); the feedback under the option never reaches learners.
    question = ("### Question\n\nWho do you tell?\n\n- [x] The lead <details>more</details>\n  > SECRET-RIGHT\n"
                "- [ ] Nobody\n  > SECRET-WRONG")
    path, report = built(tmp_path, PAGE, ASSESSMENT, question)
    assert [m for m in messages(path) if "option" in m.split(": ", 1)[1] or "feedback" in m.split(": ", 1)[1]] == []
    assert any("the HTML tag <details> will be removed" in m for m in messages(path))
    assert_no_answer_key_shown(tmp_path, path, report)


def test_is_a_line_of_200000_spaces_after_an_option_bracket_checked_as_text():
    # Before the patterns were made possessive this took minutes (quadratic backtracking); bench/check_hostile.py times it.
    from authoring import structure
    from authoring.problems import ProblemList
    from authoring.questions import parse_question

    spaces = " " * 200_000
    assert structure.OPTION_LIKE.match("- [" + spaces) is None
    assert structure.OPTION_LIKE.match("- [" + spaces + "x" + spaces + "] right").group("mark") == "x"
    assert structure.check_lesson_cell(f"# A page\n\n- [{spaces}\n\n- [{spaces}\n\n## a{spaces}b").problems == []
    problems = ProblemList("t.ipynb")
    assert parse_question(f"### Question{spaces}x", 1, problems) is None
    assert [p.message for p in problems] == ["cannot read the question heading ending 'x'"]


BOX_SHOWN = ("this cell would show learners an answer option with its tick box ('[x]' or '[ ]') as text — write the question in a "
             "Markdown cell of its own that starts with '### Knowledge check' or '### Question' (docs/authoring.md, section 3); "
             "never in a table, an HTML list or a quote")


@pytest.mark.parametrize("cell", [
    "Who do you tell?\n\n<ul><li>[x] Call the safeguarding lead</li><li>[ ] Say nothing</li></ul>",
    "| Answer | Why |\n| --- | --- |\n| [x] Call the safeguarding lead | SECRET-RIGHT feedback |\n| [ ] Say nothing | SECRET-WRONG |",
    "Who do you tell?\n\n<p>[x] Call the safeguarding lead</p>",
], ids=["html-list", "pipe-table", "html-paragraph"])
def test_is_any_tick_box_that_would_reach_a_lesson_page_an_error(tmp_path, cell):
    path, report = built(tmp_path, PAGE, cell, ASSESSMENT, QUESTION)
    assert_nothing_published(tmp_path, path, report)
    assert f"{path}:cell 3: {BOX_SHOWN}" in messages(path)


def test_is_a_tick_box_inside_a_sentence_left_alone(tmp_path):
    path, report = built(tmp_path, PAGE, "# Forms\n\nOn the paper form, tick the box marked [x] only when the person agrees.",
                         ASSESSMENT, QUESTION)
    assert report.built and messages(path) == []
