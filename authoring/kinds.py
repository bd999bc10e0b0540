"""Kinds of question: one registry that authoring, marking, GIFT, preview and SCORM all read.

A kind says how trainers name it, how learners answer it, whether its options may be shuffled, how
many right answers it may have, and how it travels to GIFT and SCORM. Adding a kind is one
`register(...)` call; nothing else tests a kind's name.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionKind:
    """How one kind of question is written, shown, answered and exported."""

    name: str  # stored in published versions: never rename one
    words: str  # what trainers write in brackets after the heading ('' for the plain kind)
    label: str  # the hint learners see under the question
    multiple_answers: bool = False
    case_study: bool = False
    fixed_options: tuple[str, ...] | None = None  # the options it must have (any order in the notebook)
    # Shuffled per attempt, true/false too: a fixed place would let a script that reads nothing learn
    # "the second option" from result pages whenever a pool's true/false answers lean one way.
    shuffles_options: bool = True
    gift: str = "choice"  # 'choice' (one '=' or weighted '~%n%') or 'truefalse' ({TRUE} / {FALSE})
    scorm_interaction: str = "choice"  # SCORM 1.2 cmi.interactions.n.type

    @property
    def input_type(self) -> str:
        """The HTML input learners answer with."""
        return "checkbox" if self.multiple_answers else "radio"

    def right_answer_count_problem(self, count: int) -> tuple[str, str] | None:
        """(what is wrong, fix) when a question of this kind has `count` options marked [x], else None."""
        if count == 0:
            return "the question has no correct answer", "mark the right option with [x]"
        if count > 1 and not self.multiple_answers:
            return (f"a one-answer question has {count} options marked [x]",
                    "mark only one option with [x], or write '(multiple answers)' after the heading")
        return None

    def is_right(self, chosen: Collection[str], correct: Collection[str]) -> bool:
        """Right only when exactly the correct options are chosen: no partial credit, for any kind."""
        return set(chosen) == set(correct)


KINDS: dict[str, QuestionKind] = {}  # by the words trainers write
BY_NAME: dict[str, QuestionKind] = {}  # by the name stored in a published version


def register(kind: QuestionKind) -> None:
    """Add a kind of question; its words and its name must both be new."""
    if kind.words in KINDS or kind.name in BY_NAME:
        raise ValueError(f"a kind called '{kind.words}' or '{kind.name}' is already registered")
    KINDS[kind.words] = kind
    BY_NAME[kind.name] = kind


def kind_named(name: str) -> QuestionKind:
    """The kind a stored question names (KeyError for a name no kind has)."""
    return BY_NAME[name]


register(QuestionKind("single", "", "Choose one answer"))
register(QuestionKind("multiple", "multiple answers", "Choose all that apply", multiple_answers=True))
register(QuestionKind("true_false", "true or false", "True or false", fixed_options=("True", "False"),
                      gift="truefalse", scorm_interaction="true-false"))
register(QuestionKind("scenario", "scenario", "Choose one answer", case_study=True))
register(QuestionKind("scenario_multiple", "scenario, multiple answers", "Choose all that apply",
                      multiple_answers=True, case_study=True))
