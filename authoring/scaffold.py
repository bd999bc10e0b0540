"""`authoring new`: a starter notebook that shows every feature of the format.

Three settings are left for the trainer to write: the owner, the guidance and the priority area. The
starter writes them as 'TO DO' values that `check` refuses, so a starter cannot be published by
accident. Its example cells (lessons about the format, questions about it) are refused too while
they are unchanged (`starter_example`): learners must never get the starter's quiz. The assessment
page's heading and intro are not an example: they fit every module and may stay as they are.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell, new_notebook, new_raw_cell

from authoring.settings import STARTER_GUIDANCE, STARTER_MARK, STARTER_OWNER
from authoring.vocabulary import BUILT_IN, Vocabulary, add_words_where, for_notebook, some_names

# A 1x1 pixel PNG, pasted as a cell attachment to show how pasted images work.
PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
ASSESSMENT_INTRO = "# Assessment\n\nAnswer all {{question_count}} questions. You need {{pass_mark}}% to pass."


def scaffold_cells(module_id: str, title: str, review_by: dt.date, vocabulary: Vocabulary = BUILT_IN) -> list:
    """The cells of a new module: settings, two lesson pages, a contact page and an assessment."""
    areas = some_names(vocabulary.priority_areas)
    settings = f"""---
id: {module_id}
title: "{title}"
audience: Council and partner staff
priority_area: {STARTER_MARK}  # choose one: {areas}; or add your own in {add_words_where(BUILT_IN)}
estimated_minutes: 20
pass_mark: 80
refresher_months: 24
owner: "{STARTER_OWNER}"
review_by: {review_by.isoformat()}
guidance:
  - title: "{STARTER_GUIDANCE['title']}"
    url: {STARTER_GUIDANCE['url']}
version_notes: First version.
content_note: false
---"""
    image = new_markdown_cell(
        "Pasted images are kept inside the notebook. Every image needs alt text that says what it shows:\n\n"
        "![A small grey square used as an example image](attachment:example.png)")
    image.attachments = {"example.png": {"image/png": PIXEL_PNG}}
    return [
        new_raw_cell(settings),
        new_markdown_cell("# About this module\n\nBy the end of this module you will be able to:\n\n"
                          "- say what the module teaches\n- know who to contact\n\n"
                          "> **Key point:** A quote that starts with a bold label becomes a callout."),
        image,
        new_markdown_cell("### Knowledge check\n\nWhich line starts a new page?\n\n"
                          "- [x] A level-1 heading, `# Page title`, at the top of a cell\n"
                          "  > Right. Every page starts with a level-1 heading.\n"
                          "- [ ] A blank line\n  > No. Blank lines only separate paragraphs."),
        new_markdown_cell("# What to do and who to contact\n\n"
                          "> **Emergency:** If someone is in immediate danger, call 999.\n\n"
                          "Contact your local Prevent team: {{prevent_team}}.\n\n"
                          "> **Warning:** Never type a local phone number into a module: use a placeholder."),
        new_markdown_cell(ASSESSMENT_INTRO),
        new_markdown_cell("### Question {#example-one-answer}\n\nWhere do module settings go?\n\n"
                          "- [x] In a Raw cell at the top of the notebook\n  > The first cell holds the settings.\n"
                          "- [ ] In the last cell\n  > Settings always come first, in a Raw cell."),
        new_markdown_cell("### Question (multiple answers)\n\nWhich of these are kinds of callout?\n\n"
                          "- [x] Key point\n  > `> **Key point:**` makes a highlighted key point.\n- [x] Warning\n  > `> **Warning:**` makes a warning with an icon.\n"
                          "- [ ] Footnote\n  > Footnotes are not callouts."),
        new_markdown_cell("### Question (true or false)\n\nLearners can see which options are ticked.\n\n"
                          "- [ ] True\n  > The LMS shows plain choices and marks answers on the server.\n"
                          "- [x] False\n  > The ticks are the answer key, which stays on the server."),
        new_markdown_cell("### Question (scenario)\n\nAmira is writing a module for staff in York. She wants to "
                          "give the phone number of the York Prevent team.\n\nWhat should she write?\n\n"
                          "- [ ] The phone number itself\n  > Local numbers change and differ by area.\n"
                          "- [x] The placeholder {{prevent_team}}\n  > The LMS fills it in for each partnership."),
    ]


@functools.cache
def _starter_examples() -> dict[str, str]:
    """The starter's example cells, whitespace removed, each with the words a message quotes to name it."""
    examples = {}
    for cell in scaffold_cells("example", "Example", dt.date(2000, 1, 1)):
        if cell.cell_type == "markdown" and cell.source != ASSESSMENT_INTRO:
            examples["".join(cell.source.split())] = _quoted(cell.source)
    return examples


def _quoted(source: str) -> str:
    """A starter cell's first words after any question heading: its page title, its text or its question."""
    lines = [line.strip() for line in source.splitlines() if line.strip() and not line.startswith("###")]
    words = lines[0].lstrip("#").strip()
    return words if len(words) <= 60 else words[:57].rstrip() + "..."


def starter_example(source: str) -> str | None:
    """The words naming the starter example a cell still is (whitespace aside), or None when it is the trainer's own."""
    return _starter_examples().get("".join(source.split()))


def new_module(path: str | Path, today: dt.date | None = None) -> Path:
    """Write a starter notebook at `path` (adding .ipynb); never overwrites an existing file."""
    target = Path(path)
    if target.suffix != ".ipynb":
        target = target.with_name(target.name + ".ipynb")
    if target.exists():
        raise FileExistsError(f"{target} already exists — choose another name, or delete the old file first")
    module_id = re.sub(r"[^a-z0-9]+", "-", target.stem.lower()).strip("-") or "new-module"
    title = module_id.replace("-", " ").capitalize()
    review_by = (today or dt.date.today()) + dt.timedelta(days=365)
    notebook = new_notebook(cells=scaffold_cells(module_id, title, review_by, for_notebook(target)))
    notebook.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}}
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(target))
    return target


def created_message(path: Path) -> str:
    """What `authoring new` tells the trainer: the starter fails check until its TO DO settings and example cells are replaced."""
    return (f"Created {path}. Open it in JupyterLab, write the three settings marked {STARTER_MARK} in the first cell "
            f"(priority_area, owner, guidance), and replace the example pages and questions with your own (or delete them): "
            f"until then 'authoring check' reports them and the module cannot be built. Then run: authoring check {path}")
