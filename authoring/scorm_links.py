"""Links to other sites in a SCORM package open in a new tab and say so.

An LMS shows the package in a frame (or a window it watches): a plain link to another site replaces
the module, and the LMS takes that as the learner leaving, so the session ends part way. The lesson
HTML has been sanitised already (authoring.sanitise), so every attribute value is double-quoted and
links never nest; only web addresses are changed, never #parts of the page, mailto: or tel:.
"""

from __future__ import annotations

import re

NEW_TAB_TEXT = " (opens in new tab)"  # part of the link text, as GOV.UK asks, so everyone hears and sees it
LINK = re.compile(r'<a(\s(?:[^>"]|"[^"]*")*)>(.*?)</a>', re.DOTALL | re.IGNORECASE)
HREF = re.compile(r'\shref="([^"]*)"', re.IGNORECASE)
WEB_ADDRESS = re.compile(r"\Ahttps?://", re.IGNORECASE)
TARGET_OR_REL = re.compile(r'\s(?:target|rel)="[^"]*"', re.IGNORECASE)
SAYS_SO = re.compile(r"new (?:tab|window)", re.IGNORECASE)


def is_external(href: str) -> bool:
    """A link to another web site (http or https), which would take the learner out of the module."""
    return bool(WEB_ADDRESS.match(href.strip()))


def open_links_in_new_tab(fragment: str) -> str:
    """The fragment with each link to another site opening in a new tab, without the opener, saying so."""
    return LINK.sub(_rewrite, fragment)


def _rewrite(link: re.Match[str]) -> str:
    attributes, text = link.group(1), link.group(2)
    href = HREF.search(attributes)
    if href is None or not is_external(href.group(1)):
        return link.group(0)
    attributes = TARGET_OR_REL.sub("", attributes)
    says_so = "" if SAYS_SO.search(text) else f'<span class="sl-new-tab">{NEW_TAB_TEXT}</span>'
    return f'<a{attributes} rel="noopener noreferrer" target="_blank">{text}{says_so}</a>'

