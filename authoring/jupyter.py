"""Previews inside Jupyter: show a cell or a page of a module under a code cell, as learners will see it.

    from authoring.jupyter import show_page, show_markdown
    show_page("prevent-awareness.ipynb", 3)      # page 3 as the LMS renders it
    show_markdown('''### Knowledge check ...''')  # one cell, with any problems listed

Questions are drawn as the LMS draws them (labelled choices, no ticks), followed by the answer key
and feedback for the trainer. Nothing here needs Flask or a running LMS.
"""

from __future__ import annotations

import html
from pathlib import Path

from authoring.module import load, render_question
from authoring.problems import ProblemList
from authoring.questions import is_question_cell, parse_question
from authoring.render import CellContext, MarkdownRenderer


class Preview:
    """HTML that Jupyter displays under the cell that returns it."""

    def __init__(self, body: str) -> None:
        self.body = body

    def _repr_html_(self) -> str:
        return f'<div class="safer-learning-preview" style="max-width:40em;font-family:arial,sans-serif">{self.body}</div>'


def show_page(notebook: str | Path, number: int = 1) -> Preview:
    """One page of a saved notebook, rendered by the build pipeline."""
    module = load(notebook)
    if not 1 <= number <= len(module.pages):
        return Preview(f"<p>The module has {len(module.pages)} page(s); there is no page {number}.</p>")
    page = module.pages[number - 1]
    parts = [f"<h1>{page.title}</h1>"]
    for block in page.blocks:
        parts.append(block["html"] if block["type"] == "html" else _question_html(module.rendered_questions[block["id"]]))
    return Preview("\n".join(parts) + _problems_html([str(p) for p in module.problems]))


def show_markdown(source: str, notebook_dir: str | Path = ".") -> Preview:
    """One Markdown cell's text, rendered as a lesson block or a question."""
    problems = ProblemList("this cell")
    renderer = MarkdownRenderer(problems)
    context = CellContext(1, Path(notebook_dir))
    if is_question_cell(source):
        question = parse_question(source, 1, problems)
        body = _question_html(render_question(question, renderer, context)) if question is not None else ""
    else:
        body = renderer.render(source, context)
    return Preview(body + _problems_html([str(p) for p in problems]))


def _question_html(question: dict) -> str:
    kind = "checkbox" if question["multiple"] else "radio"
    options = "".join(f'<div><label><input type="{kind}" disabled> {o["html"]}</label></div>' for o in question["options"])
    key = "".join(
        f'<li>{"✔ right" if o["id"] in question["correct"] else "✘ wrong"}: {o["html"]} — {question["feedback"].get(o["id"], "<em>no feedback</em>")}</li>'
        for o in question["options"])
    heading = "Assessment question" if question["scored"] else "Knowledge check"
    return (f'<fieldset><legend><strong>{heading}</strong> ({html.escape(question["label"])})</legend>{question["case_study"]}'
            f'<p>{question["stem"]}</p>{options}</fieldset><details><summary>Answer key and feedback (trainers only)</summary><ul>{key}</ul></details>')


def _problems_html(problems: list[str]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
    return f'<div style="border-left:5px solid #d4351c;padding-left:10px"><strong>Problems</strong><ul>{items}</ul></div>'
