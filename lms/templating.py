"""Template helpers: filling partnership placeholders and pointing images at stored assets."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from flask import Flask, g, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from authoring.kinds import QuestionKind, kind_named
from authoring.placeholders import fill_placeholders
from lms import permissions
from lms.db import db
from lms.models import ModuleVersion
from lms.services.accounts import account_state
from lms.services.periods import govuk_date, uk_moment_text


def lesson_html(fragment: str, version_id: int) -> Markup:
    """Sanitised lesson HTML with local details for the learner's partnership and image URLs."""
    values = {}
    if current_user.is_authenticated:
        partnership = current_user.organisation.partnership
        values = {"partnership_name": partnership.name, **(partnership.settings or {})}
    fragment = fragment.replace('src="assets/', f'src="{_asset_prefix(version_id)}')
    descriptions = _AddedPlaceholders(version_id)
    return Markup(fill_placeholders(fragment, values, escape, descriptions))  # noqa: S704 - sanitised at build time, values escaped


class _AddedPlaceholders(Mapping):
    """What a courses folder's own placeholders are, read from the version's settings only when one is unset."""

    def __init__(self, version_id: int) -> None:
        self.version_id = version_id

    def _loaded(self) -> dict[str, str]:
        cache = g.setdefault("lms_placeholder_descriptions", {})
        if self.version_id not in cache:
            settings = db.session.scalar(select(ModuleVersion.settings).where(ModuleVersion.id == self.version_id)) or {}
            cache[self.version_id] = settings.get("placeholders") or {}
        return cache[self.version_id]

    def __getitem__(self, name: str) -> str:
        return self._loaded()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


def _asset_prefix(version_id: int) -> str:
    """Where a version's images are served from, built once per request: a page calls lesson_html per block."""
    prefixes = g.setdefault("lms_asset_prefixes", {})
    if version_id not in prefixes:
        prefixes[version_id] = url_for("content.asset", version_id=version_id, name="_")[:-1]
    return prefixes[version_id]


def field_errors(form) -> list[tuple[str, str]]:
    """(field id, first error) for each invalid field, in form order, for the error summary."""
    return [(field.id, field.errors[0]) for field in form if field.errors]


def question_kind(question: dict) -> QuestionKind:
    """The kind of a stored question, so templates ask the registry how it is answered."""
    return kind_named(question["kind"])


def page_numbers(current: int, pages: int) -> list[int | None]:
    """The page links GOV.UK pagination shows: the first, the last, the current one and its neighbours; None for a gap."""
    shown = sorted({1, pages, current - 1, current, current + 1} & set(range(1, pages + 1)))
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["lesson_html"] = lesson_html
    app.jinja_env.globals["field_errors"] = field_errors
    app.jinja_env.globals["account_state"] = account_state
    app.jinja_env.globals["question_kind"] = question_kind
    app.jinja_env.globals["page_numbers"] = page_numbers
    app.jinja_env.globals["permissions"] = permissions  # templates ask the one home of access rules
    app.jinja_env.filters["uk_moment"] = uk_moment_text
    app.jinja_env.filters["govuk_date"] = govuk_date
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
