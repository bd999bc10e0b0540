"""Importing a Moodle GIFT bank as a notebook of questions, every problem reported with its line and fix.

Import accepts multiple choice (one or several right answers) and true/false (read by
authoring.gift_answers, their text formats by authoring.gift_text), turns $CATEGORY changes into
'## Outcome:' cells and a '// Module:' comment into the module's title; everything GIFT can say that
our format cannot (numeric, matching, short answer, essay, partial credit...) is reported with its line
number and a fix, never dropped in silence.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from authoring.gift import CATEGORY, MODULE_COMMENT, unescape
from authoring.gift_answers import GiftQuestion, LineReporter, find, plain_kind, read_answers
from authoring.gift_text import DEFAULT_FORMAT, split_format, to_markdown, unknown_format
from authoring.problems import Problem
from authoring.questions import HEADING, HEADING_TAIL, QUESTION_ID
from authoring.scaffold import ASSESSMENT_INTRO
from authoring.settings import STARTER_GUIDANCE, STARTER_OWNER

__all__ = ["GiftQuestion", "ImportResult", "category_outcome", "import_gift", "parse_gift", "question_cells"]

PRIORITY_AREA = "counter-terrorism"
CATEGORY_CONTEXT = re.compile(r"^(\$[a-z]+\$|top)$")  # Moodle's context and top-level names, not outcomes


@dataclass
class ImportResult:
    """The questions read from a GIFT file and every problem found; a notebook is written only without errors."""

    questions: list[GiftQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    title: str = ""  # from a '// Module: <title>' comment at the top, as our export writes

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def parse_gift(text: str, path: str = "questions.gift") -> ImportResult:
    """Read GIFT text into questions, reporting (never skipping silently) anything our format cannot hold."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    result = ImportResult(title=module_title(text))
    report = LineReporter(path, result.problems)
    for line, block, hint, category in _blocks(text):
        question = _parse_block(line, block, hint, report)
        if question is not None:
            question.outcome = category if question.scored else ""
            result.questions.append(question)
    _check_outcomes(result.questions, report)
    _give_ids(result.questions)
    return result


def module_title(text: str) -> str:
    """The title in a '// Module: <title>' comment among the comments that open the file, or ''."""
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped.startswith("//") and stripped[2:].strip().startswith(MODULE_COMMENT):
            return " ".join(stripped[2:].strip()[len(MODULE_COMMENT):].split())
        if stripped and not stripped.startswith("//"):
            break
    return ""


def _blocks(text: str) -> list[tuple[int, str, str, str]]:
    """(first line, text, the '// ###' heading comment before it, its category's outcome) for each question."""
    blocks, lines, start, hint, category = [], [], 0, "", ""
    for number, raw in enumerate(text.split("\n") + [""], start=1):
        stripped = raw.strip()
        if not stripped:
            if lines:
                blocks.append((start, "\n".join(lines), hint, category))
            lines, hint = [], ""
        elif stripped.startswith("//"):
            comment = stripped[2:].strip()
            hint = comment if HEADING.match(comment) else hint
        elif stripped.startswith(CATEGORY) and not lines:
            category = category_outcome(stripped[len(CATEGORY):])
        else:
            start = start if lines else number
            lines.append(raw)
    return blocks


def category_outcome(path: str) -> str:
    """The outcome a category path names: its last part ('//' is a '/' inside a name), '' for Moodle's own top levels."""
    parts = [" ".join(part.replace("//", "/").split()) for part in re.split(r"(?<!/)/(?!/)", path)]
    named = [part for part in parts if part and not CATEGORY_CONTEXT.match(part)]
    return named[-1] if named else ""


def _check_outcomes(questions: list[GiftQuestion], report: LineReporter) -> None:
    """Every scored question needs an outcome once any has one, as `authoring check` asks of a notebook."""
    scored = [q for q in questions if q.scored]
    if any(q.outcome for q in scored) and not all(q.outcome for q in scored):
        first = next(q for q in scored if not q.outcome)
        report.error(first.line, "this question has no $CATEGORY but others do, so it would have no learning outcome",
                     "put a '$CATEGORY: $course$/<outcome>' line above it, or delete every $CATEGORY line")


def _braces(line: int, block: str, report: LineReporter) -> tuple[int, int] | None:
    """Where the answers open and close; None (reported) when the braces do not pair up."""
    opening = find(block, "{")
    closing = find(block, "}", opening + 1) if opening >= 0 else find(block, "}")
    if opening < 0 and closing < 0:
        report.error(line, "this text has no answers in { } (a GIFT description)", "put text that is not a question in a Markdown cell of the notebook")
    elif opening < 0:
        report.error(line, "this question has a } with no { before it", "start its answers with {, or write \\} for a } that is part of the text")
    elif closing < 0 or 0 <= find(block, "{", opening + 1) < closing:
        report.error(line, "the { that starts this question's answers has no closing }",
                     "end the answers with }, and leave a blank line between questions but none inside one")
    elif block[closing + 1:].strip():
        report.error(line, "answers in the middle of the text (a missing-word question) are not supported",
                     "rewrite it with the answers after the question text, e.g. 'Which word fits the gap? {=right ~wrong}'")
    else:
        return opening, closing
    return None


def _parse_block(line: int, block: str, hint: str, report: LineReporter) -> GiftQuestion | None:
    braces = _braces(line, block, report)
    if braces is None:
        return None
    question = _name_and_text(block[:braces[0]], line, report)
    if question is None:
        return None
    if hint:
        heading = HEADING.match(hint)
        tail = HEADING_TAIL.match(heading.group(2)) if heading else None
        question.scored = heading.group(1).lower() == "question"
        question.kind_words = " ".join(((tail.group(1) if tail else "") or "").lower().replace(",", ", ").split())
    if not read_answers(question, block[braces[0] + 1:braces[1]], report):
        return None
    if not hint:
        true_false = plain_kind("truefalse", multiple_answers=False)
        several = sum(correct for _t, correct, _f in question.options) > 1
        shape = true_false if tuple(t for t, _c, _f in question.options) == true_false.fixed_options else None
        question.kind_words = (shape or plain_kind("choice", multiple_answers=several)).words
    return question


def _name_and_text(prefix: str, line: int, report: LineReporter) -> GiftQuestion | None:
    """The question's name and its text as Markdown, converted from its format tag ([moodle] when it has none)."""
    name, text = "", prefix.strip()
    if text.startswith("::"):
        end = text.find("::", 2)
        while end > 0 and text[end - 1] == "\\":
            end = text.find("::", end + 1)
        if end < 0:
            report.error(line, "the question name is not closed", "write the name between two pairs of colons: ::name::")
            return None
        name, text = unescape(text[2:end]).strip(), text[end + 2:].strip()
    if unknown := unknown_format(text):
        report.error(line, f"the text format [{unknown}] is not one GIFT knows", "use [markdown], [html], [plain] or [moodle]")
        return None
    fmt, text = split_format(text, DEFAULT_FORMAT)
    converted = to_markdown(unescape(text), fmt, "the question text", one_line=False)
    for message, fix in converted.problems:
        report.error(line, message, fix)
    if not converted.markdown and not converted.problems:
        report.error(line, "the question has no text", "write the question before the { answers }")
    return None if converted.problems or not converted.markdown else GiftQuestion(line, name, converted.markdown, format=fmt)


def _give_ids(questions: list[GiftQuestion]) -> None:
    """Question ids from GIFT names (as ids are written in notebooks), unique within the file."""
    seen: set[str] = set()
    for question in questions:
        base = question.name.lower() if QUESTION_ID.match(question.name.lower()) else re.sub(r"[^a-z0-9]+", "-", question.name.lower()).strip("-")
        candidate, number = base, 2
        while candidate and candidate in seen:
            candidate, number = f"{base}-{number}", number + 1
        question.name = candidate
        seen.add(candidate)


def question_cell(question: GiftQuestion) -> str:
    """A question cell in our notebook format."""
    label = "Question" if question.scored else "Knowledge check"
    heading = f"### {label}{f' ({question.kind_words})' if question.kind_words else ''}{f' {{#{question.name}}}' if question.name else ''}"
    lines = [heading, "", question.text, ""]
    for text, correct, feedback in question.options:
        lines.append(f"- [{'x' if correct else ' '}] {text}")
        if feedback:
            lines.append(f"  > {feedback}")
    return "\n".join(lines)


def import_gift(file: Path, out: Path, today: dt.date | None = None, priority_area: str = PRIORITY_AREA) -> ImportResult:
    """Read a GIFT file and, if nothing stops it, write a notebook of its questions to `out`."""
    import nbformat
    import yaml
    from nbformat.v4 import new_markdown_cell, new_notebook, new_raw_cell

    try:
        text = Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        result = ImportResult()
        result.problems.append(Problem(str(file), None, f"the file cannot be read ({error.__class__.__name__})", "save it as UTF-8 text and try again"))
        return result
    result = parse_gift(text, str(file))
    if not result.questions:
        LineReporter(str(file), result.problems).error(1, "the file holds no questions", "export the question bank from Moodle in GIFT format")
    if result.errors:
        return result
    today = today or dt.date.today()
    settings = _starting_settings(result, Path(out), today, priority_area)
    intro = (f"# Questions\n\nThese questions were imported from {Path(file).name} on {today.isoformat()}. "
             "Before publishing, check every setting in the first cell: they hold starting values.")
    notebook = new_notebook(cells=[new_raw_cell("---\n" + yaml.safe_dump(settings, sort_keys=False) + "---"), new_markdown_cell(intro),
                                   *(new_markdown_cell(cell) for cell in question_cells(result.questions))])
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(out))
    return result


def _starting_settings(result: ImportResult, out: Path, today: dt.date, priority_area: str) -> dict:
    """The settings cell's starting values: the id from the notebook's file name, the title from the bank's '// Module:' comment (else the id)."""
    module_id = re.sub(r"[^a-z0-9]+", "-", out.stem.lower()).strip("-") or "imported-questions"
    return {
        "id": module_id, "title": result.title or module_id.replace("-", " ").capitalize(), "audience": "Council and partner staff",
        "priority_area": priority_area, "estimated_minutes": max(5, len(result.questions)), "pass_mark": 80,
        "refresher_months": 24, "owner": STARTER_OWNER, "review_by": (today + dt.timedelta(days=365)).isoformat(),
        "guidance": [dict(STARTER_GUIDANCE)],
    }


def question_cells(questions: list[GiftQuestion]) -> list[str]:
    """Knowledge checks, then scored questions grouped by outcome (first seen first), each group under its '## Outcome:' cell.

    Within each group the file's order is kept. The knowledge checks stay on the first page (a lesson page: a
    knowledge check on the assessment page is never shown, an error); the scored ones get an '# Assessment' page.
    """
    cells = [question_cell(q) for q in questions if not q.scored]
    scored = [q for q in questions if q.scored]
    cells.extend([ASSESSMENT_INTRO] if scored else [])
    for outcome in dict.fromkeys(q.outcome for q in scored):
        cells.extend([f"## Outcome: {outcome}"] if outcome else [])
        cells.extend(question_cell(q) for q in scored if q.outcome == outcome)
    return cells
