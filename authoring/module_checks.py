"""The checks that a module can be completed as the trainer meant: its pages, the assessment page and the pool.

A mixin of the notebook reader in authoring/module.py: these run once every cell has been read, on
the pages and questions it collected.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from authoring.assessment import pool_problems

if TYPE_CHECKING:
    from authoring.module import Page
    from authoring.questions import Question

NO_ASSESSMENT_FIX = ("add a last page, '# Assessment', holding '### Question' cells: only those are marked "
                     "('### Knowledge check' questions are not), and a learner completes the module by passing them")
ASSESSMENT_TITLE = re.compile(r"assessment|\btest\b|\bquiz\b|\bexam\b", re.IGNORECASE)


class ModuleChecks:
    """Checks on the whole module; the reader supplies pages, questions, problems, settings and cell maps."""

    def _check_pool(self) -> None:
        scored = [q for q in self.questions if q.scored]
        pool: dict[str, int] = {}
        for question in scored:
            pool[question.outcome] = pool.get(question.outcome, 0) + 1
        for message, fix in pool_problems(pool, self.settings.assessment_rules):
            self.problems.error(1, message, fix)
        before = [q for q in scored if self.outcome_cells and q.cell < self.outcome_cells[0]]
        if before:
            first = before[0]
            self.problems.error(first.cell, "this scored question comes before the first '## Outcome:' heading", "move it under an outcome heading, so every question tests an outcome")
        last_page_cell = self.pages[-1].cell if self.pages else 0
        for cell in self.outcome_cells:
            if cell < last_page_cell:
                self.problems.error(cell, "an '## Outcome:' heading is not on the assessment page", "move it to the last page, above the scored questions it groups")
        if self.settings.assessment_rules.questions and not scored:
            self.problems.warning(1, "assessment settings are given but the module has no scored questions", "add '### Question' cells on the last page, or remove the 'assessment' settings")

    def _check_assessment_page(self) -> None:
        """A module is completed by passing its assessment: one that has none, or hides parts of it, is an error."""
        if not self.pages:
            return
        last = self.pages[-1]
        if not any(q.scored for q in self.questions):
            named = ASSESSMENT_TITLE.search(html.unescape(last.title))
            where = f"the page '{html.unescape(last.title)}' has no scored questions, so " if named else ""
            self.problems.error(last.cell if named else None, f"{where}the module has no assessment: no learner can pass it, so no one can complete it in the LMS", NO_ASSESSMENT_FIX)
            return
        by_id = {q.id: q for q in self.questions}
        hint, typed = self._typed_as_sub_heading(last, by_id)
        hinted = scored_seen = False
        for block in last.blocks:
            question = by_id.get(block.get("id", ""))
            cell = question.cell if question else self.block_cells.get(id(block), last.cell)
            if question and not question.scored:
                self.problems.error(cell, "a knowledge check on the assessment page is never shown: learners see only the scored questions there",
                                    "move it to a lesson page before the assessment, or make it a scored '### Question'" + hint)
                hinted = True
            elif question is None and scored_seen and cell not in self.near_outcome_cells:
                self.problems.error(cell, "this cell comes after a scored question on the assessment page, but learners only see it above the 'Start the assessment' button, not next to the questions",
                                    "move it above the first '### Question'; if it is a case study, put it inside a '### Question (scenario)' cell" + hint)
                hinted = True
            scored_seen = scored_seen or bool(question and question.scored)
        if typed and not hinted:  # the lesson and the assessment show as one page: said, though it may be meant
            cell, text = typed
            self.problems.warning(cell, f"the heading '## {text}' does not start a page, so the scored questions are on the page "
                                  f"'{html.unescape(last.title)}', under its lesson", f"to give the assessment a page of its own, write '# {text}', with one '#'")

    def _typed_as_sub_heading(self, last: Page, by_id: dict[str, Question]) -> tuple[str, tuple[int, str] | None]:
        """A hint for the assessment page's problems when it looks like a lesson page whose '# Assessment' was typed '##',
        and the '## ' heading that starts a cell there and names an assessment, if there is one."""
        if ASSESSMENT_TITLE.search(html.unescape(last.title)):
            return "", None
        questions = [by_id.get(block.get("id", "")) for block in last.blocks]
        first_scored = next((q.cell for q in questions if q and q.scored), None)
        if first_scored is None or all(q and q.scored for q in questions):
            return "", None
        typed = [(cell, text) for cell, text in self.sub_headings.items() if last.cell <= cell < first_scored and ASSESSMENT_TITLE.search(text)]
        page = f"; the scored questions are on the page '{html.unescape(last.title)}'"
        hint = (f"{page}: if the '## {typed[-1][1]}' in cell {typed[-1][0]} was meant to start the assessment page, write it with one '#'"
                if typed else f"{page}: if a '# Assessment' heading was typed '## Assessment', write it with one '#'")
        return hint, typed[-1] if typed else None

    def _check_pages(self) -> None:
        if not self.pages and not self.problems.errors:
            self.problems.error(None, "the module has no pages", "start a Markdown cell with a page heading, '# Page title', and write the lesson under it")
        for page in self.pages:
            if not page.blocks:
                self.problems.error(page.cell, f"the page '{html.unescape(page.title)}' is empty", "write the lesson under the heading, or delete the heading")
        scored = [q for q in self.questions if q.scored]
        last_page_cell = self.pages[-1].cell if self.pages else 0
        for question in scored:
            if question.cell < last_page_cell:
                self.problems.error(question.cell, "a scored question is not on the last page", "move it to the assessment page at the end, or make it a '### Knowledge check'")
