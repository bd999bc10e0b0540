"""Question cells: Markdown task lists parsed into structured questions with an answer key.

A question cell starts with '### Question' (scored) or '### Knowledge check' (unscored), an optional
kind in brackets and an optional '{#id}'. The options are '- [x]' / '- [ ]' items, each with
indented '> feedback' lines. See docs/authoring.md.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from authoring.giveaways import giveaway_problems
from authoring.kinds import KINDS, QuestionKind
from authoring.problems import ProblemList

HEADING = re.compile(r"^###[ \t]+(question|knowledge check)\b(.*)$", re.IGNORECASE)
HEADING_TAIL = re.compile(r"^\s*(?:\(([^()]*)\))?\s*(?:\{#([^{}]*)\})?\s*$")
OPTION = re.compile(r"^ {0,3}[-*+][ \t]+\[([ xX]?)\][ \t]*(.*)$")
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
    stem_lines, options = _split_body(lines[1:], cell, problems)
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
    _check_options(question, problems)
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


def _split_body(lines: list[str], cell: int, problems: ProblemList) -> tuple[list[str], list[tuple[str, bool, str]]]:
    """Separate the question text from the options and their feedback lines."""
    stem: list[str] = []
    options: list[list] = []  # [text lines, correct, feedback lines]
    for number, line in enumerate(lines, start=2):
        option = OPTION.match(line)
        if option:
            options.append([[option.group(2).strip()], option.group(1).lower() == "x", []])
        elif not options:
            stem.append(line)
        elif not line.strip():
            continue
        elif line.lstrip().startswith(">"):
            options[-1][2].append(line.lstrip()[1:].strip())
        elif line[:1] in (" ", "\t"):
            options[-1][0].append(line.strip())
        else:
            problems.error(cell, f"line {number} comes after the options but is not part of one", "move it above the options, or indent it under the option it belongs to")
    parsed = [(" ".join(t for t in text if t), correct, " ".join(f for f in feedback if f)) for text, correct, feedback in options]
    return stem, parsed


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            paragraphs.append("\n".join(current).strip())
            current = []
    return paragraphs


def _check_options(question: Question, problems: ProblemList) -> None:
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
        if not option.feedback:
            problems.warning(cell, f"option {number} has no feedback", "add an indented '> ' line under it saying why it is right or wrong")
    if question.scored:
        for message, fix in giveaway_problems(question):
            problems.warning(cell, message, fix)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
