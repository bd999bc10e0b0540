"""Does the placeholder filler keep its behaviour, do linear work on hostile text, and does check refuse what it cannot fill?

And are the module's own {{pass_mark}} and {{question_count}} filled at build time, with a warning for numbers typed instead?
"""

from __future__ import annotations

import html
import json

import pytest

from authoring import build, check
from authoring.placeholders import fill_placeholders, placeholders_in, scan
from authoring.sanitise import sanitise
from tests.builders import QUESTION, pooled_question, settings_cell, write_notebook

VALUES = {"partnership_name": "Safer <Testville>", "prevent_team": "the Testville Prevent team"}
HOSTILE = sanitise("<p>{{" + "&#32;" * 30_000 + "</p>")  # the sanitiser turns the encoded spaces into spaces


@pytest.mark.parametrize(("text", "filled"), [
    ("Call {{prevent_team}}.", "Call the Testville Prevent team."),
    ("In {{ partnership_name }} and {{\tpartnership_name\n}}", "In Safer &lt;Testville&gt; and Safer &lt;Testville&gt;"),
    ("Ask {{channel_panel}}", "Ask [who chairs or co-ordinates the local Channel panel: ask your safeguarding lead]"),
    ("{{not-known}}", "[not-known: ask your safeguarding lead]"),
    ("{{{partnership_name}}}", "{Safer &lt;Testville&gt;}"),
    ("{{ partnership name }} and {{", "{{ partnership name }} and {{"),
    ("no braces at all", "no braces at all"),
])
def test_are_valid_placeholders_filled_as_before_and_the_rest_left_alone(text, filled):
    assert fill_placeholders(text, VALUES, html.escape) == filled


def test_is_a_hostile_page_left_as_it_is_and_every_brace_in_it_seen():
    """bench/placeholders.py measures the time (about 1,500 ms before, 0.1 ms after); this checks what it does."""
    hostile = HOSTILE + "{{ a " * 5_000 + "{{{{ " + "{{ " + "x" * 10_000
    assert fill_placeholders(hostile, VALUES, html.escape) == hostile
    assert placeholders_in(hostile) == []
    assert len(list(scan(hostile))) == 1 + 5_000 + 3 + 1  # overlapping `{{` are judged one by one


def _errors(tmp_path, *cells: str) -> list[str]:
    path = write_notebook(tmp_path / "m.ipynb", *cells)
    return [str(p) for p in check([path]) if p.is_error]


def test_is_an_unclosed_placeholder_refused_with_cell_and_fix(tmp_path):
    errors = _errors(tmp_path, "# Contacts\n\nCall {{prevent_team now.", "# Assessment\n\nGo.", QUESTION)
    assert any(e.startswith(f"{tmp_path / 'm.ipynb'}:cell 2: '{{{{prevent_team now.' opens a placeholder that is not closed — write a placeholder as")
               for e in errors), errors


def test_is_a_hostile_run_of_encoded_spaces_refused_by_check(tmp_path):
    errors = _errors(tmp_path, "# Contacts\n\nCall {{" + "&#32;" * 5_000, "# Assessment\n\nGo.", QUESTION)
    assert any("cell 2: '{{' opens a placeholder that is not closed" in e for e in errors), errors


def test_are_encoded_braces_checked_as_the_filler_sees_them(tmp_path):
    errors = _errors(tmp_path, "# Contacts\n\nCall &#123;&#123;prevent_phone}}.", "# Assessment\n\nGo.", QUESTION)
    assert any("cell 2: unknown placeholder {{prevent_phone}} — use one of: {{partnership_name}}" in e for e in errors), errors


def test_is_a_name_that_is_not_a_plain_identifier_refused(tmp_path):
    errors = _errors(tmp_path, "# Contacts\n\nCall {{Prevent.Team}}.", "# Assessment\n\nGo.", QUESTION)
    assert any("cell 2: the placeholder {{Prevent.Team}} is not a plain name — use lower-case letters" in e for e in errors), errors


def test_is_a_bad_placeholder_in_a_question_option_refused(tmp_path):
    question = QUESTION.replace("Your safeguarding lead", "Your safeguarding lead at {{ partnership_name")
    errors = _errors(tmp_path, "# Assessment\n\nGo.", question)
    assert any("cell 3: '{{ partnership_name' opens a placeholder that is not closed" in e for e in errors), errors


# The module's own placeholders, {{pass_mark}} and {{question_count}}, filled from its settings when it is built

FILLED_EVERYWHERE = ("### Question (scenario) {#asked}\n\nThe module asks {{question_count}} questions.\n\n"
                     "Which pass mark does it set?\n\n"
                     "- [x] {{pass_mark}}%\n  > The settings set {{pass_mark}}%, and each attempt asks {{question_count}} questions.\n"
                     "- [ ] 100%\n  > The settings set {{pass_mark}}%, not 100%.\n")


def _built(tmp_path, *cells: str, **settings: object) -> tuple[dict, dict]:
    source = write_notebook(tmp_path / "src" / "m.ipynb", *cells, settings=settings_cell(**settings))
    report = build([source], tmp_path / "out")
    assert report.built and not report.failed, report.problems
    folder = report.built[0]
    return json.loads((folder / "manifest.json").read_text()), json.loads((folder / "answer-key.json").read_text())


def test_are_pass_mark_and_question_count_filled_in_pages_questions_and_feedback(tmp_path):
    manifest, key = _built(tmp_path, "# About\n\nThere are {{question_count}} questions. You need {{pass_mark}}% to pass.",
                           "# Assessment\n\nAnswer all {{ question_count }} questions.", FILLED_EVERYWHERE,
                           pooled_question(1, 1), pooled_question(1, 2),
                           pass_mark=70, assessment={"questions": 2})
    assert "There are 2 questions. You need 70% to pass." in manifest["pages"][0]["blocks"][0]["html"]
    assert "Answer all 2 questions." in manifest["pages"][1]["blocks"][0]["html"]
    question = next(q for q in manifest["questions"] if q["id"] == "asked")
    assert "The module asks 2 questions." in question["case_study"]
    assert question["options"][0]["html"] == "70%"
    assert sorted(key["asked"]["feedback"].values()) == ["The settings set 70%, and each attempt asks 2 questions.", "The settings set 70%, not 100%."]
    assert "{{" not in json.dumps(manifest) + json.dumps(key)


def test_is_the_question_count_the_whole_pool_when_the_settings_do_not_say(tmp_path):
    manifest, _key = _built(tmp_path, "# Assessment\n\nAnswer all {{question_count}} questions.", *(pooled_question(1, n) for n in range(1, 4)))
    assert "Answer all 3 questions." in manifest["pages"][0]["blocks"][0]["html"]


def test_are_partnership_placeholders_left_for_the_lms_to_fill(tmp_path):
    manifest, _key = _built(tmp_path, "# Assessment\n\nYou need {{pass_mark}}%. Ask {{prevent_team}}.", pooled_question(1, 1))
    assert "You need 80%. Ask {{prevent_team}}." in manifest["pages"][0]["blocks"][0]["html"]


# Numbers typed by hand that disagree with the settings

def _warnings(tmp_path, *cells: str, **settings: object) -> list[str]:
    path = write_notebook(tmp_path / "m.ipynb", *cells, settings=settings_cell(**settings))
    return [str(p) for p in check([path]) if not p.is_error]


POOL = tuple(pooled_question(1, n) for n in range(1, 13))  # 12 scored questions


def test_is_a_typed_pass_mark_that_differs_from_the_setting_a_warning(tmp_path):
    found = _warnings(tmp_path, "# About\n\nYou need 70% to pass.", "# Assessment\n\nGo.", *POOL, pass_mark=80)
    assert found == [f"{tmp_path / 'm.ipynb'}:cell 2: warning: the text says 70% to pass but pass_mark is 80 — "
                     "write {{pass_mark}}% instead of the number, so the text follows the setting"]


def test_is_a_typed_question_count_that_differs_from_the_setting_a_warning(tmp_path):
    found = _warnings(tmp_path, "# About\n\nThe assessment has 12 questions.", "# Assessment\n\nGo.", *POOL, assessment={"questions": 10})
    assert found == [f"{tmp_path / 'm.ipynb'}:cell 2: warning: the text says 12 questions but each attempt asks 10 — "
                     "write {{question_count}} questions instead of the number, so the text follows the settings"]


def test_is_any_count_of_questions_on_the_assessment_page_checked(tmp_path):
    found = _warnings(tmp_path, "# Assessment\n\nThere are 12 questions.", *POOL, assessment={"questions": 10})
    assert [f.split(" — ")[0] for f in found] == [f"{tmp_path / 'm.ipynb'}:cell 2: warning: the text says 12 questions but each attempt asks 10"]


def test_is_the_warning_on_the_cell_that_states_the_number(tmp_path):
    """A page can run to many cells; the trainer needs the one to edit, not the page heading's."""
    found = _warnings(tmp_path, "# About\n\nWelcome.", "You need 70% to pass.", "# Assessment\n\nGo.", *POOL, pass_mark=80)
    assert [f.split(" — ")[0] for f in found] == [f"{tmp_path / 'm.ipynb'}:cell 3: warning: the text says 70% to pass but pass_mark is 80"]


@pytest.mark.parametrize("text", [
    "The DASH checklist has 24 questions.",  # a lesson about a checklist, not about the assessment
    "You need 80% to pass. The assessment has 10 questions.",  # the numbers the settings give
    "You need {{pass_mark}}% to pass. The assessment has {{question_count}} questions.",
])
def test_are_numbers_that_agree_or_are_about_something_else_left_alone(tmp_path, text):
    assert _warnings(tmp_path, "# About\n\n" + text, "# Assessment\n\nGo.", *POOL, assessment={"questions": 10}) == []


@pytest.mark.parametrize("written", ["{prevent_team}", "{ prevent_team }", "{prevent_team}}"])
def test_is_a_placeholder_written_with_single_braces_an_error_so_learners_never_read_its_name(tmp_path, written):
    path = write_notebook(tmp_path / "m.ipynb", f"# Page\n\nCall the Prevent team: {written}.", "# Assessment", QUESTION)
    found = [str(p) for p in check([path]) if p.is_error]
    assert found == [f"{path}:cell 2: '{{prevent_team}}' has one brace on each side, so learners would see it as written — "
                     "write the placeholder with two braces on each side: {{prevent_team}}"]
    assert build([path], tmp_path / "out").built == []


def test_are_single_braces_around_other_words_left_alone(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", "# Page\n\nSets are written {a, b}; maths $\\frac{a}{b}$; {lang} and {prevent}.",
                          "# Assessment", QUESTION)
    assert [str(p) for p in check([path])] == []
