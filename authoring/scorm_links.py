"""Lesson HTML fitted to a SCORM package's frame: links to other sites open in a new tab and say so,
and wide tables scroll inside their own box.

An LMS shows the package in a frame (or a window it watches): a plain link to another site replaces
the module, and the LMS takes that as the learner leaving, so the session ends part way. The lesson
HTML has been sanitised already (authoring.sanitise), so every attribute value is double-quoted and
links never nest. Only links to a #part of the page, mailto: and tel: stay as they are: any other href
loads something in place of the module, whether written `https://`, `https:evil.example`, `//evil.example`,
with a backslash or a tab in it (browsers drop tabs and newlines), or as a path on the LMS's own site.
"""

from __future__ import annotations

import html
import re

NEW_TAB_TEXT = " (opens in new tab)"  # part of the link text, as GOV.UK asks, so everyone hears and sees it
LINK = re.compile(r'<a(\s(?:[^>"]|"[^"]*")*)>(.*?)</a>', re.DOTALL | re.IGNORECASE)
HREF = re.compile(r'\shref="([^"]*)"', re.IGNORECASE)
STAYS = re.compile(r"\A(?:#|mailto:|tel:)", re.IGNORECASE)  # a place on this page, or another program (mail, phone)
IGNORED = re.compile(r"[\x00-\x20\x7f]+")  # what a browser strips from around a URL, and tabs and newlines from within it
TARGET_OR_REL = re.compile(r'\s(?:target|rel)="[^"]*"', re.IGNORECASE)
SAYS_SO = re.compile(r"new (?:tab|window)", re.IGNORECASE)
TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL | re.IGNORECASE)
HEADER_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.DOTALL | re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")


def is_external(href: str) -> bool:
    """A link that would load something in the module's place (another site or any other address), read as a browser reads it."""
    return not STAYS.match(IGNORED.sub("", html.unescape(href)))


def open_links_in_new_tab(fragment: str) -> str:
    """The fragment with each link to another site opening in a new tab, without the opener, saying so."""
    return LINK.sub(_rewrite, fragment)


def wrap_tables(fragment: str) -> str:
    """Each table in a box that scrolls sideways and takes keyboard focus, so a narrow screen never scrolls the whole page.

    The box is named by the table's column headings, so two tables on one page have different names.
    """
    return TABLE.sub(lambda table: f'<div class="sl-table-scroll" role="region" aria-label="{_table_label(table.group(0))}" tabindex="0">'
                                   f'{table.group(0)}</div>', fragment)


def _table_label(table: str) -> str:
    headings = [" ".join(TAG.sub("", cell).split()) for cell in HEADER_CELL.findall(table)]
    named = ", ".join(h for h in headings if h)
    return html.escape(f"Table: {html.unescape(named)}" if named else "Table", quote=True)  # a heading may hold a quote


def _rewrite(link: re.Match[str]) -> str:
    attributes, text = link.group(1), link.group(2)
    href = HREF.search(attributes)
    if href is None or not is_external(href.group(1)):
        return link.group(0)
    attributes = TARGET_OR_REL.sub("", attributes)
    says_so = "" if SAYS_SO.search(text) else f'<span class="sl-new-tab">{NEW_TAB_TEXT}</span>'
    return f'<a{attributes} rel="noopener noreferrer" target="_blank">{text}{says_so}</a>'

