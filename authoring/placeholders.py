"""Partnership placeholders: local details written as {{name}} and filled in by the LMS."""

from __future__ import annotations

import re

PLACEHOLDER_PATTERN = re.compile(r"\{\{\s*([A-Za-z0-9_.-]*)\s*\}\}")

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


def placeholders_in(text: str) -> list[str]:
    """Every placeholder name used in a piece of text, in order."""
    return PLACEHOLDER_PATTERN.findall(text)


def fill_placeholders(html: str, values: dict[str, str], escape) -> str:
    """Replace placeholders in sanitised HTML with escaped partnership values."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name) or f"[{PLACEHOLDERS.get(name, name)}: ask your safeguarding lead]"
        return str(escape(value))

    return PLACEHOLDER_PATTERN.sub(replace, html)
