"""GIFT categories as learning outcomes: '$CATEGORY: $course$/top/Spot the signs' files its questions under
the outcome 'Spot the signs'. Moodle's own levels ($course$, top, and the 'Default for <course>' category
Moodle makes for every course) name no outcome, so learners never see them as one."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from authoring.gift_answers import GiftQuestion, LineReporter

MOODLE_LEVEL = re.compile(r"^(\$[a-z]+\$|top|Default for .*)$", re.IGNORECASE)  # Moodle's context, top and default categories


def category_outcome(path: str) -> str:
    """The outcome a category path names: its last part ('//' is a '/' inside a name), '' for Moodle's own levels."""
    parts = [" ".join(part.replace("//", "/").split()) for part in re.split(r"(?<!/)/(?!/)", path)]
    named = [part for part in parts if part and not MOODLE_LEVEL.match(part)]
    return named[-1] if named and not MOODLE_LEVEL.match(parts[-1]) else ""


def check_outcomes(questions: list[GiftQuestion], report: LineReporter) -> None:
    """Every scored question needs an outcome once any has one, as `authoring check` asks of a notebook."""
    scored = [q for q in questions if q.scored]
    if not any(q.outcome for q in scored) or all(q.outcome for q in scored):
        return
    first = next(q for q in scored if not q.outcome)
    if first.category:
        report.error(first.line, f"this question is filed under '{first.category}', Moodle's own category, which names no learning "
                                 "outcome, but other questions are filed under outcomes",
                     "move it into a category named for its outcome (in Moodle, or with a '$CATEGORY: $course$/<outcome>' line above it)")
    else:
        report.error(first.line, "this question has no $CATEGORY but others do, so it would have no learning outcome",
                     "put a '$CATEGORY: $course$/<outcome>' line above it, or delete every $CATEGORY line")
