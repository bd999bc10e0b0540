"""Importing a Moodle GIFT bank as a notebook of questions, every problem reported with its line and fix.

Import accepts multiple choice (one or several right answers) and true/false, and turns $CATEGORY
changes into '## Outcome:' cells; everything GIFT can say that our format cannot (numeric, matching,
short answer, essay, partial credit...) is reported with its line number and a fix, never dropped in
silence.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from authoring.gift import CATEGORY, unescape
from authoring.kinds import KINDS, QuestionKind
from authoring.problems import Problem, Severity
from authoring.questions import HEADING, HEADING_TAIL, QUESTION_ID
from authoring.scaffold import ASSESSMENT_INTRO
from authoring.settings import STARTER_GUIDANCE, STARTER_OWNER

FORMATS = ("markdown", "html", "plain", "moodle")
TRUE_FALSE = re.compile(r"^(T|F|TRUE|FALSE)$", re.IGNORECASE)
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
PRIORITY_AREA = "counter-terrorism"
CATEGORY_CONTEXT = re.compile(r"^(\$[a-z]+\$|top)$")  # Moodle's context and top-level names, not outcomes


def _plain_kind(gift: str, multiple_answers: bool) -> QuestionKind:
    """The kind without a case study that a GIFT question of this shape comes back as."""
    return next(k for k in KINDS.values() if k.gift == gift and k.multiple_answers == multiple_answers and not k.case_study)


@dataclass
class GiftQuestion:
    """One question read from GIFT, as our format will write it."""

    line: int
    name: str
    text: str
    scored: bool = True
    kind_words: str = ""
    outcome: str = ""  # the last part of the $CATEGORY it was filed under; scored questions only
    options: list[tuple[str, bool, str]] = field(default_factory=list)  # text, correct, feedback


@dataclass
class ImportResult:
    """The questions read from a GIFT file and every problem found; a notebook is written only without errors."""

    questions: list[GiftQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


class _Reporter:
    """Problems located by line, printed 'file:line N: what — how to fix'."""

    def __init__(self, path: str, result: ImportResult) -> None:
        self.path, self.result = path, result

    def error(self, line: int, message: str, fix: str) -> None:
        self.result.problems.append(Problem(f"{self.path}:line {line}", None, message, fix))

    def warning(self, line: int, message: str, fix: str) -> None:
        self.result.problems.append(Problem(f"{self.path}:line {line}", None, message, fix, Severity.WARNING))


def parse_gift(text: str, path: str = "questions.gift") -> ImportResult:
    """Read GIFT text into questions, reporting (never skipping silently) anything our format cannot hold."""
    result = ImportResult()
    report = _Reporter(path, result)
    for line, block, hint, category in _blocks(text.lstrip("\ufeff")):
        question = _parse_block(line, block, hint, report)
        if question is not None:
            question.outcome = category if question.scored else ""
            result.questions.append(question)
    _check_outcomes(result.questions, report)
    _give_ids(result.questions)
    return result


def _blocks(text: str) -> list[tuple[int, str, str, str]]:
    """(first line, text, the '// ###' heading comment before it, its category's outcome) for each question."""
    blocks, lines, start, hint, category = [], [], 0, "", ""
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n") + [""], start=1):
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


def _check_outcomes(questions: list[GiftQuestion], report: _Reporter) -> None:
    """Every scored question needs an outcome once any has one, as `authoring check` asks of a notebook."""
    scored = [q for q in questions if q.scored]
    if any(q.outcome for q in scored) and not all(q.outcome for q in scored):
        first = next(q for q in scored if not q.outcome)
        report.error(first.line, "this question has no $CATEGORY but others do, so it would have no learning outcome",
                     "put a '$CATEGORY: $course$/<outcome>' line above it, or delete every $CATEGORY line")


def _find(text: str, targets: str, start: int = 0) -> int:
    """The index of the first unescaped character among `targets`, or -1."""
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] in targets:
            return index
        index += 1
    return -1


def _parse_block(line: int, block: str, hint: str, report: _Reporter) -> GiftQuestion | None:
    opening = _find(block, "{")
    closing = _find(block, "}", opening + 1) if opening >= 0 else -1
    if opening < 0 or closing < 0:
        report.error(line, "this text has no answers in { } (a GIFT description)", "put text that is not a question in a Markdown cell of the notebook")
        return None
    if block[closing + 1:].strip():
        report.error(line, "answers in the middle of the text (a missing-word question) are not supported",
                     "rewrite it with the answers after the question text, e.g. 'Which word fits the gap? {=right ~wrong}'")
        return None
    name, text = _name_and_text(block[:opening], line, report)
    if text is None:
        return None
    question = GiftQuestion(line, name, text)
    if hint:
        heading = HEADING.match(hint)
        tail = HEADING_TAIL.match(heading.group(2)) if heading else None
        question.scored = heading.group(1).lower() == "question"
        question.kind_words = " ".join(((tail.group(1) if tail else "") or "").lower().replace(",", ", ").split())
    if not _read_answers(question, block[opening + 1:closing], report):
        return None
    if not hint:
        true_false = _plain_kind("truefalse", multiple_answers=False)
        several = sum(correct for _t, correct, _f in question.options) > 1
        shape = true_false if tuple(t for t, _c, _f in question.options) == true_false.fixed_options else None
        question.kind_words = (shape or _plain_kind("choice", multiple_answers=several)).words
    return question


def _name_and_text(prefix: str, line: int, report: _Reporter) -> tuple[str, str | None]:
    name, text = "", prefix.strip()
    if text.startswith("::"):
        end = text.find("::", 2)
        while end > 0 and text[end - 1] == "\\":
            end = text.find("::", end + 1)
        if end < 0:
            report.error(line, "the question name is not closed", "write the name between two pairs of colons: ::name::")
            return "", None
        name, text = unescape(text[2:end]).strip(), text[end + 2:].strip()
    format_match = re.match(r"^\[([a-z]+)\]", text)
    if format_match:
        if format_match.group(1) not in FORMATS:
            report.error(line, f"the text format [{format_match.group(1)}] is not one GIFT knows", "use [markdown], [html], [plain] or [moodle]")
            return name, None
        text = text[format_match.end():]
    text = unescape(text).strip()
    if not text:
        report.error(line, "the question has no text", "write the question before the { answers }")
        return name, None
    return name, text


def _read_answers(question: GiftQuestion, answers: str, report: _Reporter) -> bool:
    line, body = question.line, answers.strip()
    unsupported = _unsupported(body)
    if unsupported:
        report.error(line, f"{unsupported[0]} questions are not supported", unsupported[1])
        return False
    if TRUE_FALSE.match(_split_feedback(body)[0].strip()):
        return _true_false(question, body, report)
    return _choices(question, body, report)


def _unsupported(body: str) -> tuple[str, str] | None:
    """The kind of GIFT question our format cannot hold, with the fix, or None."""
    if not body:
        return "essay", "give the question options: {=right answer ~wrong answer}"
    if body.startswith("#"):
        return "numeric", "turn it into a choice: {=the right number ~a wrong number ~another wrong number}"
    if re.search(r"(?<!\\)->", body):
        return "matching", "write one multiple-choice question for each pair"
    options = _split_options(body)
    if options and all(o.startswith("=") for o in options):
        return "short answer", "turn it into a choice: keep the answer as '=right' and add wrong options as '~wrong'"
    return None


def _split_options(body: str) -> list[str]:
    """'=a#fb ~b' -> ['=a#fb', '~b'], splitting at unescaped = and ~."""
    options, index, current = [], 0, ""
    while index < len(body):
        ch = body[index]
        if ch == "\\" and index + 1 < len(body):
            current += body[index:index + 2]
            index += 2
            continue
        if ch in "=~":
            options.append(current)
            current = ch
        else:
            current += ch
        index += 1
    options.append(current)
    return [o.strip() for o in options if o.strip()]


def _split_feedback(option: str) -> tuple[str, str]:
    """'text#feedback' -> (text, feedback), at the first unescaped '#'."""
    mark = _find(option, "#")
    return (option, "") if mark < 0 else (option[:mark], option[mark + 1:])


def _true_false(question: GiftQuestion, body: str, report: _Reporter) -> bool:
    answer, rest = _split_feedback(body)
    wrong_feedback, right_feedback = _split_feedback(rest)
    if _find(right_feedback, "#") >= 0:
        report.error(question.line, "general feedback (####) is not supported", "move it into the feedback of the options")
        return False
    truth = answer.strip().upper() in ("T", "TRUE")
    right, wrong = unescape(right_feedback).strip(), unescape(wrong_feedback).strip()
    kind = _plain_kind("truefalse", multiple_answers=False)
    true_text, false_text = kind.fixed_options or ("True", "False")
    question.options = [(true_text, truth, right if truth else wrong), (false_text, not truth, wrong if truth else right)]
    question.kind_words = question.kind_words or kind.words
    return True


def _choices(question: GiftQuestion, body: str, report: _Reporter) -> bool:
    line = question.line
    if "####" in body.replace("\\#", ""):
        report.error(line, "general feedback (####) is not supported", "move it into the feedback of the options")
        return False
    options = _split_options(body)
    if not options or any(o[0] not in "=~" for o in options):
        report.error(line, "the answers cannot be read", "start every option with = (right) or ~ (wrong)")
        return False
    weights: list[float | None] = []
    for option in options:
        weight = WEIGHT.match(option[1:])
        text, feedback = _split_feedback(option[1 + (weight.end() if weight else 0):])
        weights.append(float(weight.group(1)) if weight else None)
        question.options.append((" ".join(unescape(text).split()), option[0] == "=", " ".join(unescape(feedback).split())))
    return _apply_weights(question, [o[0] for o in options], weights, report)


def _apply_weights(question: GiftQuestion, marks: list[str], weights: list[float | None], report: _Reporter) -> bool:
    """Full marks (=) or none (~); or, for 'choose all that apply', equal shares of 100 for the right options."""
    line = question.line
    full = [m == "=" and w in (None, 100.0) for m, w in zip(marks, weights, strict=True)]
    shares = [w for m, w in zip(marks, weights, strict=True) if m == "~" and w is not None and w > 0]
    odd = [w for m, w in zip(marks, weights, strict=True) if m == "=" and w is not None and w != 100]
    if odd or (shares and (any(full) or len(set(shares)) > 1 or abs(sum(shares) - 100) > 0.01)):
        report.error(line, "weights other than full marks or none (partial credit) are not supported",
                     "mark each option right (=) or wrong (~); for 'choose all that apply' give each right option an equal share, e.g. ~%50%")
        return False
    if sum(full) > 1:
        report.error(line, "more than one option is marked fully right (=)",
                     "keep one '=' for a one-answer question; for 'choose all that apply' use equal shares, e.g. ~%50% on each right option")
        return False
    question.options = [(text, bool(f or (m == "~" and w is not None and w > 0)), feedback)
                        for (text, _c, feedback), m, w, f in zip(question.options, marks, weights, full, strict=True)]
    if not any(correct for _t, correct, _f in question.options):
        report.error(line, "no option is marked right", "mark the right option with = (or give each right option a share, e.g. ~%50%)")
        return False
    return True


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
        _Reporter(str(file), result).error(1, "the file holds no questions", "export the question bank from Moodle in GIFT format")
    if result.errors:
        return result
    today = today or dt.date.today()
    module_id = re.sub(r"[^a-z0-9]+", "-", Path(out).stem.lower()).strip("-") or "imported-questions"
    settings = {
        "id": module_id, "title": module_id.replace("-", " ").capitalize(), "audience": "Council and partner staff",
        "priority_area": priority_area, "estimated_minutes": max(5, len(result.questions)), "pass_mark": 80,
        "refresher_months": 24, "owner": STARTER_OWNER, "review_by": (today + dt.timedelta(days=365)).isoformat(),
        "guidance": [dict(STARTER_GUIDANCE)],
    }
    intro = (f"# Questions\n\nThese questions were imported from {Path(file).name} on {today.isoformat()}. "
             "Before publishing, check every setting in the first cell: they hold starting values.")
    notebook = new_notebook(cells=[new_raw_cell("---\n" + yaml.safe_dump(settings, sort_keys=False) + "---"), new_markdown_cell(intro),
                                   *(new_markdown_cell(cell) for cell in question_cells(result.questions))])
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(out))
    return result


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
