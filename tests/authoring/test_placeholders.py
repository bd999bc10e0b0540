"""Does the placeholder filler keep its behaviour, do linear work on hostile text, and does check refuse what it cannot fill?"""

from __future__ import annotations

import html

import pytest

from authoring import check
from authoring.placeholders import fill_placeholders, placeholders_in, scan
from authoring.sanitise import sanitise
from tests.builders import QUESTION, write_notebook

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
