"""GIFT checked against gift-pegjs (npm), a GIFT parser written independently of ours: every course's export
parses and says what the notebook says, and a Moodle-style bank imports as gift-pegjs reads it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import lxml.html
import mistune
import pytest

from authoring import check, load
from authoring.gift import export_gift
from authoring.gift_import import import_gift
from tests.builders import settings_cell, write_notebook
from tests.conftest import ROOT

PARSER = ROOT / "tests" / "authoring" / "parse_gift.js"
BANK = ROOT / "tests" / "data" / "moodle-bank.gift"
COURSES = sorted((ROOT / "courses").glob("*.ipynb"))
TODAY = dt.date(2026, 1, 5)
UNSUPPORTED = {  # the bank's questions our format cannot hold: name -> what the report says, and words of its fix
    "::Days to respond::": ("numeric questions are not supported", "turn it into a choice"),
    "::Range::": ("numeric questions are not supported", "turn it into a choice"),
    "::Numbers::": ("matching questions are not supported", "one multiple-choice question for each pair"),
    "::Name the duty::": ("short answer questions are not supported", "add wrong options"),
    "::Reflect::": ("essay questions are not supported", "give the question options"),
    "::Checklist::": ("the question text is [html] with <ol>, which a notebook question cannot show as it is", "write the points as sentences"),
    "::Rota::": ("the question text is [html] with <table>, which a notebook question cannot show as it is", "as sentences or a list"),
    "::Poster::": ("option 1 is [html] with <img>, which a notebook question cannot show as it is", "Markdown image with alt text"),
}


def pegjs(text: str) -> list[dict]:
    """GIFT text as gift-pegjs reads it (run by node); fails the test if gift-pegjs refuses it."""
    result = subprocess.run(["node", str(PARSER)], input=text, capture_output=True, text=True, timeout=60, check=True)
    answer = json.loads(result.stdout)
    assert "error" not in answer, answer
    return answer["questions"]


def questions_with_categories(parsed: list[dict]) -> list[tuple[str, dict]]:
    """Each question gift-pegjs read, with the title of the $CATEGORY it comes under."""
    category, out = "", []
    for item in parsed:
        if item["type"] == "Category":
            category = item["title"]
        else:
            out.append((category, item))
    return out


# --- every course export -----------------------------------------------------------------------------

def markdown_as_exported(text: str) -> str:
    """Our [markdown] text as the export writes it: '->' (which GIFT reads as matching) as '-\\>', which Markdown shows as '->'."""
    exported = text.replace("->", "-\\>")
    assert mistune.html(exported) == mistune.html(text)
    return exported


def expected_choices(question) -> list[tuple]:
    """What our export means for each option: text, '=' or '~', weight, feedback, all in the question's [markdown]
    ('choose all that apply' gives the right options equal shares)."""
    share = round(100 / len(question.correct_ids), 5)
    feedback = [{"format": "markdown", "text": markdown_as_exported(o.feedback)} if o.feedback else None for o in question.options]
    if question.kind.multiple_answers:
        return [(("markdown", markdown_as_exported(o.text)), False, share if o.correct else -100, f) for o, f in zip(question.options, feedback, strict=True)]
    return [(("markdown", markdown_as_exported(o.text)), o.correct, None, f) for o, f in zip(question.options, feedback, strict=True)]


def pegjs_choices(parsed: dict) -> list[tuple]:
    return [((c["text"]["format"], c["text"]["text"]), c["isCorrect"], c["weight"], c["feedback"]) for c in parsed["choices"]]


def assert_exported_faithfully(parsed: dict, category: str, question, module_id: str) -> None:
    """One gift-pegjs question against the notebook question it was exported from."""
    text = f"{question.case_study}\n\n{question.stem}" if question.case_study else question.stem
    assert (parsed["title"], parsed["stem"]) == (question.id, {"format": "markdown", "text": markdown_as_exported(text)})
    assert category == (f"$course$/{module_id}/{question.outcome.replace('/', '//')}" if question.outcome else "")
    if question.kind.gift == "truefalse":
        right = next(o for o in question.options if o.correct)
        wrong = next(o for o in question.options if not o.correct)
        assert (parsed["type"], parsed["isTrue"]) == ("TF", right.text == "True")
        # Moodle reads the first feedback as the one for a wrong answer; gift-pegjs names them by position
        assert [parsed["trueFeedback"], parsed["falseFeedback"]] == [{"format": "markdown", "text": markdown_as_exported(o.feedback)} if o.feedback else None for o in (wrong, right)]
    else:
        assert parsed["type"] == "MC"
        assert pegjs_choices(parsed) == expected_choices(question)


@pytest.mark.parametrize("course", COURSES, ids=lambda p: p.stem)
def test_does_gift_pegjs_read_every_course_export_as_the_notebook_says(course: Path):
    module = load(course, TODAY)
    parsed = questions_with_categories(pegjs(export_gift(module)))
    assert len(parsed) == len(module.questions) >= 10
    for (category, item), question in zip(parsed, module.questions, strict=True):
        assert_exported_faithfully(item, category, question, module.settings.id)


SPECIAL_CELLS = (
    "# Lesson\n\nRead this.",
    "### Knowledge check {#kc-special}\n\nTime: 10:30. Is 2 + 2 = 4 ~ roughly, #1 {or} \\ not?\n\n"
    "- [x] Yes: = 4\n  > Right: #4 {four} ~ exactly.\n- [ ] No \\ never\n  > No: it is {4}.\n",
    "### Knowledge check {#kc-arrow}\n\nSpot it -> then what?\n\n- [x] Tell the lead -> then record it\n  > Yes -> and soon.\n- [ ] Wait\n",
    "### Knowledge check (true or false) {#kc-special-tf}\n\nA colon: is fine.\n\n- [ ] True\n  > No: #not.\n- [x] False\n  > Yes: {right}.\n",
)


def test_does_gift_pegjs_read_every_gift_special_character_our_export_writes(tmp_path: Path):
    module = load(write_notebook(tmp_path / "special.ipynb", *SPECIAL_CELLS, settings=settings_cell(title="Colons: and ~ = # { }")), TODAY)
    assert len(module.questions) == 3  # the module lacks an assessment; only its questions matter here
    text = export_gift(module)
    assert text.startswith("// Module: Colons: and ~ = # { }\n")
    parsed = questions_with_categories(pegjs(text))
    for (category, item), question in zip(parsed, module.questions, strict=True):
        assert_exported_faithfully(item, category, question, module.settings.id)


@pytest.mark.parametrize("course", COURSES, ids=lambda p: p.stem)
def test_does_every_course_export_import_and_export_again_unchanged_title_and_all(course: Path, tmp_path: Path):
    module = load(course, TODAY)
    first = export_gift(module)
    assert first.startswith(f"// Module: {module.settings.title}\n// Module id: {module.settings.id}\n")
    (tmp_path / "bank.gift").write_text(first, encoding="utf-8")
    notebook = tmp_path / f"{module.settings.id}.ipynb"
    assert import_gift(tmp_path / "bank.gift", notebook, today=TODAY).errors == []
    again = load(notebook, TODAY)
    assert again.settings.title == module.settings.title
    assert export_gift(again) == first


# --- a Moodle-style bank ------------------------------------------------------------------------------

def line_of(text: str, words: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if words in line)


def without_questions(text: str, first_lines: list[int]) -> str:
    """The bank with each question starting at one of `first_lines` taken out (up to the next blank line)."""
    kept, dropping = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        dropping = (dropping or number in first_lines) and bool(line.strip())
        kept.append("" if dropping else line)
    return "\n".join(kept) + "\n"


def test_are_the_banks_unsupported_questions_each_reported_with_their_line_and_fix(tmp_path: Path):
    text = BANK.read_text(encoding="utf-8")
    result = import_gift(BANK, tmp_path / "bank.ipynb", today=TODAY)
    expected = sorted((line_of(text, name), message, fix) for name, (message, fix) in UNSUPPORTED.items())
    reported = [str(p) for p in result.problems]
    assert len(reported) == len(expected)
    for problem, (line, message, fix) in zip(reported, expected, strict=True):
        where, rest = problem.split(": ", 1)
        assert where == f"{BANK}:line {line}" and rest.split(" — ")[0] == message and fix in rest.split(" — ")[1]
    assert not (tmp_path / "bank.ipynb").exists()


def visible(fragment: str) -> tuple[str, list[tuple[str, str]]]:
    """What a learner sees in an HTML fragment: its words, and which words are bold, emphasised or list items."""
    if not fragment.strip():
        return "", []
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in root.iter("br", "p", "li", "div", "ul", "ol"):
        element.tail = " " + (element.tail or "")
    same = {"b": "strong", "i": "em"}
    marks = sorted((same.get(e.tag, e.tag), " ".join(e.text_content().split())) for e in root.iter("strong", "b", "em", "i", "li"))
    return " ".join(root.text_content().split()), marks


def shown_by_pegjs(text: dict | None) -> tuple[str, list[tuple[str, str]]]:
    """gift-pegjs's text as Moodle shows its format: HTML as it is (Moodle's auto-format shows HTML too), Markdown rendered, plain as typed."""
    if text is None:
        return "", []
    if text["format"] in ("html", "moodle"):
        return visible(f"<p>{text['text']}</p>")
    if text["format"] == "markdown":
        return visible(mistune.html(text["text"]))
    return visible(f"<p>{mistune.escape(text['text'])}</p>")


def pegjs_meaning(parsed: dict) -> tuple[str, list[tuple]]:
    """A supported gift-pegjs question as kind and options (shown text, right?, shown feedback), in the file's order."""
    if parsed["type"] == "TF":
        truth = parsed["isTrue"]
        wrong, right = shown_by_pegjs(parsed["trueFeedback"]), shown_by_pegjs(parsed["falseFeedback"])
        return "true_false", [(("True",), truth, right if truth else wrong), (("False",), not truth, wrong if truth else right)]
    several = not any(c["isCorrect"] for c in parsed["choices"])  # Moodle: no '=' means "choose all that apply"
    options = [(shown_by_pegjs(c["text"]), c["isCorrect"] or (c["weight"] or 0) > 0, shown_by_pegjs(c["feedback"])) for c in parsed["choices"]]
    return ("multiple" if several else "single"), options


def our_meaning(question, rendered: dict) -> tuple[str, list[tuple]]:
    options = []
    for option, shown in zip(question.options, rendered["options"], strict=True):
        text = (option.text,) if question.kind.name == "true_false" else visible(shown["html"])
        options.append((text, option.correct, visible(rendered["feedback"].get(option.id, ""))))
    return question.kind.name, options


def test_does_a_moodle_style_bank_import_as_gift_pegjs_reads_it(tmp_path: Path):
    text = BANK.read_text(encoding="utf-8")
    trimmed = tmp_path / "bank.gift"
    trimmed.write_text(without_questions(text, [line_of(text, name) for name in UNSUPPORTED]), encoding="utf-8")
    assert import_gift(trimmed, tmp_path / "bank.ipynb", today=TODAY).errors == []
    module = load(tmp_path / "bank.ipynb", TODAY)
    assert [p for p in check([tmp_path / "bank.ipynb"]) if p.is_error and "is still the starter's" not in p.message and "is not chosen yet" not in p.message] == []
    supported = [(c, q) for c, q in questions_with_categories(pegjs(text)) if f"::{q['title']}::" not in UNSUPPORTED]
    assert len(module.questions) == len(supported) == 8
    by_title = {q["title"]: (c, q) for c, q in supported}
    for question in module.questions:
        category, parsed = next(by_title[t] for t in by_title if question.id == "-".join(t.lower().split()))
        assert question.outcome == category.rsplit("/", 1)[1]
        assert visible(module.rendered_questions[question.id]["stem"]) == shown_by_pegjs(parsed["stem"])
        assert our_meaning(question, module.rendered_questions[question.id]) == pegjs_meaning(parsed)


def test_does_the_imported_bank_export_the_weights_gift_pegjs_read_in_it(tmp_path: Path):
    text = BANK.read_text(encoding="utf-8")
    trimmed = tmp_path / "bank.gift"
    trimmed.write_text(without_questions(text, [line_of(text, name) for name in UNSUPPORTED]), encoding="utf-8")
    assert import_gift(trimmed, tmp_path / "bank.ipynb", today=TODAY).errors == []
    original = {q["title"]: q for _c, q in questions_with_categories(pegjs(text)) if q["type"] == "MC"}
    again = {q["title"]: q for _c, q in questions_with_categories(pegjs(export_gift(load(tmp_path / "bank.ipynb", TODAY)))) if q["type"] == "MC"}
    weights = {"who-to-tell": [50, 50, -100], "full-weight": [None, None, None]}
    assert [c["weight"] for c in original["Who to tell"]["choices"]] == weights["who-to-tell"]
    assert [c["weight"] for c in again["who-to-tell"]["choices"]] == weights["who-to-tell"]
    assert [c["isCorrect"] for c in again["full-weight"]["choices"]] == [True, False, False]
    assert [c["weight"] for c in again["full-weight"]["choices"]] == weights["full-weight"]  # '=%100%' is '=' alone
