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
from typing import NamedTuple

import markdownify

from authoring import structure
from authoring.gift_html import link_addresses, parse_checked

FORMATS = ("markdown", "html", "plain", "moodle")
DEFAULT_FORMAT = "moodle"  # Moodle's default for text without a tag
FORMAT_TAG = re.compile(r"^\[([^\[\]\n]{1,20})\]")  # what Moodle takes as a tag: '[' first, up to the first ']'
MISTAKEN_TAGS = (*FORMATS, "latex", "text", "auto")  # tag names reported wherever they start a part, in any case or spacing
# A tag of an HTML element (so Moodle shows the text as HTML), an entity, or a comment; '<Enter>' is words.
HTML_ELEMENTS = ("a|abbr|b|big|blockquote|br|caption|center|cite|code|col|dd|del|details|dfn|div|dl|dt|em|embed|figure|font|form|"
                 "h[1-6]|hr|i|iframe|img|input|ins|kbd|li|link|mark|meta|object|ol|p|pre|q|s|samp|script|select|small|source|span|"
                 "strike|strong|style|sub|summary|sup|svg|table|tbody|td|textarea|tfoot|th|thead|tr|tt|u|ul|var|video|audio")
HTML_LIKE = re.compile(rf"</?(?:{HTML_ELEMENTS})(?:\s[^<>]*)?/?>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);|<!--", re.IGNORECASE)
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
PLACEHOLDER_FIX = ("if you meant the Safer Learning placeholder, write this part as [markdown]; "
                   "otherwise write it without the double braces")


class TextProblem(NamedTuple):
    """Why a part could not be converted faithfully: what, the fix, and the line of the part it is on (0 for its first)."""

    message: str
    fix: str
    line: int = 0


@dataclass
class Converted:
    """A piece of GIFT text as Markdown, with why it could not be converted faithfully (message, fix) if so."""

    markdown: str
    problems: list[TextProblem] = field(default_factory=list)


def split_format(text: str, default: str) -> tuple[str, str]:
    """(format, text without its tag) for text that may start with a known format tag, as Moodle reads it (lower case only)."""
    stripped = text.strip()
    match = FORMAT_TAG.match(stripped)
    if match and match.group(1) in FORMATS:
        return match.group(1), stripped[match.end():].strip()
    return default, stripped


def unknown_format(text: str, any_name: bool = True) -> str | None:
    """A leading '[name]' Moodle does not read as a format tag (so learners would see it), or None.

    Question text reports any name; answers and feedback only the names of formats (in any case or
    spacing, '[HTML]', '[ html]') and [latex], since '[x] of...' there may well be words.
    """
    match = FORMAT_TAG.match(text.strip())
    if match is None or match.group(1) in FORMATS:
        return None
    name = match.group(1)
    return name if any_name and re.fullmatch(r"[a-z]+", name) or name.strip().lower() in MISTAKEN_TAGS else None


def to_markdown(text: str, fmt: str, part: str, one_line: bool) -> Converted:
    """Unescaped GIFT text of a format as notebook Markdown; `one_line` for answers and feedback, which a notebook keeps on one line."""
    if fmt == "markdown":
        problems = [TextProblem(*p) for p in parse_checked(text, part)[1]] if HTML_LIKE.search(text) else []  # its HTML reaches learners
        return Converted(" ".join(text.split()) if one_line else text.strip(), problems + ([] if one_line else _structure_problems(text, part)))
    if fmt == "plain" and "<!--" in text:
        return Converted("", [TextProblem(f"{part} holds an HTML comment (<!-- -->), which [plain] text shows to learners as typed",
                                          "delete it if it is a note for trainers, or write it without <!-- and --> if learners should read it")])
    if fmt == "html" or (fmt == "moodle" and HTML_LIKE.search(text)):
        source = text if fmt == "html" else _lines_as_html(text, escape=False)
        converted = _html_to_markdown(source, part)
    else:
        converted = Converted(_convert(link_addresses(_lines_as_html(text, escape=True))))
    if "{{" in converted.markdown:
        converted.problems.append(TextProblem(f"{part} holds '{{{{', which Safer Learning reads as a placeholder to fill "
                                              f"with a local detail, though [{fmt}] text shows it as typed", PLACEHOLDER_FIX))
    if one_line:
        converted.markdown = " ".join(converted.markdown.replace("\\\n", " ").split())
    return converted


def _structure_problems(text: str, part: str) -> list[TextProblem]:
    """Lines of [markdown] text that a notebook would read as an answer option or a heading, changing the key or the pages."""
    problems = []
    for number, line in enumerate(text.strip().split("\n")):
        if structure.OPTION_LIKE.match(line):
            what, fix = "an answer option", "write '\\' before its first character if it is words, or move the option into the { answers }"
        elif structure.ANY_QUESTION_HEADING.match(line) or structure.PAGE_HEADING_LINE.match(line):
            what, fix = "a heading", "write '\\' before the '#' if it is words, or put the heading on a lesson page before the question"
        else:
            continue
        problems.append(TextProblem(f"{part} has the line '{line.strip()}', which a notebook reads as {what}", fix, number))
    return problems


def _lines_as_html(text: str, escape: bool) -> str:
    """Plain text as HTML that shows it as typed: paragraphs at blank lines, a line break at every other new line."""
    paragraphs = PARAGRAPH_BREAK.split(text.strip())
    return "".join(f"<p>{(html.escape(p) if escape else p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def _html_to_markdown(source: str, part: str) -> Converted:
    soup, problems = parse_checked(source, part)
    if soup is None:
        return Converted("", [TextProblem(*p) for p in problems])
    return Converted(_convert(str(soup)), [TextProblem(*p) for p in problems])


def _convert(source: str) -> str:
    """HTML (already checked) as Markdown, with what our renderer would read as maths ($) escaped too.

    An '&' needs its backslash only where it would start an entity ('&amp;'); elsewhere it is dropped, so
    trainers read 'England & Wales' in the notebook.
    """
    markdown = _Converter(heading_style="ATX", bullets="-", escape_misc=True, newline_style="BACKSLASH").convert(source)
    markdown = re.sub(r"(?<!\\)\\&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9a-fA-F]+;)", "&", markdown)
    return re.sub(r"(?<!\\)\$", r"\\$", markdown).strip()


class _Converter(markdownify.MarkdownConverter):
    """markdownify, with a link whose words are its address written as '<address>', which Markdown shows exactly as written."""

    def convert_a(self, el, text, parent_tags):  # noqa: ANN001, ANN201 - markdownify's own signature
        href = el.get("href") or ""
        if href and el.get_text() == href and not el.get("title") and not re.search(r"[\s<>]", href):
            return f"<{href}>"
        return super().convert_a(el, text, parent_tags)
