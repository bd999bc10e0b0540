"""Governance of published modules: who owns each, when it must be reviewed, and which are due.

A module's owner and review-by date come from its notebook settings (checked by authoring), so they
belong to the live version. "Due for review" means the date has passed or falls within the window:
30 days on the module page, 60 on the site admins' review list (time to arrange a review).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.models import Module, ModuleVersion

MODULE_PAGE_WINDOW = dt.timedelta(days=30)
REVIEW_LIST_WINDOW = dt.timedelta(days=60)


def review_by(version: ModuleVersion) -> dt.date | None:
    """The version's review-by date, or None when the settings give none (or one that is not a date)."""
    value = version.settings.get("review_by")
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def is_due(date: dt.date | None, today: dt.date, window: dt.timedelta) -> bool:
    return date is not None and date <= today + window


@dataclass(frozen=True)
class Governance:
    """What trainers and admins see about a module's live version, to act on it."""

    owner: str
    review_by: dt.date | None
    due: bool
    overdue: bool
    guidance: list[dict]
    number: int
    version_notes: str
    published_at: dt.datetime


def governance(version: ModuleVersion, today: dt.date) -> Governance:
    """The governance of a version as the module page shows it (no query: it is all in the version)."""
    date = review_by(version)
    return Governance(version.settings.get("owner", ""), date, is_due(date, today, MODULE_PAGE_WINDOW),
                      date is not None and date < today, list(version.settings.get("guidance") or []), version.number,
                      version.settings.get("version_notes", ""), version.published_at)


@dataclass(frozen=True)
class DueModule:
    module: Module
    version: ModuleVersion
    review_by: dt.date
    overdue: bool


def due_for_review(session: Session, today: dt.date, window: dt.timedelta = REVIEW_LIST_WINDOW) -> list[DueModule]:
    """Published modules whose live version's review-by date has passed or falls within `window`, soonest first."""
    found = session.execute(select(Module, ModuleVersion).join(ModuleVersion, ModuleVersion.id == Module.current_version_id)).all()
    due = [DueModule(module, version, date, date < today) for module, version in found
           if is_due(date := review_by(version), today, window)]
    return sorted(due, key=lambda d: (d.review_by, d.module.title))
