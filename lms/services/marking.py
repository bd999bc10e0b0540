"""Marking an assessment on the server: the answer key never leaves the database before this runs."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from lms.models import ModuleVersion

FIXED_ORDER_KINDS = {"true_false"}


class AnswerError(ValueError):
    """Answers that cannot be marked; `problems` maps question id to what the learner must fix."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass
class QuestionResult:
    question_id: str
    chosen: list[str]
    correct: bool
    correct_options: list[str]
    feedback: dict[str, str]


@dataclass
class Marking:
    correct_count: int
    question_count: int
    score: int
    passed: bool
    results: list[QuestionResult] = field(default_factory=list)


def shuffled_option_order(version: ModuleVersion, rng: random.Random | None = None) -> dict[str, list[str]]:
    """A fresh option order for each scored question, so answers cannot be learnt by position."""
    rng = rng or random.SystemRandom()
    order = {}
    for question in version.scored_questions:
        ids = [o["id"] for o in question["options"]]
        if question["kind"] not in FIXED_ORDER_KINDS:
            rng.shuffle(ids)
        order[question["id"]] = ids
    return order


def read_answers(questions: list[dict], form: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Pick each question's chosen options out of submitted form values, refusing anything tampered."""
    answers, problems = {}, {}
    for number, question in enumerate(questions, start=1):
        valid = {o["id"] for o in question["options"]}
        chosen = [value for value in form.get(question["id"], []) if value]
        if not chosen:
            problems[question["id"]] = f"Answer question {number}"
        elif not set(chosen) <= valid or (not question["multiple"] and len(chosen) > 1):
            problems[question["id"]] = f"Question {number} has an answer that is not one of its options: choose again"
        else:
            answers[question["id"]] = sorted(set(chosen))
    if problems:
        raise AnswerError(problems)
    return answers


def mark(questions: list[dict], answer_key: dict, answers: dict[str, list[str]], pass_mark: int) -> Marking:
    """Score answers against the key: a question is right only when exactly its correct options are chosen."""
    results = []
    for question in questions:
        key = answer_key[question["id"]]
        chosen = answers.get(question["id"], [])
        results.append(QuestionResult(question["id"], chosen, set(chosen) == set(key["correct"]), key["correct"], key["feedback"]))
    correct = sum(r.correct for r in results)
    total = len(results)
    score = round(100 * correct / total) if total else 0
    # compare in whole numbers so 8 of 10 passes an 80% mark exactly
    return Marking(correct, total, score, correct * 100 >= pass_mark * total, results)
