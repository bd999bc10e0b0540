"""A module's assessment rules: how many pool questions an attempt asks, retries, and feedback after a fail.

They are written under `assessment:` in the settings cell and travel in the version's settings, so the
LMS, the SCORM runtime and `authoring check` read the same numbers. `allocate` is the one rule for
spreading an attempt's questions over learning outcomes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from authoring.problems import ProblemList, did_you_mean

AFTER_FAIL = ("review", "wait")
SHOW_AFTER_FAIL = ("outcomes", "answers")
NUMBERS = {"questions": (1, 200), "wait_minutes": (1, 10080), "failed_attempts": (1, 50), "failed_attempts_hours": (1, 720)}
FIX = "write the assessment settings as in docs/authoring.md, section 'Question pools and retries'"


@dataclass
class AssessmentSettings:
    """Defaults: ask every question; review the pages after a fail; 3 failed attempts in 24 hours, then wait."""

    questions: int | None = None  # None: every scored question, every attempt
    after_fail: str = "review"  # 'review': open every lesson page again; 'wait': wait `wait_minutes`
    wait_minutes: int = 60
    failed_attempts: int = 3
    failed_attempts_hours: int = 24
    show_after_fail: str = "outcomes"  # "outcomes": missed outcomes and the teaching of chosen answers; "answers": every mark

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, stored: dict | None) -> AssessmentSettings:
        """The rules stored with a published version (defaults for versions published before they existed)."""
        known = {k: v for k, v in (stored or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


def parse_assessment(raw: object, cell: int, problems: ProblemList) -> AssessmentSettings:
    """Read the `assessment:` block of the settings, reporting each bad value with its fix."""
    rules = AssessmentSettings()
    if raw in (None, ""):
        return rules
    if not isinstance(raw, dict):
        problems.error(cell, "assessment must be a group of settings, each on its own indented line", FIX)
        return rules
    for name in sorted(set(raw) - set(AssessmentSettings.__dataclass_fields__)):
        problems.error(cell, f"unknown assessment setting '{name}'", _spelling_fix(name, list(AssessmentSettings.__dataclass_fields__)))
    for name, (low, high) in NUMBERS.items():
        value = raw.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems.error(cell, f"assessment {name} '{value}' is not a whole number from {low} to {high}",
                           f"write e.g. '  {name}: {getattr(rules, name) or 10}'")
        else:
            setattr(rules, name, value)
    for name, choices in (("after_fail", AFTER_FAIL), ("show_after_fail", SHOW_AFTER_FAIL)):
        value = raw.get(name)
        if value in (None, ""):
            continue
        if value not in choices:
            problems.error(cell, f"assessment {name} '{value}' is not one of ours", _spelling_fix(value, list(choices)))
        else:
            setattr(rules, name, value)
    return rules


def _spelling_fix(name: object, known: list[str]) -> str:
    meant = did_you_mean(name, known)
    return f"did you mean '{meant}'?" if meant else "use one of: " + ", ".join(known)


def allocate(pool: dict[str, int], asked: int) -> dict[str, int]:
    """How many questions each outcome gives an attempt: at least one each, the rest in proportion to pool size.

    `pool` maps each outcome (in notebook order) to its number of questions. Largest remainders decide
    the odd question, earlier outcomes first on a tie, so the split is the same on every server.
    """
    counts = {outcome: min(1, size) for outcome, size in pool.items()}
    left = asked - sum(counts.values())
    spare = {outcome: size - counts[outcome] for outcome, size in pool.items()}
    total_spare = sum(spare.values())
    if left <= 0 or total_spare == 0:
        return counts
    shares = {outcome: left * room / total_spare for outcome, room in spare.items()}
    for outcome, share in shares.items():
        counts[outcome] += min(int(share), spare[outcome])
    order = sorted(pool, key=lambda o: (-(shares[o] - int(shares[o])), list(pool).index(o)))
    while sum(counts.values()) < min(asked, sum(pool.values())):
        for outcome in order:
            if counts[outcome] < pool[outcome] and sum(counts.values()) < asked:
                counts[outcome] += 1
    return counts


def pool_problems(pool: dict[str, int], rules: AssessmentSettings) -> list[tuple[str, str]]:
    """(what is wrong, fix) when the pool cannot give every attempt the questions the settings ask for."""
    size = sum(pool.values())
    if not size or rules.questions is None:
        return []
    found = []
    if rules.questions > size:
        found.append((f"the assessment asks {rules.questions} questions but the pool has only {size} scored questions",
                      f"add {rules.questions - size} more '### Question' cells, or lower 'questions' under 'assessment'"))
    outcomes = [o for o in pool if o]
    if len(outcomes) > rules.questions:
        found.append((f"the pool has {len(outcomes)} learning outcomes but an attempt asks only {rules.questions} questions",
                      "ask at least one question per outcome, or merge outcomes"))
    return found
