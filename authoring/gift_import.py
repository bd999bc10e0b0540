"""Importing a Moodle GIFT bank as a notebook of questions, every problem reported with its line and fix.

Import accepts multiple choice (one or several right answers) and true/false (read by
authoring.gift_answers, their text formats by authoring.gift_text), turns $CATEGORY changes into
'## Outcome:' cells (authoring.gift_categories) and a '// Module:' comment into the module's title;
everything GIFT can say that our format cannot (numeric, matching, short answer, essay, partial
credit...) is reported with its line number and a fix, never dropped in silence. The file is cut into
questions by authoring.gift_blocks and written as a notebook by authoring.gift_notebook.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from authoring.gift import unescape
from authoring.gift_answers import GiftQuestion, LineReporter, plain_kind, read_answers
from authoring.gift_blocks import UTF8_FIX, Block, blocks, braces, control_characters, decode, module_title
from authoring.gift_categories import category_outcome, check_outcomes
from authoring.gift_notebook import NOT_CARRIED, give_ids, question_cells, starting_settings
from authoring.gift_text import DEFAULT_FORMAT, split_format, to_markdown, unknown_format
from authoring.problems import Problem, Severity
from authoring.questions import HEADING, HEADING_TAIL

__all__ = ["GiftQuestion", "ImportResult", "category_outcome", "import_gift", "parse_gift", "question_cells"]


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
    for block in blocks(text):
        question = _parse_block(block, report)
        if question is not None:
            question.category = " ".join(block.category.split())
            question.outcome = category_outcome(block.category) if question.scored else ""
            result.questions.append(question)
    check_outcomes(result.questions, report)
    give_ids(result.questions, report)
    return result


def _parse_block(block: Block, report: LineReporter) -> GiftQuestion | None:
    if control_characters(block, report):
        return None
    hint, found = block.hint, braces(block.line, block.text, report)
    if found is None:
        return None
    question = _name_and_text(block.text[:found[0]], block.line, report)
    if question is None:
        return None
    if hint:
        heading = HEADING.match(hint)
        tail = HEADING_TAIL.match(heading.group(2)) if heading else None
        question.scored = heading.group(1).lower() == "question"
        question.kind_words = " ".join(((tail.group(1) if tail else "") or "").lower().replace(",", ", ").split())
    if not read_answers(question, block.text[found[0] + 1:found[1]], report):
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
    first_line = line + prefix[:prefix.find(text)].count("\n") if text else line
    if unknown := unknown_format(text):
        report.error(line, f"the text format [{unknown}] is not one GIFT knows, so learners would see it as typed",
                     "use [markdown], [html], [plain] or [moodle], in lower case with no spaces")
        return None
    fmt, text = split_format(text, DEFAULT_FORMAT)
    converted = to_markdown(unescape(text), fmt, "the question text", one_line=False)
    for problem in converted.problems:
        report.error(first_line + _file_lines_before(text, problem.line), problem.message, problem.fix)
    if not converted.markdown and not converted.problems:
        report.error(line, "the question has no text", "write the question before the { answers }")
    return None if converted.problems or not converted.markdown else GiftQuestion(line, name, converted.markdown, format=fmt)


def _file_lines_before(raw: str, line: int) -> int:
    """How many of the file's own line breaks come before line `line` (from 0) of the text once unescaped:
    GIFT's \\n starts a line in the text but not in the file."""
    real = seen = index = 0
    while index < len(raw) and seen < line:
        if raw[index] == "\\":
            seen += raw[index + 1:index + 2] == "n"
            index += 2
            continue
        real, seen, index = real + (raw[index] == "\n"), seen + (raw[index] == "\n"), index + 1
    return real


def import_gift(file: Path, out: Path, today: dt.date | None = None) -> ImportResult:
    """Read a GIFT file and, if nothing stops it, write a notebook of its questions to `out`."""
    import nbformat
    import yaml
    from nbformat.v4 import new_markdown_cell, new_notebook, new_raw_cell

    try:
        text, where = decode(Path(file).read_bytes())
    except OSError as error:
        return ImportResult(problems=[Problem(str(file), None, f"the file cannot be read ({error.strerror or error.__class__.__name__})",
                                              "check the file's name and that you may read it, then try again")])
    if text is None:
        return ImportResult(problems=[Problem(str(file), None, f"the file is not UTF-8 text: at {where}", UTF8_FIX)])
    result = parse_gift(text, str(file))
    if not result.questions and not result.problems:
        LineReporter(str(file), result.problems).error(1, "the file holds no questions", "export the question bank from Moodle in GIFT format")
    if result.errors:
        return result
    today = today or dt.date.today()
    settings = starting_settings(result.title, result.questions, Path(out), today)
    intro = (f"# Questions\n\nThese questions were imported from {Path(file).name} on {today.isoformat()}. "
             "Before publishing, check every setting in the first cell: they hold starting values.")
    notebook = new_notebook(cells=[new_raw_cell("---\n" + yaml.safe_dump(settings, sort_keys=False) + "---"), new_markdown_cell(intro),
                                   *(new_markdown_cell(cell) for cell in question_cells(result.questions))])
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(out))
    result.problems.append(Problem(str(out), None, *NOT_CARRIED, Severity.WARNING))
    return result
