"""The notebook an imported GIFT bank becomes: question ids from the bank's names, question cells in our
format grouped by outcome, and a settings cell of starting values the trainer must finish (GIFT carries
only questions), so `authoring check` refuses it until they do, as it refuses `authoring new`'s starter."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from authoring.gift_answers import GiftQuestion, LineReporter
from authoring.questions import QUESTION_ID
from authoring.scaffold import ASSESSMENT_INTRO
from authoring.settings import STARTER_GUIDANCE, STARTER_MARK, STARTER_OWNER

MAX_ID = 64  # the LMS's longest module id (its slug column); question ids are kept as short
MAX_MINUTES = 240  # the longest estimated_minutes check accepts
NOT_CARRIED = ("GIFT carries only the questions (and our export's title and id), so the new notebook's other settings are starting values",
               "set them in its first cell before publishing: priority_area (TO DO until you choose), audience, estimated_minutes, "
               "pass_mark, refresher_months, owner, review_by, guidance, content_note, and assessment (how many questions an attempt "
               "asks, retries); then add the lesson pages")


def as_id(name: str) -> str:
    """A name as an id: letters without accents ('Über' is 'uber'), digits and single hyphens, at most MAX_ID characters."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    words = plain if QUESTION_ID.match(plain) else re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    return words if len(words) <= MAX_ID else words[:MAX_ID + 1].rsplit("-", 1)[0][:MAX_ID].strip("-")


def give_ids(questions: list[GiftQuestion], report: LineReporter) -> None:
    """Question ids from GIFT names (as ids are written in notebooks), unique within the file; a renaming is said."""
    seen: set[str] = set()
    for question in questions:
        base = as_id(question.name)
        candidate, number = base, 2
        while candidate and candidate in seen:
            candidate, number = f"{base[:MAX_ID - len(str(number)) - 1].rstrip('-')}-{number}", number + 1
        if candidate != base:
            report.warning(question.line, f"another question has the name '{question.name}', so this one's id is '{candidate}'",
                           "give each question its own name in the bank, or change the id in the notebook's question heading")
        question.name = candidate
        seen.add(candidate)


def starting_settings(title: str, questions: list[GiftQuestion], out: Path, today: dt.date) -> dict:
    """The settings cell's starting values: the id from the notebook's file name, the title from the bank's '// Module:' comment (else the id)."""
    module_id = as_id(out.stem) or "imported-questions"
    return {
        "id": module_id, "title": title or module_id.replace("-", " ").capitalize(), "audience": "Council and partner staff",
        "priority_area": STARTER_MARK, "estimated_minutes": min(MAX_MINUTES, max(5, len(questions))), "pass_mark": 80,
        "refresher_months": 24, "owner": STARTER_OWNER, "review_by": (today + dt.timedelta(days=365)).isoformat(),
        "guidance": [dict(STARTER_GUIDANCE)],
    }


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
