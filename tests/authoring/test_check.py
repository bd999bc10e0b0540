"""Is every mistake a trainer can make reported with its file, cell and a fix, and never a traceback?"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook, new_raw_cell

from authoring import check
from tests.builders import MULTI_QUESTION, QUESTION, settings_cell, write_notebook

PAGE = "# A page\n\nSome lesson text."
ASSESSMENT = "# Assessment\n\nAnswer the question."


def problems_for(path: Path) -> list[str]:
    return [str(p) for p in check([path])]


def errors_for(path: Path) -> list[str]:
    return [str(p) for p in check([path]) if p.is_error]


def test_a_good_notebook_has_no_problems(tmp_path):
    path = write_notebook(tmp_path / "good.ipynb", PAGE, ASSESSMENT, QUESTION)
    assert problems_for(path) == []


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notes.txt", "hello", "notes.txt: this is not a Jupyter notebook — give the path of a .ipynb file"),
        ("broken.ipynb", '{"cells": [', "broken.ipynb: the notebook is not valid JSON (line 1, column 12"),
        ("old.ipynb", json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}),
         "old.ipynb: notebook format 3 is not supported (we read format 4) — open the notebook in JupyterLab 3 or later"),
        ("data.ipynb", json.dumps([1, 2, 3]), "data.ipynb: the file is JSON but not a Jupyter notebook"),
        ("damaged.ipynb", json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "markdown"}]}),
         "damaged.ipynb:cell 1: the notebook's structure is damaged"),
    ],
)
def test_is_a_file_that_cannot_be_read_reported_with_what_to_do(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content)
    found = errors_for(path)
    assert len(found) == 1
    assert found[0].startswith(str(tmp_path / expected.split(":")[0]) + expected[len(expected.split(":")[0]):]) or expected in found[0].replace(str(tmp_path) + "/", "")


def test_is_a_missing_file_reported(tmp_path):
    assert errors_for(tmp_path / "nowhere.ipynb") == [f"{tmp_path}/nowhere.ipynb: the file does not exist — check the path and the file name"]


def test_is_every_missing_setting_reported_in_one_run(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, settings=settings_cell(id=None, title=None, owner=None))
    found = errors_for(path)
    for name in ("id", "title", "owner"):
        assert f"{path}:cell 1: setting '{name}' is missing — add a line '{name}: ...' to the settings cell" in found


def test_is_a_notebook_without_a_settings_cell_reported(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, settings="")
    assert any("the notebook has no settings cell" in e and "Raw cell at the top" in e for e in errors_for(path))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"pass_mark": 150}, "pass_mark 150 is out of range — use a whole number from 1 to 100"),
        ({"pass_mark": 0}, "pass_mark 0 is out of range"),
        ({"pass_mark": "eighty"}, "pass_mark 'eighty' is not a whole number"),
        ({"estimated_minutes": 0}, "estimated_minutes 0 is out of range"),
        ({"id": "Prevent Module!"}, "id 'Prevent Module!' is not allowed — use lower-case letters, digits and hyphens"),
        ({"priority_area": "burglary"}, "priority_area 'burglary' is not one of ours"),
        ({"review_by": "next spring"}, "review_by 'next spring' is not a date — write the date as YYYY-MM-DD"),
        ({"guidance": "the gov.uk page"}, "guidance must be a list of sources"),
        ({"guidance": [{"title": "No address"}]}, "guidance source 1 on line 12 has no web address — add a line 'url: https://...' under its title, lined up with 'title'"),
        ({"content_note": "maybe"}, "content_note must be true or false"),
    ],
)
def test_is_an_invalid_setting_reported_with_its_fix(tmp_path, changes, expected):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, settings=settings_cell(**changes))
    assert any(f"{path}:cell 1: {expected}" in e for e in errors_for(path)), errors_for(path)


def test_is_broken_yaml_reported_with_its_line(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, settings="---\nid: x\ntitle: [unclosed\n---")
    assert f"{path}:cell 1: line 3, 'title: [unclosed', opens a '[' or '{{' that is not closed — if the brackets are part of the text, " \
           "put the whole value in double quotes" in errors_for(path)  # more cases in test_settings_mistakes.py


def test_does_a_past_review_date_warn_without_failing(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=settings_cell(review_by="2020-01-31"))
    found = check([path])
    assert [str(p) for p in found] == [f"{path}:cell 1: warning: the module was due for review on 2020-01-31 — check it against current guidance, then set a new review_by date"]
    assert not any(p.is_error for p in found)


def test_are_duplicate_module_ids_reported(tmp_path):
    first = write_notebook(tmp_path / "a.ipynb", PAGE, ASSESSMENT, QUESTION)
    second = write_notebook(tmp_path / "b.ipynb", PAGE, ASSESSMENT, QUESTION)
    os.utime(first, (1_700_000_000, 1_700_000_000))  # b.ipynb is the newer file: the copy (more in test_settings_mistakes.py)
    assert [str(p) for p in check([tmp_path])] == [
        f"{second}:cell 1: module id 'tiny-module' is the id of {first} — give this notebook its own id in its settings cell "
        f"(e.g. 'id: b'); leave the id of {first} as it is: changing a published module's id would start it again as a new module"]


def test_are_duplicate_question_ids_reported_with_both_cells(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, QUESTION)
    assert f"{path}:cell 5: this question has the same text as the one in cell 4 — delete one of the two, or change its text" in errors_for(path)


def test_are_two_questions_given_the_same_id_reported_with_both_cells(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, MULTI_QUESTION, MULTI_QUESTION.replace("Which of these", "Which two of these"))
    assert f"{path}:cell 5: question id 'routes' is also used by cell 4 — give one of them its own id with {{#new-id}} at the end of the heading" in errors_for(path)


def test_is_a_misspelt_placeholder_given_the_name_meant(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Page\n\nAsk {{prevent_teem}}.", ASSESSMENT, QUESTION)
    assert any(p.startswith(f"{path}:cell 2: unknown placeholder {{{{prevent_teem}}}} — did you mean {{{{prevent_team}}}}? Otherwise use one of: ")
               for p in errors_for(path))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("### Question\n\nWhich?\n\n- [ ] A\n  > no\n- [ ] B\n  > no", "the question has no correct answer — mark the right option with [x]"),
        ("### Question\n\nWhich?", "the question needs at least two options"),
        ("### Question\n\nWhich?\n\n- [x] A\n  > yes\n- [x] B\n  > yes", "a one-answer question has 2 options marked [x] — mark only one option with [x], or write '(multiple answers)' after the heading"),
        ("### Question (true or false)\n\nIs it?\n\n- [x] Yes\n  > y\n- [ ] No\n  > n", "a true-or-false question must have exactly the options True and False"),
        ("### Question (scenario)\n\nWhat now?\n\n- [x] A\n  > y\n- [ ] B\n  > n", "a scenario question needs a case study and then a question"),
        ("### Question (essay)\n\nWrite.\n\n- [x] A\n  > y\n- [ ] B\n  > n", "unknown kind of question '(essay)'"),
        ("### Question\n\n- [x] A\n  > y\n- [ ] B\n  > n", "the question has no text"),
        ("### Question\n\nWhich?\n\n- [x] A\n  > y\n- [ ] A\n  > n", "two options have the same text"),
        ("### Question {#Bad Id!}\n\nWhich?\n\n- [x] A\n  > y\n- [ ] B\n  > n", "question id 'Bad Id!' is not allowed"),
        ("### Question\n\nWhich?\n\n- [x] A\n  > y\n- [ ] B\n  > n\nStray text", "line 9 comes after the options but is not part of one"),
    ],
)
def test_is_a_broken_question_reported_at_its_cell(tmp_path, question, expected):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, question)
    assert any(e.startswith(f"{path}:cell 4: {expected}") for e in errors_for(path)), errors_for(path)


def test_is_missing_option_feedback_a_warning(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, "### Question\n\nWhich?\n\n- [x] A\n- [ ] B\n  > B is not it.")
    found = check([path])
    assert [str(p) for p in found] == [f"{path}:cell 4: warning: option 1 has no feedback — add an indented '> ' line under it saying why it is right or wrong"]


def test_is_a_scored_question_before_the_last_page_reported(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, QUESTION, ASSESSMENT)
    assert f"{path}:cell 3: a scored question is not on the last page — move it to the assessment page at the end, or make it a '### Knowledge check'" in errors_for(path)


def test_is_an_empty_page_reported(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Empty page", PAGE)
    assert f"{path}:cell 2: the page 'Empty page' is empty — write the lesson under the heading, or delete the heading" in errors_for(path)


def test_is_content_before_the_first_page_reported(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "Orphan text", PAGE)
    assert any(e.startswith(f"{path}:cell 2: content comes before the first page heading") for e in errors_for(path))


def test_is_an_unknown_placeholder_reported(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Contacts\n\nCall {{prevent_phone}}.")
    assert any(e.startswith(f"{path}:cell 2: unknown placeholder {{{{prevent_phone}}}} — use one of: {{{{partnership_name}}}}") for e in errors_for(path))


def test_is_an_image_without_alt_text_or_file_reported(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Pictures\n\n![](missing.png)")
    found = errors_for(path)
    assert f"{path}:cell 2: the image 'missing.png' has no alt text — describe what it shows between the brackets: ![what the image shows](...)" in found
    assert f"{path}:cell 2: the image file 'missing.png' does not exist — save the image there, or correct the path (it is relative to the notebook)" in found


def test_is_an_image_from_another_website_reported(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Pictures\n\n![A chart](https://example.com/chart.png)")
    assert any("is loaded from another website" in e for e in errors_for(path))


def test_is_a_missing_pasted_image_reported(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Pictures\n\n![A chart](attachment:chart.png)")
    assert f"{path}:cell 2: the pasted image 'chart.png' is missing from the cell — paste the image into this cell again" in errors_for(path)


def test_is_raw_html_that_would_be_stripped_reported(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Page\n\n<script>alert(1)</script>\n\nText <b onclick='x()'>bold</b>")
    found = errors_for(path)
    assert f"{path}:cell 2: the HTML tag <script> will be removed — write it in Markdown instead, or leave it out" in found
    assert any("an attribute of <b> will be removed" in e for e in found)


def test_does_a_good_image_next_to_the_notebook_pass(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "dot.png").write_bytes(base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="))
    path = write_notebook(tmp_path / "m.ipynb", "# Pictures\n\n![A grey dot](images/dot.png)", ASSESSMENT, QUESTION)
    assert problems_for(path) == []


def test_is_a_page_heading_inside_a_cell_an_error(tmp_path):
    # Issue 13: the page would silently merge into the one before, so this is an error now, not a warning.
    path = write_notebook(tmp_path / "m.ipynb", "# Page\n\nText\n\n# Another page", ASSESSMENT, QUESTION)
    assert any(e.startswith(f"{path}:cell 2: the page heading '# Another page' on line 5 is inside the cell, so it does not start a new page")
               for e in errors_for(path))


def test_does_the_command_list_every_problem_and_fail(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=settings_cell(pass_mark=150, owner=None))
    result = subprocess.run([sys.executable, "-m", "authoring.cli", "check", str(path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "pass_mark 150 is out of range" in result.stdout and "setting 'owner' is missing" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert "1 notebook(s) checked: 2 error(s), 0 warning(s)" in result.stderr


def test_do_warnings_alone_not_fail_the_command(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=settings_cell(review_by="2020-01-01"))
    result = subprocess.run([sys.executable, "-m", "authoring.cli", "check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and "warning: the module was due for review" in result.stdout


def test_does_a_scaffolded_module_fail_check_only_on_its_to_do_settings_and_example_cells(tmp_path):
    result = subprocess.run([sys.executable, "-m", "authoring.cli", "new", str(tmp_path / "courses" / "my-module")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "courses" / "my-module.ipynb"
    assert "replace the example pages and questions with your own (or delete them)" in result.stdout
    examples = [(2, "About this module"), (3, "Pasted images are kept inside the notebook. Every image n..."),
                (4, "Which line starts a new page?"), (5, "What to do and who to contact"), (7, "Where do module settings go?"),
                (8, "Which of these are kinds of callout?"), (9, "Learners can see which options are ticked."),
                (10, "Amira is writing a module for staff in York. She wants to...")]
    assert [p.split(" — ")[0] for p in problems_for(path)] == [
        f"{path}:cell 1: the owner on line 9 is still the starter's 'TO DO: your name or team'",
        f"{path}:cell 1: the priority area on line 5 is not chosen yet",
        f"{path}:cell 1: guidance source 1 on line 12 is still the starter's example",
        *(f"{path}:cell {cell}: cell {cell} is still the starter's example ('{words}')" for cell, words in examples)]
    assert f"{path}:cell 4: cell 4 is still the starter's example ('Which line starts a new page?') — replace it with your own " \
           "content, or delete the cell" in problems_for(path)
    notebook = nbformat.read(str(path), as_version=4)
    notebook.cells[0].source = (notebook.cells[0].source.replace('"TO DO: your name or team"', "Safer York Prevent lead")
                                .replace("TO DO  #", "counter-terrorism  #")
                                .replace('"TO DO: the official guidance this module follows"', "Prevent duty guidance")
                                .replace("https://to-do.invalid/the-official-guidance", "https://www.gov.uk/government/publications/prevent-duty-guidance"))
    nbformat.write(notebook, str(path))
    assert [p.split(" — ")[0] for p in problems_for(path)] == [
        f"{path}:cell {cell}: cell {cell} is still the starter's example ('{words}')" for cell, words in examples]
    notebook.cells[1].source += "\n\nA sentence of the trainer's own."  # an example changed is the trainer's own
    assessment = notebook.cells[5]  # the assessment page's heading and intro fit every module: they may stay
    notebook.cells = [notebook.cells[0], notebook.cells[1], assessment, new_markdown_cell(QUESTION)]
    nbformat.write(notebook, str(path))
    assert problems_for(path) == []
    again = subprocess.run([sys.executable, "-m", "authoring.cli", "new", str(tmp_path / "courses" / "my-module")], capture_output=True, text=True)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_is_every_kind_of_question_accepted(tmp_path):
    notebook = new_notebook(cells=[new_raw_cell(settings_cell()), new_markdown_cell(PAGE), new_markdown_cell(ASSESSMENT)])
    for kind, options in [("", "- [x] A\n  > y\n- [ ] B\n  > n"), (" (multiple answers)", "- [x] A\n  > y\n- [x] B\n  > y\n- [ ] C\n  > n"),
                          (" (true or false)", "- [x] True\n  > y\n- [ ] False\n  > n"),
                          (" (scenario)", "- [x] A\n  > y\n- [ ] B\n  > n"), (" (scenario, multiple answers)", "- [x] A\n  > y\n- [x] B\n  > y")]:
        notebook.cells.append(new_markdown_cell(f"### Question{kind}\n\nA case study{kind}.\n\nWhat{kind}?\n\n{options}"))
    path = tmp_path / "kinds.ipynb"
    nbformat.write(notebook, str(path))
    assert problems_for(path) == []
