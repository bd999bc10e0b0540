"""Is text pasted from Word or a spreadsheet shown as the trainer meant (tables, lists, placeholders), or
reported once per cell with how to paste it again?"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from authoring import build, check
from tests.builders import QUESTION, write_notebook

ASSESSMENT = "# Assessment\n\nAnswer the question."
WORD_FIX = ("paste it again as plain text: in JupyterLab use Ctrl+Shift+V, or paste into Notepad first, "
            "then re-apply headings and lists in Markdown")
TABLE_FIX = ("give every row the same columns and paste it again (a spreadsheet cell with a line break inside splits its row: "
             "remove the line break), or write the table in Markdown, one '| heading | heading |' line per row")
# A paragraph and a three-item list as Word puts them on the clipboard (trimmed: Word's real header is longer).
WORD_HTML = """<!--[if gte mso 9]><xml>
 <w:WordDocument>
  <w:View>Normal</w:View>
  <w:Zoom>0</w:Zoom>
 </w:WordDocument>
</xml><![endif]--><!--[if gte mso 10]>
<style>
 table.MsoNormalTable {mso-style-name:"Table Normal"; mso-tstyle-rowband-size:0;}
</style>
<![endif]-->
<p class="MsoNormal" style="margin-bottom:0cm;line-height:normal"><b><span style="font-size:14.0pt;font-family:&quot;Arial&quot;,sans-serif;mso-fareast-font-family:&quot;Times New Roman&quot;">What is a hate crime?<o:p></o:p></span></b></p>
<p class="MsoNormal" style="line-height:normal"><span style="font-size:12.0pt;font-family:&quot;Arial&quot;,sans-serif">A hate crime is any criminal offence which is perceived by the victim or any other person to be motivated by hostility or prejudice.<o:p></o:p></span></p>
<p class="MsoListParagraphCxSpFirst" style="text-indent:-18.0pt;mso-list:l0 level1 lfo1"><![if !supportLists]><span style="font-family:Symbol;mso-fareast-font-family:Symbol">·<span style="font:7.0pt &quot;Times New Roman&quot;">&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span><![endif]><span style="font-size:12.0pt;font-family:&quot;Arial&quot;,sans-serif">race or ethnicity<o:p></o:p></span></p>
<p class="MsoListParagraphCxSpMiddle" style="text-indent:-18.0pt;mso-list:l0 level1 lfo1"><![if !supportLists]><span style="font-family:Symbol">·<span style="font:7.0pt &quot;Times New Roman&quot;">&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span><![endif]><span style="font-size:12.0pt">religion or belief<o:p></o:p></span></p>
<p class="MsoListParagraphCxSpLast" style="text-indent:-18.0pt;mso-list:l0 level1 lfo1"><![if !supportLists]><span style="font-family:Symbol">·<span style="font:7.0pt &quot;Times New Roman&quot;">&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span><![endif]><span style="font-size:12.0pt">sexual orientation<o:p></o:p></span></p>
<p class="MsoNormal"><span style="font-size:12.0pt;font-family:&quot;Arial&quot;,sans-serif;color:#1F4E79">Report it to {{hate_crime_reporting}}.<o:p></o:p></span></p>"""
GOOGLE_DOCS_HTML = ('<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-4f1c2a7e-7fff-1b2c-93d4-0a1b2c3d4e5f">'
                    '<p dir="ltr" style="line-height:1.38;margin-top:0pt;margin-bottom:0pt;"><span style="font-size:11pt;font-family:Arial,sans-serif;'
                    'color:#000000;background-color:transparent;font-weight:400;">Notice, check, share.</span></p></b>')
REPORTS_TABLE = "\tJan\tFeb\tMar\nReports\t12\t15\t19\nSolved | closed\t4\t6\t7"  # as Excel copies it: no header over the row names
GOVUK_TABLE = (
    '<table class="govuk-table">\n<thead class="govuk-table__head">\n<tr class="govuk-table__row">\n'
    '  <th class="govuk-table__header"></th>\n  <th class="govuk-table__header">Jan</th>\n'
    '  <th class="govuk-table__header">Feb</th>\n  <th class="govuk-table__header">Mar</th>\n</tr>\n</thead>\n'
    '<tbody class="govuk-table__body">\n<tr class="govuk-table__row">\n  <td class="govuk-table__cell">Reports</td>\n'
    '  <td class="govuk-table__cell">12</td>\n  <td class="govuk-table__cell">15</td>\n  <td class="govuk-table__cell">19</td>\n</tr>\n'
    '<tr class="govuk-table__row">\n  <td class="govuk-table__cell">Solved | closed</td>\n  <td class="govuk-table__cell">4</td>\n'
    '  <td class="govuk-table__cell">6</td>\n  <td class="govuk-table__cell">7</td>\n</tr>\n</tbody>\n</table>\n')


def write_module(path: Path, *lesson_cells: str) -> Path:
    """A complete module whose first page is the given Markdown cells, then an assessment."""
    return write_notebook(path, *lesson_cells, ASSESSMENT, QUESTION)


def problems_for(path: Path) -> list[str]:
    return [str(p) for p in check([path])]


def built(tmp_path: Path, path: Path) -> dict:
    """The manifest learners' pages come from."""
    report = build([path], tmp_path / "out")
    assert report.built, [str(p) for p in report.problems]
    return json.loads((tmp_path / "out" / "tiny-module" / "manifest.json").read_text(encoding="utf-8"))


def first_page_html(manifest: dict) -> str:
    return "".join(block["html"] for block in manifest["pages"][0]["blocks"] if block["type"] == "html")


@pytest.mark.parametrize("table", [REPORTS_TABLE, REPORTS_TABLE.replace("\n", "\r\n")])
def test_is_a_table_pasted_from_a_spreadsheet_shown_as_a_govuk_table(tmp_path, table):
    path = write_module(tmp_path / "m.ipynb", f"# Reports in York\n\nReports this year:\n{table}\nMost were online.")
    assert problems_for(path) == []
    assert first_page_html(built(tmp_path, path)) == (
        f'<p class="govuk-body">Reports this year:</p>\n{GOVUK_TABLE}<p class="govuk-body">Most were online.</p>\n')


def test_is_a_word_table_pasted_as_text_shown_as_a_table_with_its_first_row_as_header(tmp_path):
    word_table = "Who\tWhat they do\nSafeguarding lead\tDecides whether to refer\nPrevent team\tAssesses the referral"
    path = write_module(tmp_path / "m.ipynb", "# Who does what\n\n" + word_table)
    assert problems_for(path) == []
    shown = first_page_html(built(tmp_path, path))
    assert shown.count('<th class="govuk-table__header">') == 2 and shown.count('<td class="govuk-table__cell">') == 4
    assert '<th class="govuk-table__header">What they do</th>' in shown and "\t" not in shown


def test_are_rows_with_different_numbers_of_columns_one_error_for_the_cell(tmp_path):
    ragged = "Month\tReports\tSolved\nJanuary\t12\nFebruary\t9\t3\n\nSecond table\tCount\nA\tB\tC"
    path = write_module(tmp_path / "m.ipynb", "# Reports\n\n" + ragged)
    assert problems_for(path) == [
        f"{path}:cell 2: lines 3 to 5 of this cell look like a table pasted from a spreadsheet or Word (columns separated by tabs), "
        f"but line 4 has 2 columns and line 3 has 3 — {TABLE_FIX}"]
    assert build([path], tmp_path / "out").failed == [path]


@pytest.mark.parametrize(("cell", "expected"), [
    ("# Code\n\n```\nname\tvalue\nid\t42\n```", '<pre class="sl-code"><code>name\tvalue\nid\t42\n</code></pre>'),
    ("# Steps\n\n- Write down what you saw\n\tdate\ttime\n\tplace\tpeople", "<li>Write down what you saw\ndate\ttime\nplace\tpeople</li>"),
    ("# Steps\n\n1.\tNotice\n2.\tCheck\n3.\tShare", '<ol class="govuk-list govuk-list--number">\n<li>Notice</li>\n<li>Check</li>\n<li>Share</li>\n</ol>'),
    ("# One row\n\nName:\tSam Jones", '<p class="govuk-body">Name:\tSam Jones</p>'),
])
def test_are_tabs_in_code_lists_and_single_lines_left_alone(tmp_path, cell, expected):
    path = write_module(tmp_path / "m.ipynb", cell)
    assert problems_for(path) == []
    shown = first_page_html(built(tmp_path, path))
    assert expected in shown and "<table" not in shown


@pytest.mark.parametrize("pasted", [WORD_HTML, GOOGLE_DOCS_HTML])
def test_is_formatted_text_from_word_one_error_for_the_cell_not_one_per_tag(tmp_path, pasted):
    path = write_module(tmp_path / "m.ipynb", "# Hate crime\n\n" + pasted)
    assert problems_for(path) == [f"{path}:cell 2: this cell holds text pasted from Word with its formatting (HTML) — {WORD_FIX}"]
    report = build([path], tmp_path / "out")
    assert report.failed == [path] and not (tmp_path / "out" / "tiny-module").exists()
    assert [str(p) for p in report.problems] == [f"{path}:cell 2: this cell holds text pasted from Word with its formatting (HTML) — {WORD_FIX}"]


def test_is_each_cell_with_word_formatting_reported_once(tmp_path):
    path = write_module(tmp_path / "m.ipynb", "# Hate crime\n\n" + WORD_HTML, WORD_HTML + "\n\nAnd some text of my own.")
    assert problems_for(path) == [f"{path}:cell {n}: this cell holds text pasted from Word with its formatting (HTML) — {WORD_FIX}" for n in (2, 3)]


def test_is_html_a_trainer_wrote_still_reported_tag_by_tag(tmp_path):
    path = write_module(tmp_path / "m.ipynb", '# Page\n\nText <span style="color:red">in red</span>.')
    assert problems_for(path) == [f"{path}:cell 2: an attribute of <span> will be removed (scripts, styles and event handlers are not allowed) — use plain Markdown formatting"]


def test_is_word_html_shown_as_an_example_in_fenced_code_left_alone(tmp_path):
    path = write_module(tmp_path / "m.ipynb", '# What Word pastes\n\n```html\n<p class="MsoNormal">Text<o:p></o:p></p>\n```')
    assert problems_for(path) == []
    assert "&lt;o:p&gt;" in first_page_html(built(tmp_path, path))


def test_is_a_list_pasted_from_word_shown_as_a_list(tmp_path):
    pasted = "Signs to look out for:\n•\tChanges in behaviour\n•\tNew friends online\no\tespecially older ones\n• Talk of \u201cthem and us\u201d"
    path = write_module(tmp_path / "m.ipynb", "# Signs\n\n" + pasted)
    assert problems_for(path) == []
    assert first_page_html(built(tmp_path, path)) == (
        '<p class="govuk-body">Signs to look out for:</p>\n<ul class="govuk-list govuk-list--bullet">\n<li>Changes in behaviour</li>\n'
        '<li>New friends online<ul class="govuk-list govuk-list--bullet">\n<li>especially older ones</li>\n</ul>\n</li>\n'
        '<li>Talk of \u201cthem and us\u201d</li>\n</ul>\n')


def test_is_a_list_word_made_with_en_dashes_shown_as_a_list(tmp_path):
    path = write_module(tmp_path / "m.ipynb", "# Who to tell\n\nTell one of:\n\u2013 your line manager\n\u2013 your safeguarding lead")
    assert problems_for(path) == []
    assert first_page_html(built(tmp_path, path)) == (
        '<p class="govuk-body">Tell one of:</p>\n<ul class="govuk-list govuk-list--bullet">\n<li>your line manager</li>\n'
        "<li>your safeguarding lead</li>\n</ul>\n")


@pytest.mark.parametrize(("cell", "expected"), [
    ("# Quote\n\nPrevent is about safeguarding.\n\u2013 Home Office guidance", "Prevent is about safeguarding.\n\u2013 Home Office guidance"),
    ("# Law\n\n\u00a7 12 of the Act applies.", "\u00a7 12 of the Act applies."),
    ("# Choices\n\no dear, said Sam.", "o dear, said Sam."),
])
def test_are_dashes_and_signs_that_are_not_bullets_left_alone(tmp_path, cell, expected):
    path = write_module(tmp_path / "m.ipynb", cell)
    assert problems_for(path) == []
    shown = first_page_html(built(tmp_path, path))
    assert expected in shown and "<ul" not in shown


@pytest.mark.parametrize("placeholder", ["{{\u00a0prevent_team\u00a0}}", "{{prevent_team\u200b}}", "{\u200b{prevent_team}}", "{{\ufeffprevent_team}}"])
def test_is_a_placeholder_with_invisible_characters_pasted_in_filled(tmp_path, placeholder):
    path = write_module(tmp_path / "m.ipynb", f"# Contacts\n\nContact the local Prevent team: {placeholder}.")
    assert problems_for(path) == []
    assert first_page_html(built(tmp_path, path)) == '<p class="govuk-body">Contact the local Prevent team: {{prevent_team}}.</p>\n'


def test_does_a_heading_with_a_non_breaking_space_still_start_a_page(tmp_path):
    path = write_module(tmp_path / "m.ipynb", "#\u00a0Reporting\n\nCall 999 in an emergency.", "\u200b## What\u00a0to do\n\nWrite it down.")
    assert problems_for(path) == []
    manifest = built(tmp_path, path)
    assert manifest["pages"][0]["title"] == "Reporting"
    assert '<h2 class="govuk-heading-m">What to do</h2>' in first_page_html(manifest)


def test_is_a_question_pasted_with_non_breaking_spaces_still_a_question_with_its_answer_key_hidden(tmp_path):
    pasted = ("###\u00a0Knowledge\u00a0check\n\nWho decides whether to refer?\n\n"
              "-\u00a0[\u00a0] You, on your own\n  >\u00a0Share the concern first.\n"
              "- [x]\u00a0Your safeguarding lead\n  > They know the local routes.")
    path = write_module(tmp_path / "m.ipynb", "# Referrals\n\nWho does what.", pasted)
    assert problems_for(path) == []
    manifest = built(tmp_path, path)
    assert [block["type"] for block in manifest["pages"][0]["blocks"]] == ["html", "question"]
    check_question = next(q for q in manifest["questions"] if not q["scored"])
    assert [o["html"] for o in check_question["options"]] == ["You, on your own", "Your safeguarding lead"]
    assert "[x]" not in json.dumps(manifest) and "They know the local routes" not in json.dumps(manifest["pages"])
    key = json.loads((tmp_path / "out" / "tiny-module" / "answer-key.json").read_text(encoding="utf-8"))
    assert key[check_question["id"]]["correct"] == [check_question["options"][1]["id"]]


def test_is_a_notebook_with_nothing_pasted_unchanged(tmp_path):
    from authoring.pasted import tidy_pasted
    from authoring.problems import ProblemList

    problems = ProblemList("m.ipynb")
    source = "# Page\n\n- [x] a\n  > b\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n```\n\tcode\n```"
    assert tidy_pasted(2, source, problems) == source and problems == []


SPLIT_ROW = ("but line {line} has no tabs, so the table would stop there and learners would see the rows after it as text with the "
             "tabs in it")


@pytest.mark.parametrize(("rows", "first", "last", "expected"), [
    ("Scam\tSign\tWhat to do\nDoorstep trader\tCold call\tSay no\nPhone\tPhone\tSafe account\nsplit line\tcontinues", 3, 6,
     "but line 6 has 2 columns and line 3 has 3"),
    ("Scam\tSign\tWhat to do\nDoorstep\ntrader\tCold call\tSay no\nPhone\tPhone\tSafe account", 3, 6, SPLIT_ROW.format(line=4)),
    ("Scam\tSign\tWhat to do\nDoorstep trader\tCold call\tSay no\nPhone\tPhone\tSafe\naccount\nBank\tPhone\tSafe account", 3, 7,
     SPLIT_ROW.format(line=6)),
    ("Scam\tSign\tWhat to do\nDoorstep trader\tCold call\tSay no\ntrader\nPhone\tPhone\tSafe account", 3, 6, SPLIT_ROW.format(line=5)),
])
def test_is_a_spreadsheet_row_split_by_a_line_break_one_error_never_a_paragraph_with_tabs(tmp_path, rows, first, last, expected):
    path = write_module(tmp_path / "m.ipynb", "# Scams\n\n" + rows)
    assert problems_for(path) == [
        f"{path}:cell 2: lines {first} to {last} of this cell look like a table pasted from a spreadsheet or Word (columns separated "
        f"by tabs), {expected} — {TABLE_FIX}"]
    report = build([path], tmp_path / "out")
    assert report.failed == [path] and not (tmp_path / "out" / "tiny-module").exists()  # learners never see the broken table


def test_are_tab_rows_inside_a_fake_code_fence_still_made_a_table(tmp_path):
    # '```a`b' is not a fence (a backtick fence's info has no backtick), so the rows are shown, as a table
    path = write_module(tmp_path / "m.ipynb", "# Reports\n\n```a`b\n\nMonth\tReports\nJanuary\t12")
    assert problems_for(path) == []
    shown = first_page_html(built(tmp_path, path))
    assert "<table" in shown and "\t" not in shown


def test_is_every_unicode_space_after_a_bullet_an_ordinary_space():
    import unicodedata

    from authoring.pasted import SPACES, tidy_pasted
    from authoring.problems import ProblemList

    assert set(SPACES) == {c for c in map(chr, range(0x110000)) if unicodedata.category(c) == "Zs"} - {" "}
    for space in SPACES:
        assert tidy_pasted(2, f"-{space}[{space}x{space}]{space}Right", ProblemList("m.ipynb")) == "- [x] Right"


def test_is_hostile_pasted_html_read_as_written():
    # Each was quadratic (seconds to minutes at this size) before the patterns were made linear; bench/check_hostile.py times them.
    from authoring.pasted import _plain_text, tidy_pasted
    from authoring.problems import ProblemList

    many = 20_000
    assert _plain_text("<!--[if x" * many) == "&lt;!--[if x" * many  # never closed: left as text, escaped
    assert _plain_text("a<!--[if gte mso 9]>b<![endif]-->c<!-- d -->e<style>p {}</style>f") == "acef"
    assert _plain_text("<" * many).count("&lt;") == many
    assert _plain_text("<style" * many).count("style") == many
    problems = ProblemList("m.ipynb")
    tidy_pasted(2, "- [" + "\u00a0" * 200_000 + "y\n" + "mso-" * many + "\n" + "<span " * many, problems)
    assert [p.message for p in problems] == []
