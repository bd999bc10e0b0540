"""Marking an assessment on the server: the answer key never leaves the database before this runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from authoring.kinds import kind_named
from authoring.scoring import passes, score_percent
from lms.services.assessment_draw import AskedQuestion


class AnswerError(ValueError):
    """Answers that cannot be marked; `problems` maps a form field to what the learner must fix."""

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
    outcome: str = ""


@dataclass
class Marking:
    correct_count: int
    question_count: int
    score: int
    passed: bool
    results: list[QuestionResult] = field(default_factory=list)

    @property
    def missed_outcomes(self) -> list[str]:
        """The learning outcomes with a question answered wrongly, in the order asked ('' for a module without outcomes)."""
        return list(dict.fromkeys(r.outcome for r in self.results if not r.correct))


def read_answers(asked: list[AskedQuestion], form: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Each question's chosen option ids, read from the identifiers this attempt's page showed.

    An identifier the page did not show (from another attempt, or made up) is refused, as is a second
    answer to a one-answer question: the learner is asked to choose again, and nothing is marked.
    """
    answers, problems = {}, {}
    for number, item in enumerate(asked, start=1):
        shown = item.option_ids
        chosen = [value for value in form.get(item.field, []) if value]
        if not chosen:
            problems[item.field] = f"Answer question {number}"
        elif not set(chosen) <= set(shown) or (not kind_named(item.question["kind"]).multiple_answers and len(chosen) > 1):
            problems[item.field] = f"Question {number} has an answer that is not one of its options: choose again"
        else:
            answers[item.question["id"]] = sorted({shown[value] for value in chosen})
    if problems:
        raise AnswerError(problems)
    return answers


def mark(questions: list[dict], answer_key: dict, answers: dict[str, list[str]], pass_mark: int) -> Marking:
    """Score answers against the key, each question by its kind's rule; the score and pass by authoring.scoring."""
    results = []
    for question in questions:
        key = answer_key[question["id"]]
        chosen = answers.get(question["id"], [])
        right = kind_named(question["kind"]).is_right(chosen, key["correct"])
        results.append(QuestionResult(question["id"], chosen, right, key["correct"], key["feedback"], question.get("outcome", "")))
    correct, total = sum(r.correct for r in results), len(results)
    return Marking(correct, total, score_percent(correct, total), passes(correct, total, pass_mark), results)
