"""The HTML in a GIFT bank, checked and tidied before it becomes Markdown (authoring.gift_text converts it).

Moodle shows [html] text, and [moodle] text holding HTML, in the browser: comments and text hidden by a
style are not seen there. Our lessons show no styles, so hidden text is reported (it is often the answer);
comments are dropped, as a browser never shows them. What a question cannot show (tables, lists,
pictures, scripts...) and nesting too deep to convert are reported; a line break that ends or starts a
paragraph (which Moodle's editor leaves behind) is dropped, since it shows nothing.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

TEXT_TAGS = {"p", "div", "span", "br", "strong", "b", "em", "i", "code", "a", "font", "u"}  # what a question's text can show
BLOCKS = {"p", "div", "[document]"}
LIST_FIX = "write the points as sentences (a question, its answers and feedback show no lists), or put the list on the lesson page before it"
LINK_SCHEMES = ("http://", "https://", "mailto:")
MAX_DEPTH = 40  # far deeper than any editor writes; markdownify recurses once per level
HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d])|opacity\s*:\s*0(?![.\d])", re.IGNORECASE)
HIDING_CLASSES = {"hidden", "d-none", "sr-only", "visually-hidden", "accesshide"}  # Moodle's and Bootstrap's classes that hide
BARE_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
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


def parse_checked(source: str, part: str) -> tuple[BeautifulSoup | None, list[tuple[str, str]]]:
    """The HTML parsed and tidied for conversion, or None with (message, fix) for what learners would not see as Moodle shows it."""
    soup = BeautifulSoup(source, "html.parser")
    if _depth(soup) > MAX_DEPTH:
        return None, [(f"{part} has HTML nested more than {MAX_DEPTH} elements deep, too deep to convert",
                       "take out the repeated tags (an editor left them): a question needs only a few, e.g. <p> and <strong>")]
    problems = [problem for element in soup.find_all(True) for problem in _element_problems(element, part)]
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    _drop_closing_breaks(soup)
    _link_bare_addresses(soup)
    return soup, list(dict.fromkeys(problems))


def _depth(soup: BeautifulSoup) -> int:
    """How deeply the elements nest, counted without recursion (a deep bank must not crash the count)."""
    deepest, stack = 0, [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tag))
    return deepest


def _element_problems(element: Tag, part: str) -> list[tuple[str, str]]:
    if any(parent.name not in TEXT_TAGS for parent in element.parents if parent.name != "[document]"):
        return []  # reported with the outermost element it is part of
    if element.name not in TEXT_TAGS:
        fix = TAG_FIXES.get(element.name, "rewrite it with Markdown or plain words")
        return [(f"{part} is [html] with <{element.name}>, which a notebook question cannot show as it is", fix)]
    if _hides(element):
        words = " ".join(element.get_text().split())[:60]
        return [(f"{part} hides text from view with style or hidden ('{words}'), which learners would see: lessons show no styles",
                 "delete the hidden text (often a note or the answer); if learners should read it, take out the style or hidden attribute")]
    if element.name == "a" and not str(element.get("href", "")).startswith(LINK_SCHEMES):
        return [(f"{part} has a link to '{element.get('href', '')}', which is not a web or email address",
                 "link to a full https:// address, or take the link out")]
    return []


def _hides(element: Tag) -> bool:
    """Whether a browser (in Moodle's theme) would hide the element: a hiding style or class, the hidden attribute, or aria-hidden."""
    classes = element.get("class") or []
    return (bool(HIDING_STYLE.search(str(element.get("style", "")))) or element.has_attr("hidden")
            or str(element.get("aria-hidden", "")).lower() == "true" or bool(HIDING_CLASSES.intersection(classes)))


def _drop_closing_breaks(soup: BeautifulSoup) -> None:
    """Remove every <br> with nothing after it (or before it) in its paragraph: it shows nothing, and would leave a '\\' in Markdown."""
    for br in reversed(soup.find_all("br")):
        if _at_edge(br, "next_siblings") or _at_edge(br, "previous_siblings"):
            br.decompose()


def _at_edge(node: Tag, siblings: str) -> bool:
    """Nothing but spaces and other line breaks lies between the node and its paragraph's end (or start) that way."""
    while True:
        for sibling in getattr(node, siblings):
            if isinstance(sibling, Tag) and sibling.name in BLOCKS:
                return True  # a new paragraph starts there
            if not (isinstance(sibling, NavigableString) and not sibling.strip()) and getattr(sibling, "name", "") != "br":
                return False
        parent = node.parent
        if parent is None or parent.name in BLOCKS:
            return True
        node = parent


def link_addresses(source: str) -> str:
    """HTML with every web address written as text made a link (plain text, escaped as HTML, needs only this)."""
    soup = BeautifulSoup(source, "html.parser")
    _link_bare_addresses(soup)
    return str(soup)


def _link_bare_addresses(soup: BeautifulSoup) -> None:
    """A web address written as text becomes a link, so Markdown's escapes stay out of the address."""
    for text in soup.find_all(string=BARE_URL):
        if isinstance(text, Comment) or text.find_parent(["a", "code"]) is not None:
            continue
        pieces, last = [], 0
        for match in BARE_URL.finditer(text):
            address = match.group(0)
            link = soup.new_tag("a", href=address if address.startswith("http") else f"https://{address}")
            link.string = address
            pieces += [NavigableString(text[last:match.start()]), link]
            last = match.end()
        pieces.append(NavigableString(text[last:]))
        text.replace_with(*pieces)
