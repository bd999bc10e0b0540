"""The mistakes a trainer made in the 49-mistake exercise (and an attacker's vocabulary.yaml) that check missed or
reported confusingly: each is now an error naming the line or cell and the fix, and build refuses what check refuses.

Principle: anything that changes what learners see or what is published is what the trainer meant, or an error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from authoring import build, check
from authoring.scaffold import scaffold_cells
from tests.builders import QUESTION, settings_cell, write_notebook

PAGE = "# A page\n\nSome lesson text."
ASSESSMENT = "# Assessment\n\nAnswer the question."
CHECK = "### Knowledge check\n\nWho do you tell?\n\n- [x] The safeguarding lead\n  > Right.\n- [ ] Nobody\n  > No."
SECOND_QUESTION = QUESTION.replace("Who should you tell first?", "Who keeps the record?")
SETTINGS = """---
id: tiny-module
title: Tiny module
audience: Test learners
priority_area: hate-crime
estimated_minutes: 5
pass_mark: 80
refresher_months: 24
owner: Test team
review_by: 2099-01-01
guidance:
  - title: Hate crime guidance
    url: https://www.gov.uk/report-hate-crime
  - title: Take Five to Stop Fraud
    url: https://www.takefive-stopfraud.org.uk/
---"""


def messages(path: Path) -> list[str]:
    return [str(p) for p in check([path])]


def refused(tmp_path: Path, path: Path) -> bool:
    report = build([path], tmp_path / "out")
    return report.failed == [path] and not report.built and not (tmp_path / "out" / "tiny-module").exists()


# 1. The closing '---' of the settings deleted

def test_is_a_settings_cell_without_its_closing_line_an_error_build_refuses(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=SETTINGS.removesuffix("---"))
    assert messages(path) == [f"{path}:cell 1: the settings cell starts with '---' but has no closing '---' line — "
                              "add a line '---' after the last setting"]
    assert refused(tmp_path, path)


def test_is_text_after_the_closing_line_an_error_that_says_so(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=SETTINGS + "\n# About")
    assert messages(path) == [f"{path}:cell 1: the settings cell has text after its closing '---' on line 16 — move that text into a "
                              "Markdown cell of its own below, or delete it, so the cell ends with the '---' line"]


def test_is_a_notebook_with_no_settings_cell_still_tolerated_by_build(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings="")
    [problem] = check([path])
    assert problem.message == "the notebook has no settings cell" and problem.tolerated_by_build


# 2. 'pass mark: 80': one error, the near miss

def test_is_a_near_miss_of_a_required_setting_reported_once_and_refused(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=SETTINGS.replace("pass_mark: 80", "pass mark: 80"))
    assert messages(path) == [f"{path}:cell 1: unknown setting 'pass mark' on line 7: it would be ignored, so the module would get the "
                              "default pass_mark, 80 — did you mean 'pass_mark'? Write it exactly so: 'pass_mark: 80'"]
    assert refused(tmp_path, path)


# 3. A guidance source says which part is wrong, and where

@pytest.mark.parametrize(("replace", "by", "expected"), [
    ("url: https://www.takefive-stopfraud.org.uk/", "url: www.takefive-stopfraud.org.uk",
     "guidance source 2's web address on line 15, 'www.takefive-stopfraud.org.uk', does not start with https:// — "
     "write 'url: https://www.takefive-stopfraud.org.uk'"),
    ("  - title: Take Five to Stop Fraud\n    url:", "  - url:",
     "guidance source 2 on line 14 has no title — write the guidance's name on the source's first line, as '- title: ...', "
     "with its 'url: ...' lined up under 'title'"),
    ("\n    url: https://www.takefive-stopfraud.org.uk/", "",
     "guidance source 2 on line 14 has no web address — add a line 'url: https://...' under its title, lined up with 'title'"),
])
def test_is_a_guidance_source_mistake_reported_precisely(tmp_path, replace, by, expected):
    assert replace in SETTINGS
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=SETTINGS.replace(replace, by))
    assert messages(path) == [f"{path}:cell 1: {expected}"]


# 4. An assessment setting left unindented under 'assessment:'

def test_is_an_unindented_assessment_setting_the_line_reported(tmp_path):
    text = SETTINGS.removesuffix("---") + "assessment:\nquestions: 1\n  show_after_fail: outcomes\n---"
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=text)
    assert messages(path) == [f"{path}:cell 1: line 17, 'questions: 1', is not indented under 'assessment:' — indent it by two "
                              "spaces under 'assessment:', as '  questions: 1', like the assessment settings after it"]


# 5. A partnership may add its own priority areas: the messages and the starter say so

def test_do_the_priority_area_messages_and_the_starter_say_how_to_add_an_area(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=SETTINGS.replace("hate-crime\n", "fraud\n", 1))
    assert messages(path) == [f"{path}:cell 1: priority_area 'fraud' is not one of ours — use one of: counter-terrorism, domestic-abuse, "
                              "serious-organised-crime, hate-crime, or add your own in courses/vocabulary.yaml (docs/authoring.md, section 7)"]
    starter = scaffold_cells("m", "M", __import__("datetime").date(2030, 1, 1))[0].source
    assert ("priority_area: TO DO  # choose one: counter-terrorism, domestic-abuse, serious-organised-crime, hate-crime; "
            "or add your own in courses/vocabulary.yaml (docs/authoring.md, section 7)") in starter


# 6. '## Assessment' typed for '# Assessment'

def test_is_a_knowledge_check_on_the_assessment_page_an_error_with_the_heading_hint(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, CHECK, "## Assessment\n\nAnswer the question.", QUESTION)
    assert messages(path) == [
        f"{path}:cell 3: a knowledge check on the assessment page is never shown: learners see only the scored questions there — "
        "move it to a lesson page before the assessment, or make it a scored '### Question'; the scored questions are on the page "
        "'A page': if the '## Assessment' in cell 4 was meant to start the assessment page, write it with one '#'"]
    assert refused(tmp_path, path)


def test_is_a_knowledge_check_on_a_real_assessment_page_an_error_without_the_hint(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, CHECK, QUESTION)
    assert messages(path) == [
        f"{path}:cell 4: a knowledge check on the assessment page is never shown: learners see only the scored questions there — "
        "move it to a lesson page before the assessment, or make it a scored '### Question'"]


def test_is_an_assessment_heading_typed_two_hashes_said_when_nothing_else_is_wrong(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, "## Assessment\n\nAnswer the question.", QUESTION)
    assert messages(path) == [
        f"{path}:cell 3: warning: the heading '## Assessment' does not start a page, so the scored questions are on the page 'A page', "
        "under its lesson — to give the assessment a page of its own, write '# Assessment', with one '#'"]


def test_does_build_refuse_text_after_a_scored_question(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, "Now read this case before the next question.")
    assert [p.tolerated_by_build for p in check([path])] == [False]
    assert refused(tmp_path, path)


# 7. An outcome heading written another way is reported once

@pytest.mark.parametrize("heading", ["### Outcome: Keep a record", "## Outcome - Keep a record"])
def test_is_a_near_miss_outcome_heading_after_a_question_reported_once(tmp_path, heading):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, "## Outcome: Tell someone", QUESTION, heading, SECOND_QUESTION)
    assert messages(path) == [f"{path}:cell 6: this cell has a line that looks like an outcome heading but is not one — write "
                              "'## Outcome: <what the learner can do>' as the only line of a Markdown cell of its own"]


# 8. The starter's example cells left in

def test_is_a_starter_example_cell_left_in_an_error(tmp_path):
    example = next(c.source for c in scaffold_cells("m", "M", __import__("datetime").date(2030, 1, 1)) if "Which line starts" in c.source)
    path = write_notebook(tmp_path / "m.ipynb", PAGE, "  " + example.replace("\n\n", "\n\n\n") + "\n", ASSESSMENT, QUESTION)
    assert messages(path) == [f"{path}:cell 3: cell 3 is still the starter's example ('Which line starts a new page?') — replace it "
                              "with your own content, or delete the cell"]
    assert refused(tmp_path, path)


# 9. A misspelt callout label

def test_is_a_misspelt_callout_label_a_warning_naming_the_label_meant(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# A page\n\n> **Warnng:** Do not confront the person.\n\n> **Note:** a plain quote.",
                          ASSESSMENT, QUESTION)
    assert messages(path) == [f"{path}:cell 2: warning: the quote starting '**Warnng:**' shows as a plain quote, not as a warning callout "
                              "— did you mean 'Warning'? Write '> **Warning:** ...'"]


# 10. check says each module's shape

def test_does_check_print_each_notebooks_pages_to_stderr(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, "## Spotting the signs\n\nMore text.", ASSESSMENT, QUESTION)
    result = subprocess.run([sys.executable, "-m", "authoring.cli", "check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.splitlines() == [f"{path}: 2 pages — A page | Assessment", "1 notebook(s) checked: 0 error(s), 0 warning(s)"]


# 11. vocabulary.yaml: build refuses what check refuses; a huge one gives a short message

@pytest.fixture
def courses(tmp_path):
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "pyproject.toml").write_text("")
    return tmp_path / "project" / "courses"


def test_does_build_refuse_a_module_whose_vocabulary_has_errors(courses, tmp_path):
    courses.mkdir(parents=True)
    (courses / "vocabulary.yaml").write_text("placeholders:\n  Trading Standards: the local service\n")
    path = write_notebook(courses / "m.ipynb", PAGE, ASSESSMENT, QUESTION)
    vocabulary = courses / "vocabulary.yaml"
    expected = f"{vocabulary}: line 2: the placeholder name 'Trading Standards' is not allowed — use lower-case letters, digits and underscores"
    assert [str(p) for p in check([path])][0].startswith(expected)
    report = build([path], tmp_path / "out")
    assert report.failed == [path] and not report.built
    assert [str(p) for p in report.problems][1] == (
        f"{path}: the module is not built because its vocabulary file, {vocabulary.resolve()}, has errors — "
        "fix the errors listed for that file, then build again")


def test_is_the_unknown_placeholder_fix_short_with_a_huge_vocabulary(courses):
    courses.mkdir(parents=True)
    (courses / "vocabulary.yaml").write_text("placeholders:\n" + "".join(f"  p{i}: description number {i}\n" for i in range(300_000)))
    path = write_notebook(courses / "m.ipynb", "# A page\n\nCall {{p12345x}}.", ASSESSMENT, QUESTION)
    [problem] = [p for p in check([path]) if "unknown placeholder" in p.message]
    assert len(problem.fix) < 600 and problem.fix.startswith("did you mean {{p12345}}? Otherwise use one of: {{p12345}}, ")
    assert "and 299999 more (see docs/authoring.md section 7 and your vocabulary.yaml)" in problem.fix


# 12. A page heading that is only a language

def test_is_a_page_heading_with_only_a_language_an_error(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# {lang=cy}\n\nCroeso.", ASSESSMENT, QUESTION)
    assert messages(path) == [f"{path}:cell 2: the page heading has no title before {{lang=cy}} — write the page's title before it, "
                              "e.g. '# Croeso {lang=cy}'"]
    assert refused(tmp_path, path)


def test_does_the_manifest_of_a_good_module_keep_its_pages(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=settings_cell())
    report = build([path], tmp_path / "out")
    manifest = json.loads((report.built[0] / "manifest.json").read_text())
    assert [p["title"] for p in manifest["pages"]] == ["A page", "Assessment"]
