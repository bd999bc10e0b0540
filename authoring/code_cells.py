"""Code cells in a module: what of them learners may see (their outputs), never a helper's code."""

from __future__ import annotations

import html

from nbformat import NotebookNode

from authoring.notebook import cell_source
from authoring.problems import ProblemList
from authoring.render import MarkdownRenderer


def render_code_cell(number: int, cell: NotebookNode, problems: ProblemList, markdown: MarkdownRenderer) -> str | None:
    """The HTML a learner sees for one code cell, or None when it shows nothing."""
    if not cell_source(cell).strip():
        return None
    parts = [f'<pre class="sl-code"><code>{html.escape(cell_source(cell))}</code></pre>']
    for output in cell.get("outputs", []):
        text = output.get("text") or output.get("data", {}).get("text/plain")
        if output.get("output_type") == "error":
            problems.warning(number, "the code cell's saved error output is left out", "clear or fix the output in JupyterLab")
        elif text:
            text = "".join(text) if isinstance(text, list) else text
            parts.append(f'<div class="sl-output"><pre class="sl-code"><code>{html.escape(text)}</code></pre></div>')
    return "\n".join(parts)
