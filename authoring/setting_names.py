"""The names of module settings, and the setting a misspelt name was meant to be."""

from __future__ import annotations

import re

from authoring.problems import did_you_mean

REQUIRED = (
    "id", "title", "audience", "priority_area", "estimated_minutes", "pass_mark",
    "refresher_months", "owner", "review_by", "guidance",
)
KNOWN = set(REQUIRED) | {"version_notes", "content_note", "assessment", "lang"}
TEXT = {"id": "id", "title": "title", "audience": "audience", "owner": "owner", "version_notes": "version notes",
        "priority_area": "priority area", "lang": "language"}

ALIASES = {"language": "lang", "priority": "priority_area", "review_date": "review_by", "minutes": "estimated_minutes"}


def meant_setting(name: object) -> str | None:
    """The setting a misspelt key was surely meant to be: 'contentnote', 'Content-note', 'pass mark' -> ..."""
    plain = re.sub(r"[\s_-]+", "_", str(name).strip().lower())
    squashed = {known.replace("_", ""): known for known in KNOWN}
    return ALIASES.get(plain) or squashed.get(plain.replace("_", "")) or did_you_mean(plain, KNOWN)
