"""Module settings: YAML front matter in the notebook's first (raw) cell, validated field by field.

Every value that would publish something other than what the trainer meant is an error: a misspelt
setting that would leave a default in place, a starter value from `authoring new`, curly quotes that
would show in the title, a value YAML reads as true/false or a number. Line numbers count the cell's
lines as JupyterLab shows them, the opening '---' being line 1.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import yaml

from authoring.assessment import AssessmentSettings, parse_assessment
from authoring.language import code_for_name, language_tag
from authoring.problems import ProblemList, did_you_mean
from authoring.setting_names import KNOWN, REQUIRED, TEXT, meant_setting
from authoring.settings_source import SAFE_LOADER, SettingsSource, curly_wrapped, yaml_problems
from authoring.vocabulary import BUILT_IN, PLACEHOLDER_NAME, Vocabulary, add_words_where, current, some_names

PRIORITY_AREAS = tuple(BUILT_IN.priority_areas)  # the built-in ones; a courses folder may add more (authoring.vocabulary)
MODULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\s*\Z", re.DOTALL)
BUILT_BY_AUTHORING = "placeholders"  # written into the bundle's settings by `authoring build`, never by trainers
STORED = 0  # the `cell` lms publishing passes when it checks a bundle's stored settings again
SETTINGS_CELL_FIX = "add a Raw cell at the top with the settings between two '---' lines (see docs/authoring.md)"
# what a module gets when a setting is misspelt, so left out: said in the message, since it is published
DEFAULTS_SHOWN = {"pass_mark": "80", "estimated_minutes": "20", "refresher_months": "0 (never refreshed)",
                  "content_note": "false", "lang": "English", "version_notes": "no notes",
                  "assessment": "every question and the standard retry rules"}

# `authoring new` writes these; check refuses them, so a starter cannot be published by accident.
STARTER_MARK = "TO DO"
STARTER_OWNER = "TO DO: your name or team"
STARTER_GUIDANCE = {"title": "TO DO: the official guidance this module follows", "url": "https://to-do.invalid/the-official-guidance"}
OLD_STARTER_VALUES = {"Your name or team"}  # what older starters wrote as the owner


@dataclass
class Settings:
    """What a module declares about itself; defaults are only used when a setting is missing."""

    id: str = ""
    title: str = ""
    audience: str = ""
    priority_area: str = ""
    estimated_minutes: int = 20
    pass_mark: int = 80
    refresher_months: int = 0
    owner: str = ""
    review_by: str | None = None
    guidance: list[dict[str, str]] = field(default_factory=list)
    version_notes: str = ""
    content_note: bool = False
    assessment: dict[str, Any] = field(default_factory=lambda: AssessmentSettings().as_dict())
    lang: str = ""  # a BCP 47 tag such as 'cy'; "" is English
    placeholders: dict[str, str] = field(default_factory=dict)  # descriptions of the added placeholders used (by build)

    @property
    def assessment_rules(self) -> AssessmentSettings:
        return AssessmentSettings.from_dict(self.assessment)

    def as_dict(self) -> dict[str, Any]:
        """The stored settings; `lang` and `placeholders` only when set, so older modules keep their version hash."""
        stored = asdict(self)
        for name in ("lang", "placeholders"):
            if not stored[name]:
                del stored[name]
        return stored


def spelling_fix(name: str, known: set[str]) -> str:
    """'did you mean ...?' for a misspelt setting, or where to look."""
    meant = did_you_mean(name, known)
    return f"did you mean '{meant}'? Check the spelling against docs/authoring.md" if meant else "check its spelling against docs/authoring.md"


def split_front_matter(source: str) -> str | None:
    """The YAML text of a '---' fenced cell, or None when the cell is not front matter."""
    match = FRONT_MATTER.match(source.strip() + "\n")
    return match.group(1) if match else None


def parse_settings(yaml_text: str, cell: int, problems: ProblemList, today: dt.date, vocabulary: Vocabulary | None = None) -> Settings:
    """Read and validate settings, reporting every bad or missing field.

    `vocabulary` gives the priority areas allowed; by default the one in use (authoring.vocabulary).
    """
    try:
        raw = yaml.load(yaml_text, Loader=SAFE_LOADER) or {}  # noqa: S506 - a safe loader, the C one when present
    except yaml.YAMLError as exc:
        for message, fix in yaml_problems(yaml_text, exc):
            problems.error(cell, message, fix)
        return Settings()
    if not isinstance(raw, dict):
        problems.error(cell, "the settings cell does not hold 'name: value' lines", "write one 'name: value' per line between the '---' lines")
        return Settings()
    reader = _Reader(raw, SettingsSource(yaml_text if cell != STORED else ""), cell, problems, vocabulary or current())
    reader.read(today)
    return reader.settings


class _Reader:
    """Reads one settings mapping into Settings, each rule with the line to edit when it is known."""

    def __init__(self, raw: dict, source: SettingsSource, cell: int, problems: ProblemList, vocabulary: Vocabulary) -> None:
        self.raw, self.source, self.cell, self.problems, self.vocabulary = raw, source, cell, problems, vocabulary
        self.settings = Settings()

    def error(self, message: str, fix: str) -> None:
        self.problems.error(self.cell, message, fix)

    def read(self, today: dt.date) -> None:
        near_misses = {meant_setting(name) for name in set(self.raw) - KNOWN
                       if name not in AssessmentSettings.__dataclass_fields__ and name != BUILT_BY_AUTHORING}
        for name in REQUIRED:
            if self.raw.get(name) in (None, "") and name not in near_misses:  # 'pass mark: 80' is reported as the near miss
                self.problems.tolerated(self.cell, f"setting '{name}' is missing", f"add a line '{name}: ...' to the settings cell")
        self._unknown_names()
        self._repeated_names()
        self._read_text()
        self._read_numbers()
        self._read_review_by(today)
        self._read_guidance()
        self._read_placeholders()
        self.settings.assessment = parse_assessment(self.raw.get("assessment"), self.cell, self.problems).as_dict()

    def _unknown_names(self) -> None:
        for name in sorted(set(self.raw) - KNOWN, key=str):
            on_line = self.source.on_line(name)
            if name in AssessmentSettings.__dataclass_fields__:
                self.error(f"'{name}' is an assessment setting but is not under 'assessment:'",
                           f"write 'assessment:' on its own line, then '  {name}: ...' under it, indented by two spaces")
            elif name == BUILT_BY_AUTHORING:
                if self.cell != STORED:
                    self.problems.warning(self.cell, f"'{name}'{on_line} is written by 'authoring build' and is ignored here",
                                          "remove the line: build lists the placeholders the module uses")
            elif meant := meant_setting(name):
                default = DEFAULTS_SHOWN.get(meant)
                result = f"the module would get the default {meant}, {default}" if default else f"'{meant}' is missing"
                value = self.source.raw(name)
                self.error(f"unknown setting '{name}'{on_line}: it would be ignored, so {result}",
                           f"did you mean '{meant}'? Write it exactly so: '{meant}: {value}'" if value else f"did you mean '{meant}'? Write it exactly so")
            else:
                self.problems.warning(self.cell, f"unknown setting '{name}'{on_line} is ignored", spelling_fix(str(name), KNOWN))

    def _repeated_names(self) -> None:
        self.source.nodes  # noqa: B018 - reading the nodes finds the repeated names
        for name, first, again in self.source.repeated:
            self.error(f"setting '{name}' is written twice, on lines {first} and {again}",
                       "keep one of the two lines: only the last one would be used")

    def _text(self, name: str) -> str | None:
        """The setting as text, or None (reported) when YAML read it as something else."""
        value = self.raw.get(name)
        if value is None or isinstance(value, str):
            return value
        raw = self.source.raw(name) or _plain(value)
        kind = _kind(value)
        if isinstance(value, list | dict):
            self.error(f"{name}{self.source.on_line(name)} is {kind}, not text",
                       f"write the {TEXT.get(name, name)} on the same line as '{name}:', in double quotes if it starts with [ or {{")
        else:
            self.error(f"{name} '{raw}'{self.source.on_line(name)} is read as {kind}, not as text", f'put it in double quotes: {name}: "{raw}"')
        return None

    def _read_text(self) -> None:
        for name in ("id", "title", "audience", "owner", "version_notes", "priority_area"):
            value = self._text(name)
            if value is not None and self._plain_text(name, value.strip()):
                setattr(self.settings, name, value.strip())
        if self.settings.id and not MODULE_ID.match(self.settings.id):
            self.error(f"id '{self.settings.id}' is not allowed", "use lower-case letters, digits and hyphens, e.g. 'prevent-awareness'")
        self._read_priority_area()
        self._read_lang()
        content_note = self.raw.get("content_note", False)
        if not isinstance(content_note, bool):
            self.error("content_note must be true or false", "write 'content_note: true' or 'content_note: false'")
        else:
            self.settings.content_note = content_note

    def _plain_text(self, name: str, value: str) -> bool:
        """False (reported) for a starter value or text wrapped in curly quotes: neither is what learners should see."""
        label, on_line = TEXT[name], self.source.on_line(name)
        if name == "priority_area":
            return True
        if value.upper().startswith(STARTER_MARK) or value in OLD_STARTER_VALUES:
            fix = ("write the person or team who keeps this module accurate, e.g. 'owner: Safer York Partnership Prevent lead'"
                   if name == "owner" else f"write the module's {label} in place of the starter's words")
            self.error(f"the {label}{on_line} is still the starter's '{value}'", fix)
            return False
        if curly_wrapped(value):
            self.error(f"the {label}{on_line} is wrapped in curly quotes, which would show in the {label}",
                       f'use straight double quotes or none: {name}: "{value[1:-1]}"')
            return False
        return True

    def _read_priority_area(self) -> None:
        area, areas = self.settings.priority_area, list(self.vocabulary.priority_areas)
        if not area:
            return
        add_own = f"or add your own in {add_words_where(self.vocabulary)}"
        if area.upper().startswith(STARTER_MARK):
            self.error(f"the priority area{self.source.on_line('priority_area')} is not chosen yet",
                       f"choose the priority area this module serves: {some_names(areas)}; e.g. 'priority_area: {areas[0]}'; {add_own}")
        elif area not in areas:
            meant = did_you_mean(area, areas)
            self.error(f"priority_area '{area}' is not one of ours",
                       (f"did you mean '{meant}'? Use" if meant else "use") + f" one of: {some_names(areas, near=area)}, {add_own}")

    def _read_lang(self) -> None:
        value = self._text("lang")
        if value is None or not value.strip():
            return
        tag = language_tag(value)
        if tag:
            self.settings.lang = tag
            return
        code = code_for_name(value)
        self.error(f"lang '{value}'{self.source.on_line('lang')} is not a language tag",
                   f"write the short code: 'lang: {code}'" if code else
                   "write the language's short code, e.g. 'lang: cy' for Welsh or 'lang: pl' for Polish; leave lang out for English")

    def _read_numbers(self) -> None:
        limits = {"estimated_minutes": (1, 240), "pass_mark": (1, 100), "refresher_months": (0, 120)}
        for name, (low, high) in limits.items():
            value = self.raw.get(name)
            if value in (None, ""):
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                self.error(f"{name} '{self.source.raw(name) or _plain(value)}' is not a whole number", f"write a whole number from {low} to {high}")
            elif not low <= value <= high:
                self.error(f"{name} {value} is out of range", f"use a whole number from {low} to {high}")
            else:
                setattr(self.settings, name, value)

    def _read_review_by(self, today: dt.date) -> None:
        value = self.raw.get("review_by")
        if value in (None, ""):
            return
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            try:
                value = dt.date.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                value = None
            if value is None:
                shown = self.source.raw("review_by") or _plain(self.raw["review_by"])
                self.error(f"review_by '{shown}' is not a date", "write the date as YYYY-MM-DD, e.g. 2027-09-30")
                return
        self.settings.review_by = value.isoformat()
        if value < today:
            self.problems.warning(self.cell, f"the module was due for review on {value.isoformat()}", "check it against current guidance, then set a new review_by date")

    def _read_guidance(self) -> None:
        value = self.raw.get("guidance")
        if value in (None, ""):
            return
        fix = "list each source as '- title: ...' with 'url: https://...' under it"
        if not isinstance(value, list):
            self.error("guidance must be a list of sources", fix)
            return
        for number, item in enumerate(value, start=1):
            title = item.get("title") if isinstance(item, dict) else None
            url = str(item.get("url", "")) if isinstance(item, dict) else ""
            if isinstance(item, dict) and (str(title).upper().startswith(STARTER_MARK) or url == STARTER_GUIDANCE["url"]):
                self.error(f"guidance source {number}{self.source.on_item_line('guidance', number)} is still the starter's example",
                           "replace it with the official guidance this module follows: '- title: ...' and 'url: https://...' under it")
            elif problem := self._guidance_problem(number, item, title, url):
                self.error(*problem)
            elif curly_wrapped(title.strip()):
                self.error(f"the title of guidance source {number} is wrapped in curly quotes, which would show in it",
                           f'use straight double quotes or none: title: "{title.strip()[1:-1]}"')
            else:
                self.settings.guidance.append({"title": title, "url": url})

    def _guidance_problem(self, number: int, item: object, title: object, url: str) -> tuple[str, str] | None:
        """What is wrong with one guidance source, naming the part that is missing or wrong and its line."""
        source = f"guidance source {number}"
        on_line = self.source.on_item_line("guidance", number)
        if not isinstance(item, dict):
            return (f"{source}{on_line} is not a title and a web address",
                    "list each source as '- title: ...' with 'url: https://...' under it, lined up with 'title'")
        if title is None or (isinstance(title, str) and not title.strip()):
            return (f"{source}{on_line} has no title", "write the guidance's name on the source's first line, as '- title: ...', "
                    "with its 'url: ...' lined up under 'title'")
        if not isinstance(title, str):
            return (f"the title of {source}{on_line} is read as {_kind(title)}, not as text", f'put it in double quotes: title: "{_plain(title)}"')
        if not url.strip() or item.get("url") is None:
            return (f"{source}{on_line} has no web address", "add a line 'url: https://...' under its title, lined up with 'title'")
        if not url.startswith(("https://", "http://")):
            url_line = self.source.on_item_key_line("guidance", number, "url")
            fix = f"write 'url: https://{url.strip()}'" if "://" not in url else "write the page's full address, starting https://"
            return (f"{source}'s web address{url_line}, '{url.strip()}', does not start with https://", fix)
        return None

    def _read_placeholders(self) -> None:
        """The descriptions a built bundle carries for the added placeholders it uses (see authoring.vocabulary)."""
        value = self.raw.get(BUILT_BY_AUTHORING)
        if self.cell != STORED or value in (None, {}):
            return
        if not isinstance(value, dict) or not all(isinstance(k, str) and PLACEHOLDER_NAME.match(k) and isinstance(v, str) and v.strip()
                                                  for k, v in value.items()):
            self.error("the placeholders' descriptions are not shaped as 'authoring build' writes them", "build the module again")
            return
        self.settings.placeholders = dict(value)


def _kind(value: object) -> str:
    """What YAML read a value as, in words a trainer knows."""
    if isinstance(value, bool):
        return "true-or-false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    return "a group of settings" if isinstance(value, dict) else "something other than text"


def _plain(value: object) -> str:
    """A value as a trainer would write it, never as Python shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return _kind(value)
    return str(value)


