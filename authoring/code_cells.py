"""Code cells in a module: what of them learners may see (their outputs), never a helper's code.

Learners never see a code cell's code. They see its saved outputs: text as preformatted text and
images (PNG, JPEG, GIF, WebP, plain SVG) as module assets, judged by the same rules as every other
image. An image's alt text comes from a '# Alt text: ...' comment in the cell, one per image, in order.
Outputs learners cannot be shown (HTML, widgets, JavaScript), a saved error and a missing alt text
are errors; a cell that shows nothing is a warning. The trainer's own tools are left out entirely:
a cell that uses authoring.jupyter (its output is a preview with the answer key in it) or that only
runs Jupyter commands (`%pip install ...`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from authoring.assets import IMAGE_TYPES
from authoring.notebook import cell_source
from authoring.problems import ProblemList
from authoring.render import CellContext, MarkdownRenderer, image_html
from authoring.sanitise import sanitise

# The preview helpers of docs/authoring.md, imported or called, under any name JupyterLab allows.
# Linear: possessive runs, and an import line read at most 300 characters on (a '[^\n]*' from every 'from
# authoring import' on one long line is quadratic).
PREVIEW_HELPER = re.compile(r"\bauthoring\s*+\.\s*+jupyter\b|\bfrom\s++authoring\s++import\b[^\n]{0,300}?\bjupyter\b|\bshow_(?:page|markdown|outline)\s*+\(")
PREVIEW_OUTPUT = 'class="safer-learning-preview"'
JUPYTER_COMMAND = re.compile(r"^[ \t]*[%!]")
# The text is stripped of its trailing spaces in code: a lazy '(.*?)[ \t]*$' is quadratic on a line of spaces.
ALT_LINE = re.compile(r"^[ \t]*+#++[ \t]*+alt(?:[ \t]*+text)?+[ \t]*+[:\-–][ \t]*+(.*)$", re.IGNORECASE | re.MULTILINE)
ALT_LINE_EXAMPLE = "# Alt text: <what the image shows>"
# Python's description of an object ('<Figure size 640x480 with 1 Axes>', '[<matplotlib.lines.Line2D at 0x7f...>]'):
# what a plotting call returns, never what a trainer means learners to read.
# Read in two linear steps: the '<...>' first, then what it says (one pattern backtracks quadratically).
OBJECT_DESCRIPTION = re.compile(r"\A\s*+\[?+\s*+<([^<>\n]*+)>")
OBJECT_KIND = re.compile(r" at 0x[0-9a-fA-F]++\Z|object of \d++ artists\Z|Figure size ")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TEXT = "text/plain"
NOT_RICH = {*IMAGE_TYPES, TEXT, "application/pdf"}  # PDF: a second copy of a chart that JupyterLab shows as an image
RICH_NAMES = {
    "text/html": "HTML (such as a table from pandas)",
    "application/javascript": "JavaScript",
    "application/vnd.jupyter.widget-view+json": "an interactive widget",
    "text/markdown": "Markdown made by code",
    "text/latex": "LaTeX made by code",
}
RICH_FIX = ("write it in a Markdown cell instead (a table can be pasted from a spreadsheet), or change the code to print "
            "text or draw an image, then run the cell again and save")
NOTHING_SHOWN = ("this code cell shows learners nothing (its code is never shown)", "run it in JupyterLab and save, or delete it")


@dataclass
class _Outputs:
    """What one code cell's saved outputs give learners, and what is wrong with them."""

    parts: list[str] = field(default_factory=list)
    images: list[tuple[str, object]] = field(default_factory=list)  # (media type, saved data), in order
    rich: list[str] = field(default_factory=list)
    error: str = ""
    results: set[int] = field(default_factory=set)  # which parts are execute_result text: perhaps a plotting call's value


def render_code_cell(number: int, cell: NotebookNode, problems: ProblemList, markdown: MarkdownRenderer) -> str | None:
    """The HTML a learner sees for one code cell, or None when it shows nothing."""
    source, outputs = cell_source(cell), list(cell.get("outputs") or [])
    if _is_trainers_tool(source, outputs):
        return None
    if not outputs:
        if source.strip():
            problems.warning(number, *NOTHING_SHOWN)
        return None
    found = _read_outputs(outputs)
    if found.rich:
        problems.error(number, f"this code cell's saved output holds {_joined(found.rich)}, which learners cannot be shown "
                               "(only text and images from code cells are)", RICH_FIX)
    if found.error:
        problems.error(number, f"this code cell stopped with an error when it was last run ({found.error}), so learners would miss what it shows",
                       "fix the code, run the cell again in JupyterLab and save; or delete the cell")
    alts = _alt_texts(number, source, len(found.images), problems)
    context = CellContext(number, Path("."))  # saved images read no files
    for index, (media, data) in enumerate(found.images):
        asset = markdown.saved_image("the image in this code cell's output", f"output{_extension(media)}", media, data, context)
        alt = alts[index] if index < len(alts) else ""
        if asset is not None:
            found.parts[found.parts.index(_image_slot(index))] = f'<div class="sl-output">{image_html(asset, alt)}</div>'
    parts = [part for part in found.parts if not part.startswith("\0")]
    if not parts:
        if not (found.rich or found.error or found.images):  # those were reported already
            problems.warning(number, *NOTHING_SHOWN)
        return None
    return sanitise("\n".join(parts))


def _is_trainers_tool(source: str, outputs: list) -> bool:
    """A preview helper (its output holds the answer key) or a cell of Jupyter commands only ('%pip install ...')."""
    if PREVIEW_HELPER.search(source):
        return True
    if any(PREVIEW_OUTPUT in _text(output.get("data", {}).get("text/html", "")) for output in outputs):
        return True
    code = [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return bool(code) and all(JUPYTER_COMMAND.match(line) for line in code)


def _read_outputs(outputs: list) -> _Outputs:
    found, stream = _Outputs(), ""
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") != "stderr":  # Python's warnings to the trainer, never lesson content
                stream += ANSI.sub("", _text(output.get("text", "")))
            continue
        found.parts.extend(_preformatted(stream))
        stream = ""
        if kind == "error":
            found.error = found.error or ANSI.sub("", f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip(": "))[:120]
        elif kind in ("execute_result", "display_data"):
            _read_bundle(output.get("data") or {}, kind, found)
    found.parts.extend(_preformatted(stream))
    if found.images:  # what the plotting call returned ('Text(0.5, 1.0, ...)'), shown by JupyterLab before the chart
        found.parts = [part for index, part in enumerate(found.parts) if index not in found.results]
    return found


def _read_bundle(data: dict, kind: str, found: _Outputs) -> None:
    """One output's formats, read as JupyterLab shows them: the richest first."""
    rich = [RICH_NAMES.get(media, f"'{media}'") for media in data if media not in NOT_RICH]
    if rich:
        found.rich.extend(name for name in rich if name not in found.rich)
        return
    image = next((media for media in IMAGE_TYPES if media in data), None)
    if image:
        found.parts.append(_image_slot(len(found.images)))
        found.images.append((image, data[image]))
        return
    text = ANSI.sub("", _text(data.get(TEXT, "")))
    if (described := OBJECT_DESCRIPTION.match(text)) and OBJECT_KIND.search(described.group(1)):
        return
    if kind == "execute_result" and text.strip():
        found.results.add(len(found.parts))
    found.parts.extend(_preformatted(text))


def _alt_texts(number: int, source: str, images: int, problems: ProblemList) -> list[str]:
    """The '# Alt text:' lines, one per image; a missing, empty or spare one is an error naming the line to add."""
    alts = [alt.rstrip(" \t") for alt in ALT_LINE.findall(source)]
    if images == 0:
        if alts:
            problems.error(number, "this code cell has an '# Alt text:' line but its saved output has no image",
                           "run the cell in JupyterLab and save, so its image is saved with it; or remove the line")
        return []
    if len(alts) == images and all(alts):
        return alts
    if images == 1 and not any(alts):
        problems.error(number, "the image this code cell shows has no alt text",
                       f"add this line at the top of the cell, saying what the image shows: {ALT_LINE_EXAMPLE} "
                       "(or '# Alt text: decorative' for an image that only decorates)")
    elif len(alts) == images:
        problems.error(number, "an '# Alt text:' line in this code cell is empty", f"say what the image shows after it: {ALT_LINE_EXAMPLE}")
    else:
        problems.error(number, f"this code cell shows {images} image(s) but has {len(alts)} '# Alt text:' line(s)",
                       f"write one line per image at the top of the cell, in the order the images appear: {ALT_LINE_EXAMPLE}")
    return alts


def _preformatted(text: str) -> list[str]:
    if not text.strip():
        return []
    return [f'<div class="sl-output"><pre class="sl-code"><code>{html.escape(text.rstrip())}</code></pre></div>']


def _image_slot(index: int) -> str:
    return f"\0image {index}"  # replaced by the <img> once the image is an asset; dropped when it cannot be one


def _text(value: object) -> str:
    return "".join(map(str, value)) if isinstance(value, list) else value if isinstance(value, str) else ""


def _extension(media: str) -> str:
    return {"image/jpeg": ".jpg", "image/svg+xml": ".svg"}.get(media, "." + media.split("/")[-1])


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
