"""A notebook read into a module: settings, pages of rendered blocks, questions and assets."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from authoring.code_cells import render_code_cell
from authoring.module_checks import ModuleChecks
from authoring.notebook import cell_source, read_notebook, too_deep
from authoring.outline import long_page_warning, long_pages, outline
from authoring.pasted import tidy_pasted
from authoring.placeholders import fill_module_placeholders, placeholder_problems, placeholders_in
from authoring.problems import ProblemList
from authoring.questions import Question, is_question_cell, parse_question
from authoring.render import Asset, CellContext, MarkdownRenderer
from authoring.scaffold import starter_example
from authoring.settings import SETTINGS_CELL_FIX, Settings, parse_settings, split_front_matter
from authoring.stated_numbers import stated_number_problems
from authoring.structure import check_lesson_cell, raw_cell_problem, split_page_title
from authoring.vocabulary import BUILT_IN, Vocabulary, candidates, for_notebook, using

PAGE_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$")
OUTCOME_HEADING = re.compile(r"^##[ \t]+outcome[ \t]*:[ \t]*(.*?)[ \t#]*$", re.IGNORECASE)
# A heading a trainer meant as an outcome but wrote another way ('### Outcome:', '## Outcome -'), or
# typed inside another cell: it would group nothing and show as text, so check says how to write it.
NEAR_OUTCOME_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*outcome[ \t]*[:\-–—]", re.IGNORECASE | re.MULTILINE)
OUTCOME_FIX = "write '## Outcome: <what the learner can do>' as the only line of a Markdown cell of its own"
# The last line of defence for the answer key: whatever Markdown, HTML or table made it, rendered text that
# opens with a tick box is an option shown as lesson text. The rules in structure.py name the usual causes.
ANSWER_BOX_SHOWN = re.compile(r">\s*+\[(?:[xX ]|&nbsp;|&#160;)?\]")
SUB_HEADING = re.compile(r"^##[ \t]+(.+?)[ \t#]*$")


@dataclass
class Page:
    """One lesson page: a title and blocks of HTML or question references, in order."""

    title: str
    cell: int
    blocks: list[dict] = field(default_factory=list)
    lang: str = ""  # a language code such as 'cy' when the heading ends with {lang=cy}; '' for the module's own


@dataclass
class Module:
    """Everything a notebook says, ready to be bundled; `problems` says what is wrong with it."""

    path: Path
    settings: Settings
    pages: list[Page]
    questions: list[Question]
    rendered_questions: dict[str, dict]
    assets: dict[str, Asset]
    problems: ProblemList
    input_files: list[Path] = field(default_factory=list)
    vocabulary: Vocabulary = BUILT_IN

    @property
    def ok(self) -> bool:
        return not self.problems.errors


def render_question(question: Question, markdown: MarkdownRenderer, context: CellContext) -> dict:
    """A question as HTML fragments; 'correct' and 'feedback' go to the answer key, never to the page."""
    inline = markdown.render_inline
    return {
        "id": question.id,
        "kind": question.kind.name,
        "label": question.kind.label,
        "multiple": question.kind.multiple_answers,
        "scored": question.scored,
        "outcome": question.outcome,
        "case_study": markdown.render(question.case_study, context) if question.case_study else "",
        "stem": inline(question.stem, context),
        "options": [{"id": o.id, "html": inline(o.text, context)} for o in question.options],
        "feedback": {o.id: inline(o.feedback, context) for o in question.options if o.feedback},
        "correct": question.correct_ids,
    }


def load(path: str | Path, today: dt.date | None = None) -> Module:
    """Read, check and render one notebook with its courses folder's vocabulary; never raises for a bad notebook."""
    path = Path(path)
    with using(for_notebook(path)) as words:
        module = _read(path, today or dt.date.today())
    module.vocabulary = words
    module.settings.placeholders = words.added_placeholders(placeholders_used(module))
    module.input_files.extend(candidates(path))  # a changed, new or deleted vocabulary.yaml rebuilds the module
    return module


def _read(path: Path, today: dt.date) -> Module:
    problems = ProblemList(path)
    notebook = read_notebook(path, problems)
    builder = _ModuleBuilder(path, problems, today)
    if notebook is not None:
        try:
            builder.read(notebook)
        except RecursionError:  # a cell nested deeper than a parser's stack: that notebook's problem only
            too_deep(problems)
    return builder.finish()


def unclosed_settings_problem(source: str) -> tuple[str, str] | None:
    """(what is wrong, fix) for a first cell that opens the settings with '---' but cannot be read as them, else None."""
    lines = source.strip().splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    closing = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---"), None)
    if closing is None:
        return ("the settings cell starts with '---' but has no closing '---' line", "add a line '---' after the last setting")
    return (f"the settings cell has text after its closing '---' on line {closing + 1}",
            "move that text into a Markdown cell of its own below, or delete it, so the cell ends with the '---' line")


def placeholders_used(module: Module) -> set[str]:
    """Every partnership placeholder left in the module for the LMS to fill."""
    texts = [module.settings.title, *(page.title for page in module.pages),
             *(block["html"] for page in module.pages for block in page.blocks if block["type"] == "html")]
    for rendered in module.rendered_questions.values():
        texts += [rendered["stem"], rendered["case_study"], *(o["html"] for o in rendered["options"]), *rendered["feedback"].values()]
    return {name for text in texts for name in placeholders_in(text)}


class _ModuleBuilder(ModuleChecks):
    """Walks the cells once, starting pages, parsing questions and rendering Markdown."""

    def __init__(self, path: Path, problems: ProblemList, today: dt.date) -> None:
        self.path, self.problems, self.today = path, problems, today
        self.settings = Settings()
        self.has_settings_cell = False
        self.pages: list[Page] = []
        self.questions: list[Question] = []
        self.rendered: dict[str, dict] = {}
        self.markdown = MarkdownRenderer(problems)
        self.first_heading = ""
        self.outcome = ""  # the '## Outcome:' heading the next scored questions belong to
        self.outcome_cells: list[int] = []
        self.outcome_texts: set[str] = set()
        self.block_cells: dict[int, int] = {}  # id(html block) -> the cell it came from, for stated-number warnings
        self.near_outcome_cells: set[int] = set()  # cells reported as an outcome heading written another way
        self.sub_headings: dict[int, str] = {}  # cell -> a '## ' heading that starts it, which may be a '# ' page heading typed '##'

    def read(self, notebook: NotebookNode) -> None:
        for number, cell in enumerate(notebook.cells, start=1):
            source = cell_source(cell)
            if number == 1 and cell.cell_type in ("raw", "markdown") and split_front_matter(source) is not None:
                if cell.cell_type == "markdown":
                    self.problems.error(1, "cell 1 holds the settings but is a Markdown cell",
                                        "select it and change its type to Raw (press Esc, then R, in JupyterLab)")
                self.has_settings_cell = True
                self.settings = parse_settings(split_front_matter(source) or "", 1, self.problems, self.today)
            elif number == 1 and cell.cell_type in ("raw", "markdown") and (problem := unclosed_settings_problem(source)):
                self.has_settings_cell = True  # it is one, though it cannot be read: nothing of it may be guessed
                self.problems.error(1, *problem)
            elif cell.cell_type == "markdown":
                self._markdown_cell(number, source, cell.get("attachments", {}))
            elif cell.cell_type == "code":
                self._code_cell(number, cell)
            elif cell.cell_type == "raw" and (problem := raw_cell_problem(source)):
                self.problems.warning(number, *problem)
        if not self.has_settings_cell:
            self.problems.tolerated(1, "the notebook has no settings cell", SETTINGS_CELL_FIX)

    def _markdown_cell(self, number: int, source: str, attachments: dict) -> None:
        if (example := starter_example(source)) is not None:
            self.problems.error(number, f"cell {number} is still the starter's example ('{example}')",
                                "replace it with your own content, or delete the cell")
        source = tidy_pasted(number, source, self.problems)
        if not source.strip():
            return
        context = CellContext(number, self.path.parent, attachments or {})
        if is_question_cell(source):
            self._question_cell(number, source, context)
            return
        outcome = OUTCOME_HEADING.match(source.strip().splitlines()[0])
        if outcome:
            self._outcome_cell(number, source, outcome.group(1))
            return
        if NEAR_OUTCOME_HEADING.search(source):
            self.problems.error(number, "this cell has a line that looks like an outcome heading but is not one", OUTCOME_FIX)
            self.near_outcome_cells.add(number)  # reported once: not again as text after a scored question
        self._lesson_cell(number, source, context)

    def _lesson_cell(self, number: int, source: str, context: CellContext) -> None:
        """A cell of lesson text, perhaps starting a page; a question typed the wrong way is reported, not shown."""
        shape = check_lesson_cell(source)
        for message, fix in shape.problems:
            self.problems.error(number, message, fix)
        if shape.is_broken_question:  # neither a page nor lesson text: its answers must never reach a page
            return
        heading = PAGE_HEADING.match(source.lstrip().splitlines()[0])
        if sub_heading := SUB_HEADING.match(source.lstrip().splitlines()[0]):
            self.sub_headings[number] = sub_heading.group(1)
        if heading:
            self._start_page(number, heading.group(1), context)
            source = source.lstrip().split("\n", 1)[1] if "\n" in source.lstrip() else ""
        if source.strip():
            self._add_block(number, {"type": "html", "html": self.markdown.render(source, context)})
            self._check_placeholders(number, self.pages[-1].blocks[-1]["html"])
            self.block_cells[id(self.pages[-1].blocks[-1])] = number

    def _start_page(self, number: int, heading: str, context: CellContext) -> None:
        """A '# ' heading starts a page; a '{lang=cy}' at its end sets the page's language."""
        text, lang, problem = split_page_title(heading)
        if problem:
            self.problems.error(number, *problem)
        elif lang and not text.strip():
            self.problems.error(number, f"the page heading has no title before {heading.strip()}",
                                f"write the page's title before it, e.g. '# Croeso {heading.strip()}'")
        title = self.markdown.render_inline(text, context)
        self._check_placeholders(number, title)
        self.first_heading = self.first_heading or html.unescape(re.sub(r"<[^>]+>", "", title))
        self.pages.append(Page(title, number, lang=lang))

    def _question_cell(self, number: int, source: str, context: CellContext) -> None:
        question = parse_question(source, number, self.problems)
        if question is None:
            return
        question.outcome = self.outcome if question.scored else ""
        clash = next((q for q in self.questions if q.id == question.id), None)
        if clash:
            if question.id.startswith("q-"):  # an id made from the text: the same question is in two cells
                self.problems.error(number, f"this question has the same text as the one in cell {clash.cell}", "delete one of the two, or change its text")
            else:
                self.problems.error(number, f"question id '{question.id}' is also used by cell {clash.cell}", "give one of them its own id with {#new-id} at the end of the heading")
            return
        self.questions.append(question)
        self.rendered[question.id] = rendered = render_question(question, self.markdown, context)
        self._check_placeholders(number, rendered["case_study"], rendered["stem"], *(o["html"] for o in rendered["options"]),
                                 *rendered["feedback"].values())
        self._add_block(number, {"type": "question", "id": question.id})

    def _outcome_cell(self, number: int, source: str, text: str) -> None:
        """'## Outcome: ...' starts a group of scored questions that every attempt draws from."""
        if not text.strip():
            self.problems.error(number, "the outcome heading has no text", "write what the learner can do, e.g. '## Outcome: Recognise the signs of radicalisation'")
        elif text.strip() in self.outcome_texts:
            self.problems.error(number, f"the outcome '{text.strip()}' is written twice", "give each outcome heading different words, or put its questions under the first one")
        if "\n" in source.strip():
            self.problems.error(number, "the outcome heading shares its cell with more text, which learners would never see (a question there would be lost)",
                                "split the cell just after the heading (Ctrl+Shift+- in JupyterLab), so the heading is alone in its cell")
        self.outcome = text.strip()
        self.outcome_texts.add(self.outcome)
        self.outcome_cells.append(number)

    def _code_cell(self, number: int, cell: NotebookNode) -> None:
        rendered = render_code_cell(number, cell, self.problems, self.markdown)
        if rendered is not None:
            self._add_block(number, {"type": "html", "html": rendered})
            self._check_placeholders(number, rendered)

    def _add_block(self, number: int, block: dict) -> None:
        if block["type"] == "html" and ANSWER_BOX_SHOWN.search(block["html"]) and not any(p.cell == number for p in self.problems.errors):
            self.problems.error(number, "this cell would show learners an answer option with its tick box ('[x]' or '[ ]') as text",
                                "write the question in a Markdown cell of its own that starts with '### Knowledge check' or '### Question' "
                                "(docs/authoring.md, section 3); never in a table, an HTML list or a quote")
        if not self.pages:
            self.problems.tolerated(number, "content comes before the first page heading", "start the cell before it with a page heading, '# Page title'")
            self.pages.append(Page("", number))
        self.pages[-1].blocks.append(block)

    def _check_placeholders(self, number: int, *fragments: str) -> None:
        """Check the HTML the filler will see (entities decoded, Markdown applied), once per problem."""
        for message, fix in dict.fromkeys(p for fragment in fragments for p in placeholder_problems(fragment)):
            self.problems.error(number, message, fix)

    def finish(self) -> Module:
        self._derive_settings()
        self._check_pages()
        self._check_assessment_page()
        self._check_pool()
        self._fill_module_placeholders()
        inputs = [self.path, *sorted(self.markdown.local_files)]
        module = Module(self.path, self.settings, self.pages, self.questions, self.rendered, self.markdown.assets, self.problems, inputs)
        for page in long_pages(outline(module)):
            self.problems.warning(page.cell, *long_page_warning(page))
        return module

    def _derive_settings(self) -> None:
        if not self.settings.title:
            self.settings.title = self.first_heading or self.path.stem.replace("-", " ").replace("_", " ").capitalize()
        if not self.settings.id:
            self.settings.id = re.sub(r"[^a-z0-9]+", "-", self.path.stem.lower()).strip("-") or "module"
        self._check_placeholders(1, self.settings.title)
        for page in self.pages:
            page.title = page.title or html.escape(self.settings.title)

    @property
    def question_count(self) -> int:
        """How many questions each attempt asks: the setting, or the whole pool."""
        scored = sum(q.scored for q in self.questions)
        asked = self.settings.assessment_rules.questions
        return min(asked, scored) if asked else scored

    def _fill_module_placeholders(self) -> None:
        """{{pass_mark}} and {{question_count}} come from the settings; numbers typed instead are checked."""
        values = {"pass_mark": str(self.settings.pass_mark), "question_count": str(self.question_count)}
        settings_read = self.has_settings_cell and not any(p.cell == 1 for p in self.problems.errors)
        for number, page in enumerate(self.pages, start=1):
            on_assessment_page = number == len(self.pages) and any(q.scored for q in self.questions)
            for block in page.blocks:
                if block["type"] != "html":
                    continue
                for message, fix in stated_number_problems(block["html"], self.settings.pass_mark, self.question_count, on_assessment_page):
                    if settings_read:  # unread settings would be compared as defaults: a wrong message
                        self.problems.warning(self.block_cells.get(id(block), page.cell), message, fix)
                block["html"] = fill_module_placeholders(block["html"], values)
            page.title = fill_module_placeholders(page.title, values)
        for rendered in self.rendered.values():
            for name in ("stem", "case_study"):
                rendered[name] = fill_module_placeholders(rendered[name], values)
            rendered["options"] = [{**o, "html": fill_module_placeholders(o["html"], values)} for o in rendered["options"]]
            rendered["feedback"] = {k: fill_module_placeholders(v, values) for k, v in rendered["feedback"].items()}
