"""GIFT text formats as Moodle reads them, turned into the Markdown our notebooks hold.

Moodle lets a question's text, each answer and each feedback start with a format tag: [html],
[moodle], [markdown] or [plain]. An answer or feedback without its own tag takes the question's
format, and a question without one is [moodle] (Moodle's auto-format). We write Markdown:
[markdown] is kept as it is; [plain] and [moodle] are shown exactly as typed, line breaks kept
(Markdown's own characters are escaped); [html], and [moodle] text holding HTML tags or entities
(Moodle shows those as HTML), is converted with markdownify, and anything that would not survive conversion
(tables, lists, pictures, scripts...) is reported instead of being shown as tags or dropped: a
question's text, answers and feedback are shown inline in lessons, as paragraphs and line breaks.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import markdownify
from bs4 import BeautifulSoup, Comment

FORMATS = ("markdown", "html", "plain", "moodle")
DEFAULT_FORMAT = "moodle"  # Moodle's default for text without a tag
FORMAT_TAG = re.compile(r"^\[([a-z]+)\]")
HTML_LIKE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")  # a tag or an entity
TEXT_TAGS = {"p", "div", "span", "br", "strong", "b", "em", "i", "code", "a", "font", "u"}  # what a question's text can show
LIST_FIX = "write the points as sentences (a question, its answers and feedback show no lists), or put the list on the lesson page before it"
LINK_SCHEMES = ("http://", "https://", "mailto:")
TAG_FIXES = {
    "table": "write the table's facts as sentences or a list",
    "img": "put the picture on a lesson page of the notebook as a Markdown image with alt text, and refer to it in words",
    "script": "take it out: a question bank cannot run code in lessons",
    "style": "take it out: lessons use the site's own styles",
    "iframe": "replace it with a link to the page it showed",
    "pre": "write the text as an ordinary paragraph, or put code in `backticks`",
    "ul": LIST_FIX,
    "ol": LIST_FIX,
    "li": LIST_FIX,
}
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


@dataclass
class Converted:
    """A piece of GIFT text as Markdown, with why it could not be converted faithfully (message, fix) if so."""

    markdown: str
    problems: list[tuple[str, str]] = field(default_factory=list)


def split_format(text: str, default: str) -> tuple[str, str]:
    """(format, text without its tag) for text that may start with a known format tag, as Moodle reads it."""
    stripped = text.strip()
    match = FORMAT_TAG.match(stripped)
    if match and match.group(1) in FORMATS:
        return match.group(1), stripped[match.end():].strip()
    return default, stripped


def unknown_format(text: str) -> str | None:
    """The name in a leading '[name]' that is not a GIFT format, or None."""
    match = FORMAT_TAG.match(text.strip())
    return match.group(1) if match and match.group(1) not in FORMATS else None


def to_markdown(text: str, fmt: str, part: str, one_line: bool) -> Converted:
    """Unescaped GIFT text of a format as notebook Markdown; `one_line` for answers and feedback, which a notebook keeps on one line."""
    if fmt == "markdown":
        return Converted(" ".join(text.split()) if one_line else text.strip())
    if fmt == "html" or (fmt == "moodle" and HTML_LIKE.search(text)):
        source = text if fmt == "html" else _lines_as_html(text, escape=False)
        converted = _html_to_markdown(source, part)
    else:
        converted = Converted(_convert(_lines_as_html(text, escape=True)))
    if one_line:
        converted.markdown = " ".join(converted.markdown.replace("\\\n", " ").split())
    return converted


def _lines_as_html(text: str, escape: bool) -> str:
    """Plain text as HTML that shows it as typed: paragraphs at blank lines, a line break at every other new line."""
    paragraphs = PARAGRAPH_BREAK.split(text.strip())
    return "".join(f"<p>{(html.escape(p) if escape else p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def _html_to_markdown(source: str, part: str) -> Converted:
    soup = BeautifulSoup(source, "html.parser")
    problems = []
    for element in soup.find_all(True):
        if any(parent.name not in TEXT_TAGS for parent in element.parents if parent.name != "[document]"):
            continue  # reported with the outermost element it is part of
        if element.name not in TEXT_TAGS:
            fix = TAG_FIXES.get(element.name, "rewrite it with Markdown or plain words")
            problems.append((f"{part} is [html] with <{element.name}>, which a notebook question cannot show as it is", fix))
        elif element.name == "a" and not str(element.get("href", "")).startswith(LINK_SCHEMES):
            problems.append((f"{part} has a link to '{element.get('href', '')}', which is not a web or email address",
                             "link to a full https:// address, or take the link out"))
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    return Converted(_convert(str(soup)), list(dict.fromkeys(problems)))


def _convert(source: str) -> str:
    """HTML (already checked) as Markdown, with what our renderer would read as maths ($) escaped too.

    An '&' needs its backslash only where it would start an entity ('&amp;'); elsewhere it is dropped, so
    trainers read 'England & Wales' in the notebook.
    """
    markdown = markdownify.markdownify(source, heading_style="ATX", bullets="-", escape_misc=True, newline_style="BACKSLASH")
    markdown = re.sub(r"(?<!\\)\\&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9a-fA-F]+;)", "&", markdown)
    return re.sub(r"(?<!\\)\$", r"\\$", markdown).strip()
