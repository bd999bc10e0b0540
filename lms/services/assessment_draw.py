"""Drawing an attempt's questions from a module's pool, and the option identifiers its page shows.

Everything follows from the attempt's seed: which questions are asked (spread over learning outcomes by
`authoring.assessment.allocate`), their order, each question's option order, and the identifiers the
form uses. Identifiers are keyed hashes of the seed, so they differ per attempt and reveal nothing about
the options they stand for; the seed stays on the server.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from dataclasses import dataclass

from authoring.assessment import AssessmentSettings, allocate
from authoring.kinds import kind_named
from lms.models import Attempt, ModuleVersion

TOKEN_LENGTH = 12


def new_seed() -> str:
    return secrets.token_hex(16)


def rules_of(version: ModuleVersion) -> AssessmentSettings:
    """A version's assessment rules, as its notebook set them (defaults for older versions)."""
    return AssessmentSettings.from_dict((version.settings or {}).get("assessment"))


def question_count(version: ModuleVersion) -> int:
    """How many questions each attempt of this version asks."""
    pool = len(version.scored_questions)
    asked = rules_of(version).questions
    return min(asked, pool) if asked else pool


def draw(version: ModuleVersion, seed: str) -> list[dict]:
    """The questions an attempt asks and their option order, the same on every server for the same seed."""
    rng = random.Random(seed)
    by_outcome: dict[str, list[dict]] = {}
    for question in version.scored_questions:
        by_outcome.setdefault(question.get("outcome", ""), []).append(question)
    counts = allocate({outcome: len(items) for outcome, items in by_outcome.items()}, question_count(version))
    asked = [q for outcome, items in by_outcome.items() for q in rng.sample(items, counts[outcome])]
    rng.shuffle(asked)
    drawn = []
    for question in asked:
        options = [o["id"] for o in question["options"]]
        if kind_named(question["kind"]).shuffles_options:
            rng.shuffle(options)
        drawn.append({"question": question["id"], "options": options})
    return drawn


def token(seed: str, *parts: str) -> str:
    """An identifier for the page that only this attempt's seed can produce."""
    return hmac.new(seed.encode(), "\n".join(parts).encode(), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


@dataclass(frozen=True)
class AskedQuestion:
    """One question as a form shows it: its field name, and each option's identifier in the order shown."""

    number: int
    field: str
    question: dict
    options: list[tuple[str, dict]]  # (identifier on the page, stored option)

    @property
    def option_ids(self) -> dict[str, str]:
        """Page identifier -> stored option id."""
        return {shown: option["id"] for shown, option in self.options}

    def shown_ids(self, option_ids: list[str]) -> list[str]:
        """The page identifiers of stored option ids (to tick what the learner chose)."""
        back = {option["id"]: shown for shown, option in self.options}
        return [back[i] for i in option_ids if i in back]


def asked_questions(version: ModuleVersion, attempt: Attempt) -> list[AskedQuestion]:
    """The attempt's questions, numbered in the order drawn, with per-attempt field names and option identifiers."""
    questions = {q["id"]: q for q in version.scored_questions}
    asked = []
    for number, item in enumerate(attempt.drawn, start=1):
        question = questions[item["question"]]
        options = {o["id"]: o for o in question["options"]}
        shown = [(token(attempt.seed, item["question"], option_id), options[option_id]) for option_id in item["options"]]
        asked.append(AskedQuestion(number, f"answer-{number}", question, shown))
    return asked


def questions_asked(version: ModuleVersion, attempt: Attempt) -> list[dict]:
    """The stored questions an attempt asked, in the order it asked them: the only ones it is marked on."""
    questions = {q["id"]: q for q in version.scored_questions}
    return [questions[item["question"]] for item in attempt.drawn]


def knowledge_check(question: dict) -> AskedQuestion:
    """An unscored question on a lesson page: nothing is at stake, so it keeps its own ids and order."""
    return AskedQuestion(0, question["id"], question, [(o["id"], o) for o in question["options"]])
