"""How far a module's assessment rewards test-wise habits instead of knowledge: measured once, here.

A learner who knows nothing but picks the longest option, answers 'False' and ticks all but the
shortest option should fail. These figures say whether the question writing lets them: the share of
one-answer questions whose right option is the longest, the true/false balance, how many questions
are scenarios, how big the pool is against the questions asked, options such as "all of the above",
and assessment questions that repeat a knowledge check. `authoring measure` prints them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from authoring.module import Module
    from authoring.questions import Question

CATCH_ALL = re.compile(r"\b(all|none|both|neither) of (the|these) (above|options|answers)\b", re.IGNORECASE)


# The limits the shipped modules meet (tests/courses) and every trainer should aim for.
MIN_POOL_RATIO = 1.5
MAX_EXTREME_SHARE = Fraction(1, 3)  # of one-answer questions whose right option is the longest (or the shortest)
TRUE_SHARE = (Fraction(2, 5), Fraction(3, 5))  # 'True' right in 40-60% of true/false questions
MAX_TEST_WISE = Fraction(35, 100)


@dataclass(frozen=True)
class Habits:
    """The figures for one module's scored pool, with the ids of the questions behind each."""

    asked: int
    pool: int
    one_answer: int
    longest_ids: list[str]
    shortest_ids: list[str]
    true_false: int
    true_right: int
    scenarios: int
    catch_all: list[str]
    repeats: list[str]
    test_wise: Fraction  # the share of the pool a test-wise guesser answers right

    @property
    def longest_right(self) -> int:
        return len(self.longest_ids)

    @property
    def shortest_right(self) -> int:
        return len(self.shortest_ids)

    @property
    def pool_ratio(self) -> float:
        return self.pool / self.asked if self.asked else 0.0

    def within_limits(self) -> dict[str, bool]:
        """Each limit and whether the module meets it; a module with no such questions meets it."""
        share = Fraction(self.true_right, self.true_false) if self.true_false else TRUE_SHARE[0]
        return {"pool": self.pool_ratio >= MIN_POOL_RATIO,
                "longest": self.longest_right <= MAX_EXTREME_SHARE * self.one_answer,
                "shortest": self.shortest_right <= MAX_EXTREME_SHARE * self.one_answer,
                "true or false": TRUE_SHARE[0] <= share <= TRUE_SHARE[1], "scenarios": 2 * self.scenarios >= self.pool,
                "catch-all": not self.catch_all, "repeats": not self.repeats, "test-wise": self.test_wise < MAX_TEST_WISE}

    def lines(self) -> list[str]:
        """The figures in words, one per line, each with its limit and OK or FIX, for the command line."""
        ok = {name: "OK" if met else "FIX" for name, met in self.within_limits().items()}
        share = f"{self.true_right} of {self.true_false} have 'True' right" if self.true_false else "none"
        extreme, low, high = _words(MAX_EXTREME_SHARE), f"{float(TRUE_SHARE[0]):.0%}", f"{float(TRUE_SHARE[1]):.0%}"
        return [f"{ok['pool']}: pool {self.pool} for {self.asked} asked ({self.pool_ratio:.2f}x; aim for {MIN_POOL_RATIO}x or more)",
                f"{ok['longest']}: right option longer than all the others in {self.longest_right} of {self.one_answer} "
                f"one-answer questions (aim for {extreme} or fewer){_ids(self.longest_ids)}",
                f"{ok['shortest']}: right option shorter than all the others in {self.shortest_right} of {self.one_answer} "
                f"(aim for {extreme} or fewer; if you only shorten right answers, the shortest becomes the giveaway){_ids(self.shortest_ids)}",
                f"{ok['true or false']}: true or false: {share} (aim for {low} to {high})",
                f"{ok['scenarios']}: scenarios: {self.scenarios} of {self.pool} (aim for half or more)",
                f"{ok['catch-all']}: 'all of the above' and the like: {len(self.catch_all)}{_ids(self.catch_all)}",
                f"{ok['repeats']}: assessment questions repeating a knowledge check: {len(self.repeats)}{_ids(self.repeats)}",
                f"{ok['test-wise']}: a guesser who picks the longest option, answers 'False' and ticks all but the "
                f"shortest gets {float(self.test_wise):.0%} of the questions right (aim for under {float(MAX_TEST_WISE):.0%})"]


def _words(share: Fraction) -> str:
    """A limit as a trainer reads it: 'a third' rather than 1/3."""
    return {Fraction(1, 3): "a third", Fraction(1, 4): "a quarter", Fraction(1, 2): "half"}.get(share, f"{float(share):.0%}")


def _ids(ids: list[str]) -> str:
    return f": {', '.join(ids)}" if ids else ""


def text(fragment: str) -> str:
    """An option or stem as the learner reads it: no markup, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def measure(module: Module) -> Habits:
    """The test-wise figures of a module read by authoring.module.load."""
    scored = [q for q in module.questions if q.scored]
    checks = {text(module.rendered_questions[q.id]["stem"]).casefold() for q in module.questions if not q.scored}
    one_answer = [q for q in scored if not q.kind.multiple_answers and not q.kind.fixed_options]
    true_false = [q for q in scored if q.kind.fixed_options]
    return Habits(
        asked=module.settings.assessment_rules.questions or len(scored), pool=len(scored), one_answer=len(one_answer),
        longest_ids=[q.id for q in one_answer if _extreme_is_right(q, longest=True)],
        shortest_ids=[q.id for q in one_answer if _extreme_is_right(q, longest=False)], true_false=len(true_false),
        true_right=sum(q.correct_ids == [o.id for o in q.options if o.text.capitalize() == "True"] for q in true_false),
        scenarios=sum(q.kind.case_study for q in scored),
        catch_all=[q.id for q in scored if any(CATCH_ALL.search(o.text) for o in q.options)],
        repeats=[q.id for q in scored if text(module.rendered_questions[q.id]["stem"]).casefold() in checks],
        test_wise=Fraction(sum(_test_wise_right(q) for q in scored), len(scored)) if scored else Fraction(0))


def _length(option_text: str) -> int:
    return len(text(option_text))


def _extreme_is_right(question: Question, longest: bool) -> bool:
    """The right option is strictly the longest (or shortest): a tie gives the guesser no single option to pick."""
    lengths = sorted(((_length(o.text), o.correct) for o in question.options), reverse=longest)
    return lengths[0][1] and (len(lengths) == 1 or lengths[0][0] != lengths[1][0])


def _test_wise_right(question: Question) -> bool:
    """Whether the habits of bench/assessment_attack.py's test-wise guesser answer this question right."""
    by_length = sorted(question.options, key=lambda o: _length(o.text))
    if question.kind.fixed_options:
        chosen = [o for o in question.options if o.text.capitalize() == "False"]
    elif question.kind.multiple_answers:
        chosen = by_length[1:]
    else:
        chosen = by_length[-1:]
    return {o.id for o in chosen} == set(question.correct_ids)
