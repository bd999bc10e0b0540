"""Partnership placeholders: local details written as {{name}} and filled in by the LMS.

Lesson HTML is filled on every page view, so filling must cost time in proportion to the page
whatever a notebook holds. The old pattern, two `\\s*` around an optional name, backtracked
quadratically on `{{` followed by thousands of spaces (seconds per page). `authoring check` uses the
same pattern to refuse every `{{` the filler would leave alone or fill with a hint.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from authoring.problems import did_you_mean
from authoring.vocabulary import BUILT_IN, Vocabulary, current, some_names

# Possessive quantifiers (`*+`) give nothing back, so a failed match costs only the run it read and
# the regex cannot backtrack: the whole search is linear in the text.
PLACEHOLDER_PATTERN = re.compile(r"\{\{\s*+([A-Za-z0-9_.-]*+)\s*+\}\}")
SINGLE_BRACE = re.compile(r"(?<!\{)\{[ \t]*+([a-z][a-z0-9_]*+)[ \t]*+\}++")  # possessive: linear, like PLACEHOLDER_PATTERN
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")

# name -> what a partnership fills it with (shown to admins and in `authoring check` messages): the
# built-in ones, from authoring/vocabulary.yaml. A courses folder may add more (authoring.vocabulary).
PLACEHOLDERS: dict[str, str] = dict(BUILT_IN.placeholders)
# name -> which setting fills it; `authoring` fills these when it builds the module, from its own settings
MODULE_PLACEHOLDERS: dict[str, str] = {
    "pass_mark": "the module's pass mark (pass_mark)",
    "question_count": "how many questions each attempt asks (assessment: questions)",
}


def known_list(vocabulary: Vocabulary | None = None, near: str | None = None) -> str:
    """The placeholders a module may use, written as in a notebook, for check messages: all of them, or
    when a partnership has added many, those nearest `near` and a few more (authoring.vocabulary.some_names)."""
    names = [*(vocabulary or current()).placeholders, *MODULE_PLACEHOLDERS]
    return some_names(names, near=near, shown="{{{{{}}}}}")


KNOWN_LIST = known_list(BUILT_IN)


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


def fill_placeholders(html: str, values: dict[str, str], escape: Callable[[str], object],
                      descriptions: Mapping[str, str] | None = None) -> str:
    """Replace placeholders in sanitised HTML with escaped partnership values (a hint when unset).

    `descriptions` are those the module's settings carry for placeholders a courses folder added
    (settings "placeholders"); the built-in ones are known here.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        described = PLACEHOLDERS.get(name) or (descriptions.get(name) if descriptions is not None else None) or name
        return str(escape(values.get(name) or f"[{described}: ask your safeguarding lead]"))

    return PLACEHOLDER_PATTERN.sub(replace, html)


def fill_module_placeholders(text: str, values: dict[str, str]) -> str:
    """Fill the module's own placeholders ({{pass_mark}}...) and leave the partnership's for the LMS."""
    if "{{" not in text:
        return text
    return PLACEHOLDER_PATTERN.sub(lambda m: values.get(m.group(1), m.group(0)) if m.group(1) in MODULE_PLACEHOLDERS else m.group(0), text)


def placeholder_problems(text: str, vocabulary: Vocabulary | None = None) -> list[tuple[str, str]]:
    """(what is wrong, how to fix it) for each `{{` the filler cannot fill with a partnership's value."""
    vocabulary = vocabulary or current()
    problems = []
    for brace in scan(text):
        if brace.name is None:
            problems.append((f"'{_shown(text, brace.start)}' opens a placeholder that is not closed",
                             "write a placeholder as {{partnership_name}}: one name between '{{' and '}}', or remove the braces"))
        elif not IDENTIFIER.match(brace.name):
            problems.append((f"the placeholder {{{{{brace.name}}}}} is not a plain name",
                             "use lower-case letters, digits and underscores, one of: " + known_list(vocabulary, near=brace.name.lower())))
        elif brace.name not in vocabulary.placeholders and brace.name not in MODULE_PLACEHOLDERS:
            problems.append((f"unknown placeholder {{{{{brace.name}}}}}", _unknown_fix(vocabulary, brace.name)))
    return problems + _single_brace_problems(text, vocabulary)


def _single_brace_problems(text: str, vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """`{prevent_team}` is left as written, braces and all, so a learner would read the placeholder's name."""
    names = [m.group(1) for m in SINGLE_BRACE.finditer(text)]
    return [(f"'{{{name}}}' has one brace on each side, so learners would see it as written",
             f"write the placeholder with two braces on each side: {{{{{name}}}}}")
            for name in dict.fromkeys(names) if name in vocabulary.placeholders or name in MODULE_PLACEHOLDERS]


def _unknown_fix(vocabulary: Vocabulary, name: str) -> str:
    where = str(vocabulary.file) if vocabulary.file else "a vocabulary.yaml in the courses folder (docs/authoring.md, section 7)"
    meant = did_you_mean(name, [*vocabulary.placeholders, *MODULE_PLACEHOLDERS])
    first = f"did you mean {{{{{meant}}}}}? Otherwise " if meant else ""
    return f"{first}use one of: {known_list(vocabulary, near=name)}; a new local detail must first be added to {where}"


def _shown(text: str, start: int) -> str:
    """The words after a `{{` as the trainer wrote them: no tags, entities decoded, spaces collapsed."""
    words = html.unescape(re.sub(r"<[^>]*>|<.*", " ", text[start:start + 80]))
    return " ".join(words.split())[:30]
