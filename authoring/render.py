"""Markdown to lesson HTML: GOV.UK classes, callouts, module-owned images, raw HTML reported."""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import mistune
from mistune.renderers.html import HTMLRenderer

from authoring.assets import ASSET_FIX, IMAGE_TYPES, SVG, asset_problem, is_inside_path, media_type
from authoring.problems import ProblemList, did_you_mean
from authoring.sanitise import ALLOWED_TAGS, ASSET_PREFIX, is_link_inside_lesson, sanitise

CALLOUT = re.compile(r"\A\s*<p[^>]*><strong>(Key point|Warning|Emergency):?</strong>:?\s*", re.IGNORECASE)
CALLOUT_LABELS = {"key point": "Key point", "warning": "Warning", "emergency": "Emergency"}
# a quote that starts with some other bold label and a colon: a callout label misspelt ('**Warnng:**') shows as a plain quote
LABELLED_QUOTE = re.compile(r"\A\s*<p[^>]*><strong>([^<:]{1,40}?)\s*(?::</strong>|</strong>\s*:)")
HTML_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)([^>]*)>")
UNSAFE_ATTRIBUTE = re.compile(r"\b(on[a-z]+|style|srcdoc|formaction)\s*=|javascript:", re.IGNORECASE)
# Anything that could make a short text more than plain words in Markdown (or an autolink).
PARAGRAPH = re.compile(r'<p class="govuk-body">((?:(?!</?p[ >]).)*)</p>', re.DOTALL)
MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]<>!{}$&~|#\n]|^\s*(?:[-+=]|\d+[.)])|://|www\.")
# A line that Markdown would open a block with: a numbered or bulleted list, a heading, a quote, a rule or a
# heading underline. In a short text (an option, a stem, a title) these are the trainer's words: '13. Below 14'.
BLOCK_START = re.compile(r"^([ \t]*)(?:(\d{1,9})([.)])|([-+*](?=[ \t]|$)|#{1,6}(?=[ \t]|$)|>|[-=_*](?=[-=_* \t]*$)))", re.MULTILINE)


@dataclass
class Asset:
    """A file the module ships (an image), named by its content so builds are deterministic."""

    name: str
    media_type: str
    data: bytes


@dataclass
class CellContext:
    """What the renderer needs to know about the cell it is rendering."""

    cell: int
    notebook_dir: Path
    attachments: dict = field(default_factory=dict)


class LessonRenderer(HTMLRenderer):
    """mistune renderer that writes GOV.UK markup and reports what a trainer must fix."""

    def __init__(self, problems: ProblemList, assets: dict[str, Asset], local_files: set[Path]) -> None:
        super().__init__(escape=False)
        self.problems = problems
        self.assets = assets
        self.local_files = local_files
        self.context = CellContext(0, Path("."))

    def paragraph(self, text: str) -> str:
        return f'<p class="govuk-body">{text}</p>\n'

    def heading(self, text: str, level: int, **attrs) -> str:
        size = {1: "govuk-heading-m", 2: "govuk-heading-m"}.get(level, "govuk-heading-s")
        level = max(level, 2)  # level 1 is the page title, drawn by the LMS
        return f'<h{level} class="{size}">{text}</h{level}>\n'

    def link(self, text: str, url: str, title: str | None = None) -> str:
        if not is_link_inside_lesson(url):
            self.problems.error(self.context.cell, f"the link '{url}' points at a path on this site, outside the lesson",
                                "link to a full web address (https://...), a mailto: or tel: address, or a #heading on this page")
        return f'<a class="govuk-link" href="{html.escape(url)}">{text}</a>'

    def list(self, text: str, ordered: bool, **attrs) -> str:
        if ordered:
            start = attrs.get("start")
            start_attr = f' start="{start}"' if start not in (None, 1) else ""
            return f'<ol class="govuk-list govuk-list--number"{start_attr}>\n{text}</ol>\n'
        return f'<ul class="govuk-list govuk-list--bullet">\n{text}</ul>\n'

    def block_quote(self, text: str) -> str:
        match = CALLOUT.match(text)
        if not match:
            self._report_misspelt_callout(text)
            return f'<blockquote class="sl-quote">\n{text}</blockquote>\n'
        label, body = match.group(1).lower(), '<p class="govuk-body">' + text[match.end():]
        if label == "key point":
            return f'<div class="govuk-inset-text sl-callout sl-key-point"><span class="govuk-visually-hidden">Key point: </span>{body}</div>\n'
        extra = " sl-emergency" if label == "emergency" else ""
        hidden = "Emergency" if extra else "Warning"
        inner = re.sub(r"</?p[^>]*>", " ", body).strip()
        return (
            f'<div class="govuk-warning-text sl-callout{extra}"><span class="govuk-warning-text__icon" aria-hidden="true">!</span>'
            f'<strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">{hidden}: </span>{inner}</strong></div>\n'
        )

    def _report_misspelt_callout(self, text: str) -> None:
        labelled = LABELLED_QUOTE.match(text)
        meant = did_you_mean(html.unescape(labelled.group(1)).strip().lower(), set(CALLOUT_LABELS)) if labelled else None
        if labelled and meant:
            label, right = html.unescape(labelled.group(1)).strip(), CALLOUT_LABELS[meant]
            self.problems.warning(self.context.cell, f"the quote starting '**{label}:**' shows as a plain quote, not as a {right.lower()} callout",
                                  f"did you mean '{right}'? Write '> **{right}:** ...'")

    def block_code(self, code: str, info: str | None = None) -> str:
        return f'<pre class="sl-code"><code>{html.escape(code)}</code></pre>\n'

    def block_html(self, raw: str) -> str:
        self._report_html(raw)
        return raw

    def inline_html(self, raw: str) -> str:
        self._report_html(raw)
        return raw

    def image(self, text: str, url: str, title: str | None = None) -> str:
        alt = html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
        if not alt:
            self.problems.error(self.context.cell, f"the image '{url}' has no alt text", "describe what it shows between the brackets: ![what the image shows](...)")
        asset = self._resolve_image(url)
        if asset is None:
            return html.escape(alt)
        return image_html(asset, alt)

    def _report_html(self, raw: str) -> None:
        for closing, tag, attributes in HTML_TAG.findall(raw):
            if closing:
                continue
            if tag.lower() not in ALLOWED_TAGS:
                self.problems.tolerated(self.context.cell, f"the HTML tag <{tag.lower()}> will be removed", "write it in Markdown instead, or leave it out")
            elif UNSAFE_ATTRIBUTE.search(attributes):
                self.problems.tolerated(self.context.cell, f"an attribute of <{tag.lower()}> will be removed (scripts, styles and event handlers are not allowed)", "use plain Markdown formatting")

    def _resolve_image(self, url: str) -> Asset | None:
        cell = self.context.cell
        if url.startswith("attachment:"):
            return self._pasted_image(url[len("attachment:"):])
        if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.IGNORECASE) or url.startswith("//"):
            self.problems.error(cell, f"the image '{url}' is loaded from another website", "save the image next to the notebook and link to the file, e.g. images/picture.png")
            return None
        folder = self.context.notebook_dir.resolve()
        path = (folder / url).resolve()
        if not is_inside_path(url) or not path.is_relative_to(folder):
            self.problems.error(cell, f"the image '{url}' is outside the notebook's folder", "move the image into the notebook's folder (or a folder inside it) and link to it as images/picture.png")
            return None
        if not path.is_file():
            self.problems.error(cell, f"the image file '{url}' does not exist", "save the image there, or correct the path (it is relative to the notebook)")
            return None
        self.local_files.add(path)
        return self._checked_asset(f"'{url}'", path.name, path.read_bytes())

    def _pasted_image(self, name: str) -> Asset | None:
        bundle = self.context.attachments.get(name)
        media = next((m for m in (bundle or {}) if m in IMAGE_TYPES), None)
        if media is None:
            self.problems.error(self.context.cell, f"the pasted image '{name}' is missing from the cell", "paste the image into this cell again")
            return None
        return self._checked_asset(f"the pasted image '{name}'", name, saved_image_bytes(media, bundle[media]))

    def _checked_asset(self, shown: str, name: str, data: bytes) -> Asset | None:
        """An asset whose type comes from its bytes, or None after reporting why it cannot be shipped."""
        problem = asset_problem(data)
        if problem:
            self.problems.error(self.context.cell, f"{shown} {problem}", ASSET_FIX)
            return None
        return self._add_asset(name, media_type(data) or "", data)

    def _add_asset(self, name: str, media: str, data: bytes) -> Asset:
        digest = hashlib.sha256(data).hexdigest()[:12]
        safe = re.sub(r"[^A-Za-z0-9._-]", "-", name)[-100:]  # the digest comes first: is_safe_name holds
        asset = Asset(f"{digest}-{safe}", media, data)
        self.assets[asset.name] = asset
        return asset


class MarkdownRenderer:
    """Renders Markdown cells of one module, sanitising every fragment it returns."""

    def __init__(self, problems: ProblemList) -> None:
        self.assets: dict[str, Asset] = {}
        self.local_files: set[Path] = set()
        self.renderer = LessonRenderer(problems, self.assets, self.local_files)
        self.markdown = mistune.create_markdown(renderer=self.renderer, plugins=["strikethrough", "table", "url", "math"])

    def render(self, source: str, context: CellContext) -> str:
        self.renderer.context = context
        return sanitise(_add_table_classes(str(self.markdown(source))))

    def saved_image(self, shown: str, name: str, media: str, data: object, context: CellContext) -> Asset | None:
        """An image saved inside the notebook (a code cell's output) as a module asset, judged like every other image."""
        self.renderer.context = context
        return self.renderer._checked_asset(shown, name, saved_image_bytes(media, data))

    def render_inline(self, source: str, context: CellContext) -> str:
        """Render a short text (an option, a stem) without the surrounding paragraph."""
        if not MARKDOWN_SYNTAX.search(source):  # plain words: most options and feedback lines
            return html.escape(source.strip(), quote=False)
        rendered = self.render(_as_words(source), context).strip()
        paragraphs = PARAGRAPH.findall(rendered)
        if paragraphs and "".join(f'<p class="govuk-body">{p}</p>' for p in paragraphs) == re.sub(r"</p>\s+<p", "</p><p", rendered):
            return "<br><br>".join(paragraphs)  # inline places (a legend, a label) cannot hold paragraphs
        return rendered


def _as_words(source: str) -> str:
    """Escape what would start a block, so a short text stays inline: '999.' is not a list starting at 999."""
    return BLOCK_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" + m.group(3) if m.group(2) else "\\" + m.group(4)), source)


def image_html(asset: Asset, alt: str) -> str:
    """An image as learners see it; alt text 'decorative' marks one that only decorates (empty alt)."""
    alt_attr = "" if alt.lower() == "decorative" else html.escape(alt, quote=True)
    return f'<img class="sl-image" src="{ASSET_PREFIX}{asset.name}" alt="{alt_attr}">'


def saved_image_bytes(media: str, data: object) -> bytes:
    """The bytes of an image Jupyter saved in the notebook: SVG as text, the others base64 (b'' when damaged)."""
    if isinstance(data, list):
        data = "".join(map(str, data))
    if not isinstance(data, str):
        return b""
    if media == SVG and "<" in data:
        return data.encode("utf-8")
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        return b""


def _add_table_classes(fragment: str) -> str:
    for tag, css in (("table", "govuk-table"), ("thead", "govuk-table__head"), ("tbody", "govuk-table__body"),
                     ("tr", "govuk-table__row"), ("th", "govuk-table__header"), ("td", "govuk-table__cell")):
        fragment = re.sub(rf"<{tag}(?=[\s>])", f'<{tag} class="{css}"', fragment)
    return fragment
