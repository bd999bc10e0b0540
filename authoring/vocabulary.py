"""The words modules may use: priority areas and partnership placeholders, built in and extended per courses folder.

The built-in words are in authoring/vocabulary.yaml. A partnership adds its own (a priority area
`fraud`, a placeholder `trading_standards`) in a `vocabulary.yaml` of the same shape, found by one rule:
the nearest one beside the notebook or in a folder above it, stopping at the project folder (the
first one that holds a pyproject.toml) or the filesystem root. A partnership file adds names; it
never changes or removes built-in ones, so every module that passed check before still passes.

`check` and `build` read each notebook inside `using(for_notebook(path))`; settings and placeholder
checks then ask `current()`, which is the built-in vocabulary when none is in use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from authoring.problems import Problem, did_you_mean

FILE_NAME = "vocabulary.yaml"
BUILT_IN_FILE = Path(__file__).with_name(FILE_NAME)
AREA_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
PLACEHOLDER_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
# filled by `authoring build` from the module's own settings (placeholders.MODULE_PLACEHOLDERS)
RESERVED_PLACEHOLDERS = frozenset({"pass_mark", "question_count"})
SECTIONS = {
    "priority_areas": ("priority area", AREA_NAME, "lower-case letters, digits and hyphens, e.g. trading-standards"),
    "placeholders": ("placeholder", PLACEHOLDER_NAME, "lower-case letters, digits and underscores, e.g. trading_standards"),
}
MAX_DESCRIPTION = 200
FIX = "write it as in docs/authoring.md, section 7: 'priority_areas:' and 'placeholders:', each with indented 'name: what it is' lines"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Vocabulary:
    """The priority areas and placeholders a notebook may use (name -> what it is), in order."""

    priority_areas: dict[str, str]
    placeholders: dict[str, str]
    file: Path | None = None  # the partnership's vocabulary.yaml that extended the built-in words, if any
    problems: tuple[Problem, ...] = field(default=())

    def added_placeholders(self, names: list[str] | set[str]) -> dict[str, str]:
        """Descriptions of the given placeholders that are not built in: the LMS cannot know them otherwise."""
        return {name: self.placeholders[name] for name in sorted(set(names)) if name in self.placeholders and name not in BUILT_IN.placeholders}


MAX_NAMES_SHOWN = 15  # a partnership's file may add thousands of names: a message shows the nearest and a few


def some_names(names: list[str] | dict[str, str], near: str | None = None, shown: str = "{}") -> str:
    """The names for a message: all of a few, or the ones nearest `near` and the first others, then how many more."""
    names = list(names)
    if len(names) <= MAX_NAMES_SHOWN:
        return ", ".join(shown.format(name) for name in names)
    import difflib

    nearest = difflib.get_close_matches(near, names, n=5, cutoff=0.6) if near else []
    picked = list(dict.fromkeys([*nearest, *names]))[:MAX_NAMES_SHOWN]
    more = len(names) - len(picked)
    return ", ".join(shown.format(name) for name in picked) + f", and {more} more (see docs/authoring.md section 7 and your {FILE_NAME})"


def add_words_where(vocabulary: Vocabulary) -> str:
    """Where a partnership adds a word of its own, for the fix of a message."""
    return f"{vocabulary.file if vocabulary.file else 'courses/' + FILE_NAME} (docs/authoring.md, section 7)"


def _load_built_in() -> Vocabulary:
    text = BUILT_IN_FILE.read_text(encoding="utf-8")
    problems: list[Problem] = []
    sections = _read_sections(BUILT_IN_FILE, text, problems, Vocabulary({}, {}))
    if problems:  # our own file: a mistake in it is a bug in Safer Learning, not a trainer's problem
        raise RuntimeError("\n".join(map(str, problems)))
    return Vocabulary(sections["priority_areas"], sections["placeholders"])


_ACTIVE: ContextVar[Vocabulary | None] = ContextVar("vocabulary", default=None)
_CACHE: dict[Path, tuple[tuple[int, int], Vocabulary]] = {}


def current() -> Vocabulary:
    """The vocabulary of the notebook being read, or the built-in one."""
    return _ACTIVE.get() or BUILT_IN


@contextmanager
def using(vocabulary: Vocabulary) -> Iterator[Vocabulary]:
    """Check and render with `vocabulary` inside the block."""
    token = _ACTIVE.set(vocabulary)
    try:
        yield vocabulary
    finally:
        _ACTIVE.reset(token)


def candidates(notebook: Path) -> list[Path]:
    """Where a notebook's vocabulary.yaml may be, nearest first (a build reruns when any of them changes)."""
    found = []
    for folder in Path(notebook).resolve().parents:
        found.append(folder / FILE_NAME)
        if (folder / "pyproject.toml").is_file():
            break
    return found


def for_notebook(notebook: Path) -> Vocabulary:
    """The built-in words extended by the nearest vocabulary.yaml (read again only when the file changes)."""
    path = next((p for p in candidates(notebook) if p.is_file()), None)
    return BUILT_IN if path is None else load_file(path)


def for_folder(folder: str | Path) -> Vocabulary:
    """The words for modules kept in `folder` (the LMS's COURSES_DIR): its vocabulary.yaml or the nearest above."""
    return for_notebook(Path(folder) / FILE_NAME)


def load_file(path: Path) -> Vocabulary:
    """The built-in words plus those in `path`; problems name the file and line, and bad entries are left out."""
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        if path in _CACHE and _CACHE[path][0] == stamp:
            return _CACHE[path][1]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem(str(path), None, f"the vocabulary file cannot be read ({exc.__class__.__name__})", "save it as UTF-8 text, or remove it")
        return Vocabulary(BUILT_IN.priority_areas, BUILT_IN.placeholders, path, (problem,))
    problems: list[Problem] = []
    added = _read_sections(path, text, problems, BUILT_IN)
    vocabulary = Vocabulary({**BUILT_IN.priority_areas, **added["priority_areas"]},
                            {**BUILT_IN.placeholders, **added["placeholders"]}, path, tuple(problems))
    _CACHE[path] = (stamp, vocabulary)
    return vocabulary


def _read_sections(path: Path, text: str, problems: list[Problem], base: Vocabulary) -> dict[str, dict[str, str]]:
    """name -> description for each section, reporting each entry that cannot be used."""
    sections: dict[str, dict[str, str]] = {name: {} for name in SECTIONS}
    try:
        root = yaml.compose(text, Loader=_LOADER)  # noqa: S506 - composing builds nodes only, never objects
    except yaml.YAMLError as exc:
        line = error_line(exc)
        shown = _line_text(text, line) if line is not None else ""
        message = f"line {line + 1}, '{shown}', is not valid YAML" if line is not None and shown else "the vocabulary file is not valid YAML"
        problems.append(Problem(str(path), None, message, FIX))
        return sections
    if root is None:
        return sections
    if not isinstance(root, yaml.MappingNode):
        problems.append(_problem(path, root, "the vocabulary file does not hold 'priority_areas:' and 'placeholders:'", FIX))
        return sections
    for key, node in root.value:
        if key.value not in SECTIONS:
            meant = did_you_mean(key.value, set(SECTIONS))
            problems.append(_problem(path, key, f"'{key.value}' is not a part of a vocabulary",
                                     f"did you mean '{meant}'?" if meant else "use 'priority_areas:' or 'placeholders:'"))
        else:
            _read_section(path, key.value, node, sections[key.value], problems, base)
    return sections


def _read_section(path: Path, section: str, node: yaml.Node, into: dict[str, str], problems: list[Problem], base: Vocabulary) -> None:
    kind, pattern, rule = SECTIONS[section]
    if isinstance(node, yaml.ScalarNode) and not node.value:
        return
    if not isinstance(node, yaml.MappingNode):
        problems.append(_problem(path, node, f"'{section}' must hold one indented 'name: what it is' line for each {kind}", FIX))
        return
    built_in = getattr(base, section)
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else ""
        if not pattern.match(name):
            problems.append(_problem(path, key, f"the {kind} name '{name}' is not allowed", f"use {rule}"))
        elif name in built_in or (section == "placeholders" and name in RESERVED_PLACEHOLDERS):
            problems.append(_problem(path, key, f"'{name}' is already a built-in {kind}", "use it as it is, or choose another name for a new one"))
        elif name in into:
            problems.append(_problem(path, key, f"the {kind} '{name}' is listed twice", "keep one of the two lines"))
        elif not isinstance(value, yaml.ScalarNode) or not value.value.strip() or "\n" in value.value.strip():
            problems.append(_problem(path, key, f"the {kind} '{name}' has no description on its line",
                                     f"write what it is after the colon, e.g. '{name}: the local trading standards service'"))
        elif len(value.value) > MAX_DESCRIPTION:
            problems.append(_problem(path, key, f"the description of '{name}' is longer than {MAX_DESCRIPTION} characters", "say what it is in a few words"))
        else:
            into[name] = value.value.strip()


def _problem(path: Path, node: yaml.Node, message: str, fix: str) -> Problem:
    return Problem(str(path), None, f"line {node.start_mark.line + 1}: {message}", fix)


def error_line(exc: yaml.YAMLError) -> int | None:
    """The 0-based line a trainer must edit for a YAML error.

    PyYAML's problem mark is where it gave up, often the line after the mistake; for an unclosed
    quote or bracket, or a key without ': ', the context mark is where the mistake starts.
    """
    problem = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    starts_there = str(getattr(exc, "context", "") or "").startswith(
        ("while scanning a quoted", "while scanning a simple key", "while parsing a flow"))
    if context is not None and starts_there:
        return context.line
    return problem.line if problem is not None else None


def _line_text(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line].strip()[:80] if 0 <= line < len(lines) else ""


BUILT_IN = _load_built_in()  # read once, at import: the words every module may use
