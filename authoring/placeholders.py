"""Partnership placeholders: local details written as {{name}} and filled in by the LMS.

Lesson HTML is filled on every page view, so filling must cost time in proportion to the page
whatever a notebook holds. The old pattern, two `\\s*` around an optional name, backtracked
quadratically on `{{` followed by thousands of spaces (seconds per page). `authoring check` uses the
same pattern to refuse every `{{` the filler would leave alone or fill with a hint.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# Possessive quantifiers (`*+`) give nothing back, so a failed match costs only the run it read and
# the regex cannot backtrack: the whole search is linear in the text.
PLACEHOLDER_PATTERN = re.compile(r"\{\{\s*+([A-Za-z0-9_.-]*+)\s*+\}\}")
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")

# name -> what a partnership fills it with (shown to admins and in `authoring check` messages)
PLACEHOLDERS: dict[str, str] = {
    "partnership_name": "the partnership's name",
    "prevent_team": "how to contact the local Prevent team",
    "channel_panel": "who chairs or co-ordinates the local Channel panel",
    "adult_safeguarding": "how to report a concern about an adult to the council",
    "children_safeguarding": "how to report a concern about a child to the council",
    "domestic_abuse_service": "the local domestic abuse support service",
    "marac_contact": "the local Marac co-ordinator",
    "idva_service": "the local Independent Domestic Violence Advisor service",
    "hate_crime_reporting": "local third-party hate crime reporting",
    "modern_slavery_lead": "the local modern slavery and exploitation lead",
    "community_safety_team": "the partnership's community safety team",
    "staff_support": "support for staff affected by the training",
}
# name -> which setting fills it; `authoring` fills these when it builds the module, from its own settings
MODULE_PLACEHOLDERS: dict[str, str] = {
    "pass_mark": "the module's pass mark (pass_mark)",
    "question_count": "how many questions each attempt asks (assessment: questions)",
}
KNOWN_LIST = ", ".join(f"{{{{{name}}}}}" for name in [*PLACEHOLDERS, *MODULE_PLACEHOLDERS])


@dataclass(frozen=True)
class Brace:
    """One `{{` in a text and the placeholder name it opens, or None when it opens none."""

    start: int
    name: str | None


def scan(text: str) -> Iterator[Brace]:
    """Every `{{` in order, overlapping ones too, for `authoring check` to judge each one."""
    position = text.find("{{")
    while position != -1:
        match = PLACEHOLDER_PATTERN.match(text, position)
        yield Brace(position, match.group(1) if match else None)
        position = text.find("{{", match.end() if match else position + 1)  # `{{{name}}}` holds one a brace on


def placeholders_in(text: str) -> list[str]:
    """Every placeholder name used in a piece of text, in order."""
    return [brace.name for brace in scan(text) if brace.name is not None]


def fill_placeholders(html: str, values: dict[str, str], escape: Callable[[str], object]) -> str:
    """Replace placeholders in sanitised HTML with escaped partnership values (a hint when unset)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(escape(values.get(name) or f"[{PLACEHOLDERS.get(name, name)}: ask your safeguarding lead]"))

    return PLACEHOLDER_PATTERN.sub(replace, html)


def fill_module_placeholders(text: str, values: dict[str, str]) -> str:
    """Fill the module's own placeholders ({{pass_mark}}...) and leave the partnership's for the LMS."""
    if "{{" not in text:
        return text
    return PLACEHOLDER_PATTERN.sub(lambda m: values.get(m.group(1), m.group(0)) if m.group(1) in MODULE_PLACEHOLDERS else m.group(0), text)


def placeholder_problems(text: str) -> list[tuple[str, str]]:
    """(what is wrong, how to fix it) for each `{{` the filler cannot fill with a partnership's value."""
    problems = []
    for brace in scan(text):
        if brace.name is None:
            problems.append((f"'{_shown(text, brace.start)}' opens a placeholder that is not closed",
                             "write a placeholder as {{partnership_name}}: one name between '{{' and '}}', or remove the braces"))
        elif not IDENTIFIER.match(brace.name):
            problems.append((f"the placeholder {{{{{brace.name}}}}} is not a plain name",
                             "use lower-case letters, digits and underscores, one of: " + KNOWN_LIST))
        elif brace.name not in PLACEHOLDERS and brace.name not in MODULE_PLACEHOLDERS:
            problems.append((f"unknown placeholder {{{{{brace.name}}}}}", "use one of: " + KNOWN_LIST))
    return problems


def _shown(text: str, start: int) -> str:
    """The words after a `{{` as the trainer wrote them: no tags, entities decoded, spaces collapsed."""
    words = html.unescape(re.sub(r"<[^>]*>|<.*", " ", text[start:start + 80]))
    return " ".join(words.split())[:30]
