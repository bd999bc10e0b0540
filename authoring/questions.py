"""Question cells: Markdown task lists parsed into structured questions with an answer key.

A question cell starts with '### Question' (scored) or '### Knowledge check' (unscored), an optional
kind in brackets and an optional '{#id}'. The options are '- [x]' / '- [ ]' items, each with
indented '> feedback' lines. See docs/authoring.md.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from authoring import structure
from authoring.giveaways import giveaway_problems
from authoring.kinds import KINDS, QuestionKind
from authoring.problems import ProblemList

HEADING = re.compile(rf"^###{structure.SP}+(question|knowledge{structure.SP}check)\b(.*)$", re.IGNORECASE)
# Possessive throughout: three '\s*' in a row around optional parts backtrack cubically on a heading of spaces.
HEADING_TAIL = re.compile(r"^\s*+(?:\(([^()]*+)\))?+\s*+(?:\{#([^{}]*+)\})?+\s*+$")
QUESTION_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Option:
    """One answer option; `correct` and `feedback` belong to the answer key only."""

    id: str
    text: str
    correct: bool
    feedback: str


@dataclass
class Question:
    """A parsed question: Markdown text plus its options, in the trainer's order."""

    id: str
    kind: QuestionKind
    scored: bool
    cell: int
    stem: str
    case_study: str = ""
    options: list[Option] = field(default_factory=list)
    outcome: str = ""  # the learning outcome a scored question tests: the '## Outcome:' cell above it

    @property
    def correct_ids(self) -> list[str]:
        return [o.id for o in self.options if o.correct]


def is_question_cell(source: str) -> bool:
    """True when a Markdown cell starts with a question heading."""
    first = next((line for line in source.splitlines() if line.strip()), "")
    return bool(HEADING.match(first.strip()))


def parse_question(source: str, cell: int, problems: ProblemList) -> Question | None:
    """Parse one question cell; report every problem and return None if it cannot be used."""
    lines = source.strip("\n").splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    heading = HEADING.match(lines[0].strip()) if lines else None
    if heading is None:
        problems.error(cell, "this is not a question heading", "start the cell with '### Question' or '### Knowledge check'")
        return None
    scored = heading.group(1).lower() == "question"
    kind, explicit_id = _read_heading_tail(heading.group(2), cell, problems)
    if kind is None:
        return None
    stem_lines, options, feedback_on_line = _split_body(lines[1:], cell, problems)
    paragraphs = _paragraphs(stem_lines)
    question = Question(id="", kind=kind, scored=scored, cell=cell, stem="\n\n".join(paragraphs))
    if kind.case_study:
        if len(paragraphs) < 2:
            problems.error(cell, "a scenario question needs a case study and then a question", "write the case study, a blank line, then the question as its own paragraph")
        else:
            question.case_study, question.stem = "\n\n".join(paragraphs[:-1]), paragraphs[-1]
    if not question.stem:
        problems.error(cell, "the question has no text", "write the question between the heading and the options")
    question.id = explicit_id or "q-" + _digest(question.case_study + "\n" + question.stem)[:10]
    question.options = [Option(_digest(question.id + "\n" + text)[:10], text, correct, feedback) for text, correct, feedback in options]
    _check_options(question, problems, feedback_on_line)
    return question


def _read_heading_tail(tail: str, cell: int, problems: ProblemList) -> tuple[QuestionKind | None, str]:
    match = HEADING_TAIL.match(tail)
    if match is None:
        problems.error(cell, f"cannot read the question heading ending '{tail.strip()}'", "write e.g. '### Question (multiple answers) {#my-id}'")
        return None, ""
    words = " ".join((match.group(1) or "").lower().replace(",", ", ").split())
    kind = KINDS.get(words)
    if kind is None:
        choices = ", ".join(f"'({w})'" for w in KINDS if w)
        problems.error(cell, f"unknown kind of question '({match.group(1)})'", f"use one of {choices}, or no brackets for one answer")
        return None, ""
    explicit_id = (match.group(2) or "").strip().lower()
    if match.group(2) is not None and not QUESTION_ID.match(explicit_id):
        problems.error(cell, f"question id '{match.group(2)}' is not allowed", "use letters, digits and hyphens, e.g. {#wrap-meaning}")
        explicit_id = ""
    return kind, explicit_id


def _split_body(lines: list[str], cell: int, problems: ProblemList) -> tuple[list[str], list[tuple[str, bool, str]], set[int]]:
    """Separate the question text from the options and their feedback lines, reading each line as JupyterLab shows it.

    Also returns the numbers of the options with feedback typed on their own line (already reported).
    """
    stem: list[str] = []
    options: list[list] = []  # [text lines, correct, feedback lines, what the last line was: 'text', 'feedback' or 'blank']
    feedback_on_line: set[int] = set()
    for number, line in enumerate(lines, start=2):
        if _ends_question(line, number, cell, problems):
            break
        option = _option_line(line, number, len(options) + 1, cell, problems)
        if option:
            options.append([[option[1]], option[0], [], "text"])
            if option[2]:
                feedback_on_line.add(len(options))
        elif not options:
            if what := structure.quoted_answer(line):
                problems.error(cell, *structure.quoted_answer_problem(number, what))
            stem.append(line)
        elif not line.strip():
            options[-1][3] = "blank"
        else:
            if _option_body_line(options[-1], len(options), line, number, cell, problems):
                feedback_on_line.add(len(options))
    parsed = [(" ".join(t for t in text if t), correct, " ".join(f for f in feedback if f)) for text, correct, feedback, _ in options]
    return stem, parsed, feedback_on_line


def _ends_question(line: str, number: int, cell: int, problems: ProblemList) -> bool:
    """A second question or a page heading inside a question cell: reported, and nothing after it is read."""
    split = f"split the cell just above line {number} (click at its start and press Ctrl+Shift+- in JupyterLab)"
    if structure.ANY_QUESTION_HEADING.match(line):
        problems.error(cell, f"a second question heading is on line {number} of this cell, so that question would be lost", split)
        return True
    if structure.PAGE_HEADING_LINE.match(line):
        problems.error(cell, f"the page heading on line {number} is inside a question cell, so its page does not start", split)
        return True
    return False


def _option_line(line: str, number: int, option: int, cell: int, problems: ProblemList) -> tuple[bool, str, bool] | None:
    """(right?, text, feedback on the line?) when the line is an answer option, however its brackets are spaced; None for any other line."""
    match = structure.OPTION_LIKE.match(line)
    if match is None:
        return None
    mark, text, written = match.group("mark"), match.group("text").strip(), line[:match.start("text")].strip()
    if match.group("bullet")[0].isdigit():
        problems.error(cell, f"option {option} (line {number}) is numbered, '{written}'; learners see options without numbers, in a new order in each attempt",
                       "start each option with '- [x]' (right) or '- [ ]' (wrong) instead of a number")
    elif mark not in structure.RIGHT_MARKS + structure.WRONG_MARKS:
        problems.error(cell, f"option {option} (line {number}) is marked '[{mark}]', which means neither right nor wrong",
                       "mark a right option with [x] and a wrong one with [ ]")
    elif not structure.CANONICAL_OPTION.match(line):
        verdict = "right" if mark in structure.RIGHT_MARKS else "wrong"
        problems.warning(cell, f"option {option} (line {number}) is written '{written}', which JupyterLab does not show as a tick box; it is read as a {verdict} answer",
                         f"write it as '- [{mark.lower() or ' '}] ' (a '-', one space, then [x] or [ ] with nothing else inside the brackets)")
    on_line = bool(structure.FEEDBACK_ON_LINE.search(text))
    if on_line:
        problems.error(cell, f"option {option} (line {number}) has a '>' on the option line, so learners would see the feedback after it as part of the answer",
                       "put the feedback on its own line under the option, indented by two spaces ('  > Because...'); if the '>' belongs to the answer, write '\\>' instead")
    return mark in structure.RIGHT_MARKS, text, on_line


def _option_body_line(option: list, position: int, line: str, number: int, cell: int, problems: ProblemList) -> bool:
    """A line under an option: feedback ('>'), more feedback straight after it, or more of the option's own text.

    True when the line is feedback typed with a look-alike of '>' (reported here).
    """
    first = line.lstrip()[:1]
    if first in structure.LOOKALIKE_GT:
        problems.error(cell, f"line {number}, under option {position}, starts with '{first}', which looks like '>' but does not start feedback, "
                             "so learners would see it as part of the answer",
                       "type the feedback with the ordinary '>' character (Shift and the full stop key on a UK keyboard): '  > Because...'")
        option[3] = "feedback"
        return True
    if first == ">":
        option[2].append(line.lstrip()[1:].strip())
        option[3] = "feedback"
    elif line[:1] not in (" ", "\t"):
        problems.error(cell, f"line {number} comes after the options but is not part of one", "move it above the options, or indent it under the option it belongs to")
    elif option[3] == "feedback":  # JupyterLab shows a line straight after a '>' line inside the same quote
        option[2].append(line.strip())
    elif option[3] == "blank" and option[2]:
        problems.error(cell, f"line {number} is indented under an option after its feedback, so learners would see it as part of the answer",
                       "start it with '> ' if it is more feedback, or move it up to the option's own line if it is part of the answer")
    else:
        option[0].append(line.strip())
        option[3] = "text"
    return False


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            paragraphs.append("\n".join(current).strip())
            current = []
    return paragraphs


def _check_options(question: Question, problems: ProblemList, feedback_on_line: set[int] = frozenset()) -> None:
    cell, kind, options = question.cell, question.kind, question.options
    if len(options) < 2:
        problems.error(cell, "the question needs at least two options", "add options as '- [x] right answer' and '- [ ] wrong answer' lines")
        return
    texts = [o.text for o in options]
    if any(not t for t in texts):
        problems.error(cell, "an option has no text", "write the answer after '- [ ]' or '- [x]'")
    if len(set(texts)) != len(texts):
        problems.error(cell, "two options have the same text", "make every option different")
    count_problem = kind.right_answer_count_problem(sum(o.correct for o in options))
    if count_problem:
        problems.error(cell, *count_problem)
    if kind.fixed_options and tuple(t.capitalize() for t in texts) != kind.fixed_options:
        problems.error(cell, "a true-or-false question must have exactly the options True and False", "write '- [ ] True' and '- [ ] False' and mark the right one with [x]")
    for number, option in enumerate(options, start=1):
        if not option.feedback and number not in feedback_on_line:  # that option's error already says where the feedback went
            problems.warning(cell, f"option {number} has no feedback", "add an indented '> ' line under it saying why it is right or wrong")
    if question.scored:
        for message, fix in giveaway_problems(question):
            problems.warning(cell, message, fix)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
