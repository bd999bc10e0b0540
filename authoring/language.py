"""Language tags a module or a page may declare (`lang: cy`, `# Croeso {lang=cy}`): the one rule for all."""

from __future__ import annotations

import re

# A short BCP 47 tag: a language, then an optional script and region (cy, en-GB, pa-Guru-IN, es-419).
TAG = re.compile(r"([a-z]{2,3})(?:-([a-z]{4}))?(?:-([a-z]{2}|[0-9]{3}))?\Z", re.IGNORECASE)
# Names trainers write instead of the code, so check can say which code they meant.
NAMES = {"welsh": "cy", "cymraeg": "cy", "english": "en", "polish": "pl", "urdu": "ur", "punjabi": "pa",
         "bengali": "bn", "arabic": "ar", "romanian": "ro", "gujarati": "gu", "somali": "so", "portuguese": "pt",
         "spanish": "es", "french": "fr", "lithuanian": "lt", "chinese": "zh", "irish": "ga", "gaelic": "gd",
         "scottish gaelic": "gd", "cornish": "kw", "ukrainian": "uk", "turkish": "tr", "farsi": "fa"}


def language_tag(value: str) -> str | None:
    """The tag in its usual case ('en-gb' -> 'en-GB'), or None when `value` is not a language tag."""
    match = TAG.match(value.strip())
    if match is None:
        return None
    language, script, region = match.groups()
    return "-".join(p for p in (language.lower(), script and script.title(), region and region.upper()) if p)


def is_language_tag(value: object) -> bool:
    """A stored tag as `authoring build` writes it ('' for the module's own language)."""
    return isinstance(value, str) and (value == "" or language_tag(value) == value)


def code_for_name(name: str) -> str | None:
    """'Welsh' -> 'cy', for the fix in a message."""
    return NAMES.get(name.strip().lower())
