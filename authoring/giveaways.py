"""Feedback that would give the answer key away after a failed attempt, found for `authoring check`.

After a fail, learners see the feedback of every answer they chose, with no marks (the module's
`show_after_fail: outcomes`, the default). Feedback that opens with a verdict ("Right.", "No,") or, on a
wrong option, names the right answer ("...so call 999") turns that into a mark or the key itself.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from authoring.questions import Question

VERDICT = re.compile(
    r"^[\s*_]*(?:that(?:'|’|\s+i)s\s+(?:right|correct|wrong|incorrect|true|false)|you(?:'|’|\s+a)re\s+(?:right|correct|wrong)"
    r"|not\s+(?:quite|so|really|exactly|correct|right|on\s+its\s+own)|well\s+done|spot\s+on|exactly|correct|incorrect"
    r"|right|wrong|yes|no|nope|true|false|good|great)(?=[\s*_]*(?:[.,!:;—–]|\s-\s|$))",
    re.IGNORECASE,
)
VERDICT_FIX = ("start with the reason instead: after a failed attempt learners see this feedback without marks, "
               "and a verdict would tell them which answers were right")
NAMES_ANSWER_FIX = ("say what is wrong with this choice without naming the right one: after a failed attempt learners "
                    "see this feedback, and it would hand them the answer for next time")
SHORTEST_ANSWER = 3  # shorter right answers ("No", "Yes") are too common in prose to count as named


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^\w%£]+", " ", text.lower()).split()) + " "


def giveaway_problems(question: Question) -> list[tuple[str, str]]:
    """(what is wrong, fix) for each option whose feedback would give the key away once shown without marks."""
    found = []
    right = [_words(o.text) for o in question.options if o.correct]
    for number, option in enumerate(question.options, start=1):
        verdict = VERDICT.match(option.feedback)
        if verdict:
            found.append((f"the feedback on option {number} opens with a verdict, '{verdict.group(0).strip(' *_')}'", VERDICT_FIX))
        elif not option.correct:
            named = next((r for r in right if len(r.strip()) >= SHORTEST_ANSWER and r in _words(option.feedback)), None)
            if named:
                found.append((f"the feedback on wrong option {number} names the right answer, '{named.strip()}'", NAMES_ANSWER_FIX))
    return found
