"""A module's outline: its pages in order with the questions on each, so merged or lost pages show."""

from __future__ import annotations

import html
import re
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from authoring.module import Module, Page
    from authoring.questions import Question

# A deleted '# ' heading, or one typed '##', merges two pages into one. In our five courses (2025) the
# longest lesson page is 1.95 times its module's median lesson page and 453 words, while any two
# neighbouring pages merged come to 1.2 to 3.3 times the median. A page is flagged when it is over
# LONG_PAGE_FACTOR times the median (the merged page included) AND over LONG_PAGE_WORDS words: this
# catches 20 of the 45 possible merges in those courses and warns about none of their real pages;
# the word floor keeps modules of short pages quiet. The outline (`check --outline`) shows the rest.
LONG_PAGE_FACTOR = 2.0
LONG_PAGE_WORDS = 500
MIN_PAGES_TO_COMPARE = 3  # with fewer lesson pages, a median says nothing about a typical page
TAG = re.compile(r"<[^>]+>")


@dataclass
class PageOutline:
    """One page as the outline shows it: number, title (plain text), first cell, words and questions."""

    number: int
    title: str
    cell: int
    words: int = 0
    questions: list[str] = field(default_factory=list)  # e.g. "Knowledge check (one answer), cell 7"
    lang: str = ""  # the page's language when its heading ends with {lang=cy}
    is_assessment: bool = False  # the last page of a module with scored questions

    def summary(self) -> str:
        """'Page 2: Signs of radicalisation (cell 5) — 420 words, 1 knowledge check', for `check --outline`."""
        lang = f" [{self.lang}]" if self.lang else ""
        counts = [f"{self.words} word{'s' * (self.words != 1)}"]
        checks = sum(q.startswith("Knowledge check") for q in self.questions)
        scored = len(self.questions) - checks
        if checks:
            counts.append(f"{checks} knowledge check{'s' * (checks != 1)}")
        if scored:
            counts.append(f"{scored} scored question{'s' * (scored != 1)}")
        return f"Page {self.number}: {self.title}{lang} (cell {self.cell}) — {', '.join(counts)}"


def plain_text(fragment: str) -> str:
    """What a learner reads in an HTML fragment, without tags or entities."""
    return " ".join(html.unescape(TAG.sub(" ", fragment)).split())


def question_label(question: Question) -> str:
    """'Knowledge check (one answer), cell 7': what the question is and where to find it."""
    kind = question.kind.words or "one answer"
    return f"{'Question' if question.scored else 'Knowledge check'} ({kind}), cell {question.cell}"


def page_words(page: Page) -> int:
    """Words of lesson text on a page (its HTML blocks), not counting the title or its questions."""
    return sum(len(plain_text(block["html"]).split()) for block in page.blocks if block["type"] == "html")


def outline(module: Module) -> list[PageOutline]:
    """Every page of the module in order, with its words and questions, so a merged or lost page shows."""
    by_id = {q.id: q for q in module.questions}
    has_assessment = any(q.scored for q in module.questions)
    found = []
    for number, page in enumerate(module.pages, start=1):
        questions = [question_label(by_id[b["id"]]) for b in page.blocks if b["type"] == "question" and b["id"] in by_id]
        found.append(PageOutline(number, plain_text(page.title), page.cell, page_words(page), questions, page.lang,
                                 has_assessment and number == len(module.pages)))
    return found


def long_pages(pages: list[PageOutline]) -> list[PageOutline]:
    """Lesson pages much longer than the module's typical lesson page: a page heading may be missing."""
    lessons = [p for p in pages if not p.is_assessment]
    if len(lessons) < MIN_PAGES_TO_COMPARE:
        return []
    median = statistics.median(p.words for p in lessons)
    return [p for p in lessons if p.words > LONG_PAGE_WORDS and p.words > LONG_PAGE_FACTOR * median]


def long_page_warning(page: PageOutline) -> tuple[str, str]:
    """(what is wrong, fix) for a page `long_pages` found."""
    return (f"page {page.number}, '{page.title}', has {page.words} words, far more than the module's other pages: "
            "two pages may have merged into one",
            "check the outline ('authoring check --outline'); if a page is missing, give it a '# ' heading "
            "at the top of its first cell (a heading typed '## ' stays inside the page before)")


def format_outline(path: object, pages: list[PageOutline]) -> str:
    """The outline of one notebook as `check --outline` prints it: a line per page, and per question on a lesson page."""
    lines = [f"{path}: outline"]
    for page in pages:
        lines.append("  " + page.summary())
        # the assessment's own questions are only counted: a question listed there is one out of place
        shown = [q for q in page.questions if not (page.is_assessment and q.startswith("Question"))]
        lines.extend(f"      {question}" for question in shown)
    if not pages:
        lines.append("  (no pages)")
    return "\n".join(lines)
