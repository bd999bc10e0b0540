"""Can a partnership add priority areas and placeholders in its courses folder, with a clear problem for each mistake?"""

from __future__ import annotations

import html
import json

import pytest

from authoring import build, check
from authoring.placeholders import MODULE_PLACEHOLDERS, PLACEHOLDERS, fill_placeholders
from authoring.settings import PRIORITY_AREAS
from authoring.vocabulary import BUILT_IN, RESERVED_PLACEHOLDERS, candidates, for_notebook
from tests.builders import QUESTION, settings_cell, write_notebook

ASSESSMENT = "# Assessment\n\nAnswer the question."
LOCAL = "# Contacts\n\nReport rogue traders to {{trading_standards}}. Ask {{prevent_team}}."
VOCABULARY = """# Safer Testville's own words
priority_areas:
  fraud: fraud and scams
placeholders:
  trading_standards: how to contact the local trading standards service
"""


@pytest.fixture
def courses(tmp_path):
    """A project folder (it holds pyproject.toml) with a courses folder in it."""
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "pyproject.toml").write_text("")
    return tmp_path / "project" / "courses"


def fraud_module(courses, name="fraud.ipynb"):
    return write_notebook(courses / name, LOCAL, ASSESSMENT, QUESTION, settings=settings_cell(id=name.removesuffix(".ipynb"), priority_area="fraud"))


def test_are_the_built_in_words_still_importable_by_their_old_names():
    assert PRIORITY_AREAS == ("counter-terrorism", "domestic-abuse", "serious-organised-crime", "hate-crime")
    assert PLACEHOLDERS["prevent_team"] == "how to contact the local Prevent team" and len(PLACEHOLDERS) == 12
    assert RESERVED_PLACEHOLDERS == set(MODULE_PLACEHOLDERS)


def test_does_a_courses_vocabulary_let_a_module_use_its_words(courses):
    (courses / "vocabulary.yaml").parent.mkdir(parents=True)
    (courses / "vocabulary.yaml").write_text(VOCABULARY)
    path = fraud_module(courses)
    assert check([path]) == []


def test_does_the_bundle_carry_the_descriptions_of_the_added_placeholders_it_uses(courses, tmp_path):
    courses.mkdir(parents=True)
    (courses / "vocabulary.yaml").write_text(VOCABULARY)
    report = build([fraud_module(courses)], tmp_path / "out")
    assert report.built and not report.problems
    stored = json.loads((tmp_path / "out" / "fraud" / "manifest.json").read_text())["settings"]
    assert stored["priority_area"] == "fraud"
    assert stored["placeholders"] == {"trading_standards": "how to contact the local trading standards service"}  # not prevent_team: built in


def test_does_a_module_that_uses_no_added_placeholder_carry_none(courses, tmp_path):
    courses.mkdir(parents=True)
    (courses / "vocabulary.yaml").write_text(VOCABULARY)
    path = write_notebook(courses / "m.ipynb", "# Page\n\nAsk {{prevent_team}}.", ASSESSMENT, QUESTION)
    build([path], tmp_path / "out")
    assert "placeholders" not in json.loads((tmp_path / "out" / "tiny-module" / "manifest.json").read_text())["settings"]


def test_are_the_added_words_refused_without_the_vocabulary(courses):
    path = fraud_module(courses)
    found = [str(p).removeprefix(f"{path}:") for p in check([path]) if p.is_error]
    assert found == [
        "cell 1: priority_area 'fraud' is not one of ours — use one of: counter-terrorism, domestic-abuse, serious-organised-crime, hate-crime, "
        "or add your own in courses/vocabulary.yaml (docs/authoring.md, section 7)",
        "cell 2: unknown placeholder {{trading_standards}} — use one of: " + ", ".join(f"{{{{{n}}}}}" for n in [*PLACEHOLDERS, *MODULE_PLACEHOLDERS])
        + "; a new local detail must first be added to a vocabulary.yaml in the courses folder (docs/authoring.md, section 7)",
    ]


def test_does_the_lms_hint_use_the_description_the_bundle_carries():
    descriptions = {"trading_standards": "how to contact the local trading standards service"}
    assert fill_placeholders("Call {{trading_standards}}.", {}, html.escape, descriptions) == \
        "Call [how to contact the local trading standards service: ask your safeguarding lead]."
    assert fill_placeholders("Ask {{prevent_team}}.", {}, html.escape) == "Ask [how to contact the local Prevent team: ask your safeguarding lead]."


def test_is_the_nearest_vocabulary_found_and_the_search_stopped_at_the_project_folder(courses, tmp_path):
    (courses / "fraud").mkdir(parents=True)
    (tmp_path / "vocabulary.yaml").write_text(VOCABULARY)  # above the project folder: never read
    notebook = courses / "fraud" / "m.ipynb"
    assert candidates(notebook) == [courses / "fraud" / "vocabulary.yaml", courses / "vocabulary.yaml", courses.parent / "vocabulary.yaml"]
    assert for_notebook(notebook) is BUILT_IN
    (courses / "vocabulary.yaml").write_text(VOCABULARY)
    assert "fraud" in for_notebook(notebook).priority_areas


@pytest.mark.parametrize(("text", "expected"), [
    ("placeholders:\n  trading_standards: the service\n  Trading Standards: the service\n",
     "line 3: the placeholder name 'Trading Standards' is not allowed — use lower-case letters, digits and underscores, e.g. trading_standards"),
    ("priority_areas:\n  Fraud & scams: fraud\n",
     "line 2: the priority area name 'Fraud & scams' is not allowed — use lower-case letters, digits and hyphens, e.g. trading-standards"),
    ("placeholders:\n  prevent_team: our Prevent team\n",
     "line 2: 'prevent_team' is already a built-in placeholder — use it as it is, or choose another name for a new one"),
    ("placeholders:\n  pass_mark: the pass mark\n",
     "line 2: 'pass_mark' is already a built-in placeholder — use it as it is, or choose another name for a new one"),
    ("placeholders:\n  trading_standards:\n",
     "line 2: the placeholder 'trading_standards' has no description on its line — write what it is after the colon, "
     "e.g. 'trading_standards: the local trading standards service'"),
    ("placeholders:\n  trading_standards: a\n  trading_standards: b\n",
     "line 3: the placeholder 'trading_standards' is listed twice — keep one of the two lines"),
    ("placeholder:\n  trading_standards: the service\n", "line 1: 'placeholder' is not a part of a vocabulary — did you mean 'placeholders'?"),
    ("placeholders:\n  trading_standards: the service: in York\n",
     "line 2, 'trading_standards: the service: in York', is not valid YAML — write it as in docs/authoring.md, section 7: "
     "'priority_areas:' and 'placeholders:', each with indented 'name: what it is' lines"),
    ("placeholders:\n\ttrading_standards: the service\n",
     "line 2, 'trading_standards: the service', is not valid YAML — write it as in docs/authoring.md, section 7: "
     "'priority_areas:' and 'placeholders:', each with indented 'name: what it is' lines"),
    ("placeholders: trading_standards\n",
     "line 1: 'placeholders' must hold one indented 'name: what it is' line for each placeholder — write it as in docs/authoring.md, "
     "section 7: 'priority_areas:' and 'placeholders:', each with indented 'name: what it is' lines"),
])
def test_is_each_mistake_in_a_vocabulary_reported_with_its_file_and_line(courses, text, expected):
    courses.mkdir(parents=True)
    vocabulary = courses / "vocabulary.yaml"
    vocabulary.write_text(text)
    path = write_notebook(courses / "m.ipynb", "# Page\n\nText.", ASSESSMENT, QUESTION)
    assert [str(p) for p in check([path])] == [f"{vocabulary}: {expected}"]


def test_is_a_vocabulary_problem_reported_once_and_its_good_entries_kept(courses):
    courses.mkdir(parents=True)
    vocabulary = courses / "vocabulary.yaml"
    vocabulary.write_text(VOCABULARY + "  Bad Name: x\n")
    found = [str(p) for p in check([fraud_module(courses, "a.ipynb"), fraud_module(courses, "b.ipynb")])]
    assert found == [f"{vocabulary}: line 6: the placeholder name 'Bad Name' is not allowed — use lower-case letters, digits and "
                     "underscores, e.g. trading_standards"]


def test_does_a_changed_vocabulary_rebuild_the_modules_it_serves(courses, tmp_path):
    courses.mkdir(parents=True)
    path = write_notebook(courses / "m.ipynb", "# Page\n\nText.", ASSESSMENT, QUESTION)
    assert build([path], tmp_path / "out").built
    assert build([path], tmp_path / "out").skipped == [path]
    (courses / "vocabulary.yaml").write_text(VOCABULARY)  # a new file counts as a change
    assert build([path], tmp_path / "out").built
    assert build([path], tmp_path / "out").skipped == [path]
