"""Is every settings mistake that would change what is published an error naming the line to edit, and the fix?

Issue 13: what learners see and what is published is what the trainer meant, or an error. Line numbers
count the settings cell's lines as JupyterLab shows them: the opening '---' is line 1.
"""

from __future__ import annotations

import json
import os

import pytest

from authoring import build, check
from tests.builders import QUESTION, write_notebook

PAGE = "# A page\n\nSome lesson text."
ASSESSMENT = "# Assessment\n\nAnswer the question."
BASE = """---
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
---"""


def settings(replace: str = "", by: str = "", add: str = "") -> str:
    """BASE with one line replaced (or lines added before the closing '---')."""
    text = BASE.replace(replace, by, 1) if replace else BASE
    assert replace in BASE
    return text[:-3] + add + "---" if add else text


def errors(tmp_path, text: str) -> list[str]:
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=text)
    prefix = f"{path}:cell 1: "
    return [str(p).removeprefix(prefix) for p in check([path]) if p.is_error]


def test_is_the_base_settings_cell_clean(tmp_path):
    assert errors(tmp_path, BASE) == []


# Misspelt settings: the default would be published instead of what was written

@pytest.mark.parametrize(("line", "expected"), [
    ("contentnote: true\n", "unknown setting 'contentnote' on line 14: it would be ignored, so the module would get the default "
     "content_note, false — did you mean 'content_note'? Write it exactly so: 'content_note: true'"),
    ("content-note: true\n", "unknown setting 'content-note' on line 14: it would be ignored, so the module would get the default "
     "content_note, false — did you mean 'content_note'? Write it exactly so: 'content_note: true'"),
    ("Content_note: true\n", "unknown setting 'Content_note' on line 14: it would be ignored, so the module would get the default "
     "content_note, false — did you mean 'content_note'? Write it exactly so: 'content_note: true'"),
    ("pass mark: 70\n", "unknown setting 'pass mark' on line 14: it would be ignored, so the module would get the default "
     "pass_mark, 80 — did you mean 'pass_mark'? Write it exactly so: 'pass_mark: 70'"),
    ("passmark: 70\n", "unknown setting 'passmark' on line 14: it would be ignored, so the module would get the default "
     "pass_mark, 80 — did you mean 'pass_mark'? Write it exactly so: 'pass_mark: 70'"),
    ("language: cy\n", "unknown setting 'language' on line 14: it would be ignored, so the module would get the default "
     "lang, English — did you mean 'lang'? Write it exactly so: 'lang: cy'"),
])
def test_is_a_misspelt_setting_an_error_that_names_the_setting_meant(tmp_path, line, expected):
    assert errors(tmp_path, settings(add=line)) == [expected]


def test_is_a_misspelt_required_setting_reported_once_with_the_setting_meant(tmp_path):
    # Trainer exercise 1: "setting 'review_by' is missing" as well said the same thing twice, and build called it a warning.
    found = errors(tmp_path, settings("review_by: 2099-01-01", "reviewby: 2099-01-01"))
    assert found == ["unknown setting 'reviewby' on line 10: it would be ignored, so 'review_by' is missing — "
                     "did you mean 'review_by'? Write it exactly so: 'review_by: 2099-01-01'"]


def test_is_a_misspelt_assessment_setting_an_error(tmp_path):
    found = errors(tmp_path, settings(add="assessment:\n  Questions: 1\n  after-fail: wait\n"))
    assert found == ["unknown assessment setting 'Questions' — did you mean 'questions'?",
                     "unknown assessment setting 'after-fail' — did you mean 'after_fail'?"]


def test_is_an_unknown_setting_like_no_other_still_only_a_warning(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=settings(add="colour: blue\n"))
    assert [str(p) for p in check([path])] == [
        f"{path}:cell 1: warning: unknown setting 'colour' on line 14 is ignored — check its spelling against docs/authoring.md"]


def test_does_a_misspelt_pass_mark_stop_the_build(tmp_path):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=settings("pass_mark: 80", "passmark: 70"))
    report = build([path], tmp_path / "out")
    assert report.failed == [path] and not (tmp_path / "out" / "tiny-module").exists()


def test_is_a_setting_written_twice_an_error(tmp_path):
    assert errors(tmp_path, settings(add="pass_mark: 70\n")) == [
        "setting 'pass_mark' is written twice, on lines 7 and 14 — keep one of the two lines: only the last one would be used"]


# YAML that cannot be read: the line to edit, quoted, and how to write it

@pytest.mark.parametrize(("replace", "by", "expected"), [
    ("title: Tiny module", "title: Prevent: what to do",
     "line 3, 'title: Prevent: what to do', has a colon in the title, which YAML cannot read — "
     "put the title in double quotes: title: \"Prevent: what to do\""),
    ("title: Tiny module", 'title: "Prevent awareness',
     "line 3, 'title: \"Prevent awareness', opens a quote that is not closed — "
     "end the value with a matching \" on the same line: title: \"Prevent awareness\""),
    ("pass_mark: 80", "pass_mark:80", "line 7, 'pass_mark:80', has no space after the colon — write 'pass_mark: 80'"),
    ("pass_mark: 80", "pass_mark 80",
     "line 7, 'pass_mark 80', is not a 'name: value' line — write it as 'name: value', with a colon and a space after the name"),
    ("    url: https://www.gov.uk/report-hate-crime", "  url: https://www.gov.uk/report-hate-crime",
     "line 13, 'url: https://www.gov.uk/report-hate-crime', is not laid out as the settings expect — line it up with the sources "
     "above: each source starts '  - title: ...' and its '    url: ...' lines up under 'title'"),
    ("  - title: Hate crime guidance", " - title: Hate crime guidance\n  - title: Second\n    url: https://www.gov.uk/x",
     "line 13, '- title: Second', is not laid out as the settings expect — line it up with the sources above: each source starts "
     "'  - title: ...' and its '    url: ...' lines up under 'title'"),
    ("    url: https://www.gov.uk/report-hate-crime", "\turl: https://www.gov.uk/report-hate-crime",
     "line 13 is indented with a tab — use spaces: two for each level of indent, as in docs/authoring.md"),
    ("title: Tiny module", "title: “Hate crime: awareness”",
     "line 3, 'title: “Hate crime: awareness”', has a colon in the title, and curly quotes around it, which YAML does not read as "
     "quotes — use straight double quotes: title: \"Hate crime: awareness\""),
    ("title: Tiny module", 'title: "Prevent" awareness',
     "line 3, 'title: \"Prevent\" awareness', has more text after the closing quote — put the whole title in single quotes: "
     "title: '\"Prevent\" awareness'"),
])
def test_is_yaml_that_cannot_be_read_reported_at_the_line_to_edit(tmp_path, replace, by, expected):
    assert errors(tmp_path, settings(replace, by)) == [expected]


def test_is_a_colon_in_an_owner_given_the_owner_s_fix(tmp_path):
    assert errors(tmp_path, settings("owner: Test team", "owner: Prevent lead: York")) == [
        "line 9, 'owner: Prevent lead: York', has a colon in the owner, which YAML cannot read — "
        "put the owner in double quotes: owner: \"Prevent lead: York\""]


def test_are_colons_inside_folded_version_notes_left_alone(tmp_path):
    assert errors(tmp_path, settings(add="version_notes: >-\n  First version: checked.\n  Next: review.\n")) == []


# Values YAML reads, but not as what the trainer wrote

@pytest.mark.parametrize(("replace", "by", "expected"), [
    ("title: Tiny module", "title: “Hate crime awareness”",
     "the title on line 3 is wrapped in curly quotes, which would show in the title — use straight double quotes or none: "
     "title: \"Hate crime awareness\""),
    ("title: Tiny module", "title: ‘Hate crime awareness’",
     "the title on line 3 is wrapped in curly quotes, which would show in the title — use straight double quotes or none: "
     "title: \"Hate crime awareness\""),
    ("title: Tiny module", "title: yes", "title 'yes' on line 3 is read as true-or-false, not as text — put it in double quotes: title: \"yes\""),
    ("title: Tiny module", "title: 1.10", "title '1.10' on line 3 is read as a number, not as text — put it in double quotes: title: \"1.10\""),
    ("title: Tiny module", "title: [Hate, crime]",
     "title on line 3 is a list, not text — write the title on the same line as 'title:', in double quotes if it starts with [ or {"),
    ("audience: Test learners", "audience:\n  who: staff",
     "audience on line 4 is a group of settings, not text — write the audience on the same line as 'audience:', in double quotes "
     "if it starts with [ or {"),
    ("pass_mark: 80", "pass_mark: [80]", "pass_mark '[80]' is not a whole number — write a whole number from 1 to 100"),
    ("review_by: 2099-01-01", "review_by: [2099]", "review_by '[2099]' is not a date — write the date as YYYY-MM-DD, e.g. 2027-09-30"),
    ("  - title: Hate crime guidance", "  - title: “Hate crime guidance”",
     "the title of guidance source 1 is wrapped in curly quotes, which would show in it — use straight double quotes or none: "
     "title: \"Hate crime guidance\""),
    ("priority_area: hate-crime", "priority_area: hate crime",
     "priority_area 'hate crime' is not one of ours — did you mean 'hate-crime'? Use one of: counter-terrorism, domestic-abuse, "
     "serious-organised-crime, hate-crime, or add your own in courses/vocabulary.yaml (docs/authoring.md, section 7)"),
])
def test_is_a_value_that_would_not_show_as_written_an_error(tmp_path, replace, by, expected):
    assert errors(tmp_path, settings(replace, by)) == [expected]


def test_does_an_inner_curly_quote_or_apostrophe_stay_allowed(tmp_path):
    assert errors(tmp_path, settings("title: Tiny module", "title: The “Prevent” duty and you’re part of it")) == []


# Starter values from `authoring new` (and older starters)

@pytest.mark.parametrize(("replace", "by", "expected"), [
    ("owner: Test team", "owner: Your name or team",
     "the owner on line 9 is still the starter's 'Your name or team' — write the person or team who keeps this module accurate, "
     "e.g. 'owner: Safer York Partnership Prevent lead'"),
    ("owner: Test team", 'owner: "TO DO: your name or team"',
     "the owner on line 9 is still the starter's 'TO DO: your name or team' — write the person or team who keeps this module "
     "accurate, e.g. 'owner: Safer York Partnership Prevent lead'"),
    ("priority_area: hate-crime", "priority_area: TO DO  # choose one",
     "the priority area on line 5 is not chosen yet — choose the priority area this module serves: counter-terrorism, "
     "domestic-abuse, serious-organised-crime, hate-crime; e.g. 'priority_area: counter-terrorism'; or add your own in "
     "courses/vocabulary.yaml (docs/authoring.md, section 7)"),
    ("    url: https://www.gov.uk/report-hate-crime", "    url: https://to-do.invalid/the-official-guidance",
     "guidance source 1 on line 12 is still the starter's example — replace it with the official guidance this module follows: "
     "'- title: ...' and 'url: https://...' under it"),
])
def test_is_a_starter_value_an_error_that_build_refuses(tmp_path, replace, by, expected):
    assert errors(tmp_path, settings(replace, by)) == [expected]
    path = tmp_path / "m.ipynb"
    assert build([path], tmp_path / "out").failed == [path]


# lang: the module's language

@pytest.mark.parametrize(("written", "stored"), [("cy", "cy"), ("pl", "pl"), ("ur", "ur"), ("en-gb", "en-GB"), ('"no"', "no")])
def test_is_a_language_tag_published_in_its_usual_form(tmp_path, written, stored):
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=settings(add=f"lang: {written}\n"))
    report = build([path], tmp_path / "out")
    assert report.built and not report.problems
    assert json.loads((tmp_path / "out" / "tiny-module" / "manifest.json").read_text())["settings"]["lang"] == stored


def test_does_a_module_without_lang_publish_settings_without_it(tmp_path):
    """So a module that does not say keeps the version hash it had before lang existed."""
    path = write_notebook(tmp_path / "m.ipynb", PAGE, ASSESSMENT, QUESTION, settings=BASE)
    build([path], tmp_path / "out")
    assert "lang" not in json.loads((tmp_path / "out" / "tiny-module" / "manifest.json").read_text())["settings"]


@pytest.mark.parametrize(("written", "expected"), [
    ("Welsh", "lang 'Welsh' on line 14 is not a language tag — write the short code: 'lang: cy'"),
    ("cymraeg-wales", "lang 'cymraeg-wales' on line 14 is not a language tag — write the language's short code, e.g. 'lang: cy' "
     "for Welsh or 'lang: pl' for Polish; leave lang out for English"),
    ("no", "lang 'no' on line 14 is read as true-or-false, not as text — put it in double quotes: lang: \"no\""),
])
def test_is_a_language_that_is_not_a_tag_an_error(tmp_path, written, expected):
    assert errors(tmp_path, settings(add=f"lang: {written}\n")) == [expected]


# Two notebooks with one id: the message goes to the copy, and never asks to change the original

def _two_with_one_id(tmp_path, original: str, copy: str):
    first = write_notebook(tmp_path / original, PAGE, ASSESSMENT, QUESTION, settings=settings("id: tiny-module", "id: prevent-awareness"))
    second = write_notebook(tmp_path / copy, PAGE, ASSESSMENT, QUESTION, settings=settings("id: tiny-module", "id: prevent-awareness"))
    return first, second


def test_is_the_shared_id_reported_on_the_newer_notebook_even_when_it_sorts_first(tmp_path):
    original, copy = _two_with_one_id(tmp_path, "b-original.ipynb", "a-copy.ipynb")
    os.utime(original, (1_700_000_000, 1_700_000_000))
    os.utime(copy, (1_800_000_000, 1_800_000_000))
    assert [str(p) for p in check([tmp_path])] == [
        f"{copy}:cell 1: module id 'prevent-awareness' is the id of {original} — give this notebook its own id in its settings "
        f"cell (e.g. 'id: a-copy'); leave the id of {original} as it is: changing a published module's id would start it again as a new module"]


def test_does_the_notebook_named_after_the_id_keep_it_even_when_it_was_edited_last(tmp_path):
    original, copy = _two_with_one_id(tmp_path, "prevent-awareness.ipynb", "prevent-city-businesses.ipynb")
    os.utime(copy, (1_700_000_000, 1_700_000_000))
    os.utime(original, (1_800_000_000, 1_800_000_000))  # a typo fixed in the original after it was copied
    found = [str(p) for p in check([tmp_path])]
    assert found == [f"{copy}:cell 1: module id 'prevent-awareness' is the id of {original} — give this notebook its own id in its "
                     f"settings cell (e.g. 'id: prevent-city-businesses'); leave the id of {original} as it is: changing a published "
                     "module's id would start it again as a new module"]


def test_does_build_write_the_original_and_refuse_the_copy(tmp_path):
    original, copy = _two_with_one_id(tmp_path, "z-original.ipynb", "a-copy.ipynb")
    os.utime(original, (1_700_000_000, 1_700_000_000))
    report = build([tmp_path], tmp_path / "out")
    assert report.failed == [copy]
    assert [p.path for p in report.problems] == [str(copy)]
    assert json.loads((tmp_path / "out" / "prevent-awareness" / "manifest.json").read_text())["source"] == "z-original.ipynb"
