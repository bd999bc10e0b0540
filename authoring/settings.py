"""Module settings: YAML front matter in the notebook's first (raw) cell, validated field by field."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import yaml

from authoring.assessment import AssessmentSettings, parse_assessment
from authoring.problems import ProblemList, did_you_mean

PRIORITY_AREAS = ("counter-terrorism", "domestic-abuse", "serious-organised-crime", "hate-crime")
MODULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\s*\Z", re.DOTALL)
REQUIRED = (
    "id", "title", "audience", "priority_area", "estimated_minutes", "pass_mark",
    "refresher_months", "owner", "review_by", "guidance",
)
KNOWN = set(REQUIRED) | {"version_notes", "content_note", "assessment"}
SETTINGS_CELL_FIX = "add a Raw cell at the top with the settings between two '---' lines (see docs/authoring.md)"


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

    @property
    def assessment_rules(self) -> AssessmentSettings:
        return AssessmentSettings.from_dict(self.assessment)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def spelling_fix(name: str, known: set[str]) -> str:
    """'did you mean ...?' for a misspelt setting, or where to look."""
    meant = did_you_mean(name, known)
    return f"did you mean '{meant}'? Check the spelling against docs/authoring.md" if meant else "check its spelling against docs/authoring.md"


# LibYAML's safe loader reads the same YAML several times faster; PyYAML falls back to Python's.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split_front_matter(source: str) -> str | None:
    """The YAML text of a '---' fenced cell, or None when the cell is not front matter."""
    match = FRONT_MATTER.match(source.strip() + "\n")
    return match.group(1) if match else None


def parse_settings(yaml_text: str, cell: int, problems: ProblemList, today: dt.date) -> Settings:
    """Read and validate settings, reporting every bad or missing field."""
    try:
        raw = yaml.load(yaml_text, Loader=_SAFE_LOADER) or {}  # noqa: S506 - a safe loader, the C one when present
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" on line {mark.line + 2}" if mark else ""
        problems.error(cell, f"the settings are not valid YAML{where}", "write one 'name: value' per line, as in docs/authoring.md")
        return Settings()
    if not isinstance(raw, dict):
        problems.error(cell, "the settings cell does not hold 'name: value' lines", "write one 'name: value' per line between the '---' lines")
        return Settings()
    settings = Settings()
    for name in REQUIRED:
        if raw.get(name) in (None, ""):
            problems.tolerated(cell, f"setting '{name}' is missing", f"add a line '{name}: ...' to the settings cell")
    for name in sorted(set(raw) - KNOWN):
        if name in AssessmentSettings.__dataclass_fields__:
            problems.error(cell, f"'{name}' is an assessment setting but is not under 'assessment:'",
                           f"write 'assessment:' on its own line, then '  {name}: ...' under it, indented by two spaces")
        else:
            problems.warning(cell, f"unknown setting '{name}' is ignored", spelling_fix(name, KNOWN))
    _read_text(raw, settings, cell, problems)
    _read_numbers(raw, settings, cell, problems)
    _read_review_by(raw, settings, cell, problems, today)
    _read_guidance(raw, settings, cell, problems)
    settings.assessment = parse_assessment(raw.get("assessment"), cell, problems).as_dict()
    return settings


def _read_text(raw: dict, settings: Settings, cell: int, problems: ProblemList) -> None:
    for name in ("id", "title", "audience", "owner", "version_notes", "priority_area"):
        value = raw.get(name)
        if value is not None:
            setattr(settings, name, str(value).strip())
    if settings.id and not MODULE_ID.match(settings.id):
        problems.error(cell, f"id '{settings.id}' is not allowed", "use lower-case letters, digits and hyphens, e.g. 'prevent-awareness'")
    if settings.priority_area and settings.priority_area not in PRIORITY_AREAS:
        problems.error(cell, f"priority_area '{settings.priority_area}' is not one of ours", "use one of: " + ", ".join(PRIORITY_AREAS))
    content_note = raw.get("content_note", False)
    if not isinstance(content_note, bool):
        problems.error(cell, "content_note must be true or false", "write 'content_note: true' or 'content_note: false'")
    else:
        settings.content_note = content_note


def _read_numbers(raw: dict, settings: Settings, cell: int, problems: ProblemList) -> None:
    limits = {"estimated_minutes": (1, 240), "pass_mark": (1, 100), "refresher_months": (0, 120)}
    for name, (low, high) in limits.items():
        value = raw.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            problems.error(cell, f"{name} '{value}' is not a whole number", f"write a whole number from {low} to {high}")
        elif not low <= value <= high:
            problems.error(cell, f"{name} {value} is out of range", f"use a whole number from {low} to {high}")
        else:
            setattr(settings, name, value)


def _read_review_by(raw: dict, settings: Settings, cell: int, problems: ProblemList, today: dt.date) -> None:
    value = raw.get("review_by")
    if value in (None, ""):
        return
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            problems.error(cell, f"review_by '{value}' is not a date", "write the date as YYYY-MM-DD, e.g. 2027-09-30")
            return
    settings.review_by = value.isoformat()
    if value < today:
        problems.warning(cell, f"the module was due for review on {value.isoformat()}", "check it against current guidance, then set a new review_by date")


def _read_guidance(raw: dict, settings: Settings, cell: int, problems: ProblemList) -> None:
    value = raw.get("guidance")
    if value in (None, ""):
        return
    items = value if isinstance(value, list) else None
    fix = "list each source as '- title: ...' with 'url: https://...' under it"
    if items is None:
        problems.error(cell, "guidance must be a list of sources", fix)
        return
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get("title") or not str(item.get("url", "")).startswith(("https://", "http://")):
            problems.error(cell, f"guidance source {number} needs a title and a web address", fix)
            continue
        settings.guidance.append({"title": str(item["title"]), "url": str(item["url"])})
