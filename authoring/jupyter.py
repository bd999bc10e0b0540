"""Previews inside Jupyter: a page, a cell or the outline of a module under a code cell, as learners will see it.

    %pip install /path/to/safer-learning          # once, in any code cell (installs into this kernel)
    from authoring.jupyter import show_page, show_markdown, show_outline
    show_page("prevent-awareness.ipynb", 3)      # page 3 as the LMS renders it, with check's problems
    show_markdown('''### Knowledge check ...''')  # one cell, with any problems listed
    show_outline("prevent-awareness.ipynb")      # every page and the questions on it

Questions are drawn as the LMS draws them (labelled choices, no ticks), followed by the answer key
and feedback for the trainer. Images are embedded (there is no server to fetch them from) and local
details are filled with the demo partnership's values. Nothing here needs Flask or a running LMS, and
a mistake (a wrong file name, a page that does not exist) is explained under the cell, not raised.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from authoring.demo_values import DEMO_PARTNERSHIP, DEMO_PARTNERSHIPS, demo_values
from authoring.module import Module, load, render_question
from authoring.outline import outline
from authoring.placeholders import fill_placeholders, placeholder_problems
from authoring.problems import Problem, ProblemList
from authoring.questions import is_question_cell, parse_question
from authoring.render import Asset, CellContext, MarkdownRenderer
from authoring.sanitise import ASSET_PREFIX

BOX = "max-width:40em;font-family:arial,sans-serif;line-height:1.4"
CELL = "this cell"  # what show_markdown's problems are about
PROBLEM_COLOURS = {"error": "#d4351c", "warning": "#f47738"}


class Preview:
    """HTML that Jupyter displays under the cell that returns it."""

    def __init__(self, body: str) -> None:
        self.body = body

    def _repr_html_(self) -> str:
        return f'<div class="safer-learning-preview" style="{BOX}">{self.body}</div>'

    def __repr__(self) -> str:  # a plain Python prompt shows the HTML's words, not an object address
        return f"Preview({self.body[:200]!r})"


def show_page(notebook: str | Path, number: int = 1) -> Preview:
    """One page of a saved notebook as a learner in the demo partnership sees it, with check's problems for it."""
    module, refusal = _load(notebook)
    if module is None:
        return refusal
    if not isinstance(number, int) or not 1 <= number <= len(module.pages):
        return Preview(_no_such_page(module, number))
    page = module.pages[number - 1]
    parts = [f'<p style="color:#505a5f">{html.escape(_name(notebook))}, page {number} of {len(module.pages)} '
             f"(local details as {html.escape(DEMO_PARTNERSHIPS[DEMO_PARTNERSHIP][0])} fills them)</p>", f"<h1>{page.title}</h1>"]
    for block in page.blocks:
        parts.append(block["html"] if block["type"] == "html" else _question_html(module.rendered_questions[block["id"]]))
    body = _as_learners_see(module, "\n".join(parts))
    return Preview(body + _problems_html(_page_problems(module, number)))


def show_markdown(source: str, notebook_dir: str | Path = ".") -> Preview:
    """One Markdown cell's text, rendered as a lesson block or a question (images relative to notebook_dir)."""
    problems = ProblemList(CELL)
    renderer = MarkdownRenderer(problems)
    context = CellContext(1, Path(notebook_dir))
    if is_question_cell(source):
        question = parse_question(source, 1, problems)
        rendered = render_question(question, renderer, context) if question is not None else None
        body = _question_html(rendered) if rendered is not None else ""
    else:
        body = renderer.render(source, context)
    for message, fix in dict.fromkeys(placeholder_problems(body)):
        problems.error(1, message, fix)
    shown = _fill(_embed_images(body, renderer.assets))
    return Preview(shown + _problems_html(list(problems)))


def show_outline(notebook: str | Path) -> Preview:
    """Every page of a saved notebook in order, with the questions on each and how many problems check finds."""
    module, refusal = _load(notebook)
    if module is None:
        return refusal
    rows = "".join(
        f'<tr><td style="vertical-align:top">{p.number}</td><td style="vertical-align:top">{html.escape(p.title)}<br>'
        f'<small>from cell {p.cell}, {p.words} word{"s" * (p.words != 1)}</small></td><td style="vertical-align:top">'
        + ("<ul style='margin:0;padding-left:1.2em'>" + "".join(f"<li>{html.escape(q)}</li>" for q in p.questions) + "</ul>"
           if p.questions else "none") + "</td></tr>"
        for p in outline(module))
    table = (f"<h2>Outline of {html.escape(_name(notebook))}</h2><table style='border-collapse:collapse;text-align:left'>"
             f"<thead><tr><th>Page</th><th>Title</th><th>Questions</th></tr></thead><tbody>{rows}</tbody></table>")
    errors = len(module.problems.errors)
    warnings = len(module.problems) - errors
    summary = f"<p>check finds {errors} error(s) and {warnings} warning(s)" + (
        ": run <code>show_page</code> for a page to see those on it.</p>" if module.problems else ".</p>")
    return Preview(table + summary)


def _load(notebook: str | Path) -> tuple[Module | None, Preview]:
    """The module, or None and a message saying why the file could not be read (never a traceback)."""
    path = Path(notebook)
    if not path.exists():
        return None, Preview(f"<p><strong>file not found: {html.escape(str(notebook))}</strong> (the path is relative to the folder "
                             f"this notebook is in: {html.escape(str(Path.cwd()))}). Save the module first, or give its path from "
                             "there, e.g. <code>show_page(\"../courses/my-module.ipynb\", 1)</code>.</p>")
    if path.is_dir():
        return None, Preview(f"<p><strong>{html.escape(str(notebook))} is a folder, not a notebook</strong>: give the notebook's "
                             "file name, e.g. <code>show_page(\"my-module.ipynb\", 1)</code>.</p>")
    return load(path), Preview("")


def _no_such_page(module: Module, number: object) -> str:
    count = len(module.pages)
    if count == 0:
        return "<p><strong>The module has no pages yet</strong>: start a Markdown cell with <code># Page title</code>.</p>" + _problems_html(list(module.problems))
    titles = _fill("".join(f"<li>{n}: {p.title}</li>" for n, p in enumerate(module.pages, start=1)))
    how = ("give the page number as a whole number without quotes, e.g. <code>show_page(\"my-module.ipynb\", 2)</code>"
           if not isinstance(number, int) else "pages start at each <code># heading</code>; save the notebook if you have just added one")
    return (f"<p><strong>There is no page {html.escape(repr(number))}</strong>: the module has {count} page(s), numbered 1 to {count}: "
            f"{how}.</p><ul style='list-style:none;padding:0'>{titles}</ul>")


def _page_problems(module: Module, number: int) -> list[Problem]:
    """Problems in this page's cells, then those about the whole module (no cell, or the settings cell)."""
    start = module.pages[number - 1].cell
    end = module.pages[number].cell if number < len(module.pages) else None
    on_page = [p for p in module.problems if p.cell is not None and p.cell >= start and (end is None or p.cell < end)]
    whole = [p for p in module.problems if p.cell is None or p.cell < module.pages[0].cell]
    return on_page + [p for p in whole if p not in on_page]


def _as_learners_see(module: Module, body: str) -> str:
    return _fill(_embed_images(body, module.assets))


def _fill(body: str) -> str:
    return fill_placeholders(body, demo_values(), lambda value: html.escape(value, quote=True))


def _embed_images(body: str, assets: dict[str, Asset]) -> str:
    """Module images as data: URIs, since the notebook has no server to fetch assets/... from."""
    for name, asset in assets.items():
        data = base64.b64encode(asset.data).decode("ascii")
        body = body.replace(f'src="{ASSET_PREFIX}{name}"', f'src="data:{asset.media_type};base64,{data}"')
    return body


def _shown(problem: Problem) -> str:
    """A problem as check prints it, with the file's name instead of its path ('this cell' for show_markdown)."""
    if problem.path == CELL:
        return f"{problem.message} — {problem.fix}"
    return str(problem).replace(problem.path, _name(problem.path))


def _name(notebook: str | Path) -> str:
    return Path(notebook).name


def _question_html(question: dict) -> str:
    kind = "checkbox" if question["multiple"] else "radio"
    options = "".join(f'<div><label><input type="{kind}" disabled> {o["html"]}</label></div>' for o in question["options"])
    key = "".join(
        f'<li>{"✔ right" if o["id"] in question["correct"] else "✘ wrong"}: {o["html"]} — {question["feedback"].get(o["id"], "<em>no feedback</em>")}</li>'
        for o in question["options"])
    heading = "Assessment question" if question["scored"] else "Knowledge check"
    return (f'<fieldset><legend><strong>{heading}</strong> ({html.escape(question["label"])})</legend>{question["case_study"]}'
            f'<p>{question["stem"]}</p>{options}</fieldset><details><summary>Answer key and feedback (trainers only)</summary><ul>{key}</ul></details>')


def _problems_html(problems: list[Problem]) -> str:
    """check's errors and warnings, the file shown by name (not its full path), errors first."""
    if not problems:
        return '<p style="border-left:5px solid #00703c;padding-left:10px">check finds no problems here.</p>'
    parts = []
    for severity, title in (("error", "Errors (the module will not build until they are fixed)"), ("warning", "Warnings")):
        found = [p for p in problems if p.severity.value == severity]
        if found:
            items = "".join(f"<li>{html.escape(_shown(p))}</li>" for p in found)
            parts.append(f'<div style="border-left:5px solid {PROBLEM_COLOURS[severity]};padding-left:10px;margin-top:1em">'
                         f"<strong>{title}</strong><ul>{items}</ul></div>")
    return "".join(parts)
