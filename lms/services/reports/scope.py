"""Whose training a report covers, and the organisations that brings in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.models import Organisation


@dataclass(frozen=True)
class ReportScope:
    """Whose training a report covers: everything, one partnership, or one organisation."""

    label: str
    partnership_id: int | None = None
    organisation_id: int | None = None

    @property
    def is_everything(self) -> bool:
        return self.partnership_id is None and self.organisation_id is None


def organisations_in(session: Session, scope: ReportScope) -> dict[int, Organisation]:
    """The organisations a scope covers, by id, in name order."""
    query = select(Organisation).order_by(Organisation.name, Organisation.id)
    if scope.partnership_id is not None:
        query = query.where(Organisation.partnership_id == scope.partnership_id)
    if scope.organisation_id is not None:
        query = query.where(Organisation.id == scope.organisation_id)
    return {o.id: o for o in session.scalars(query)}


def scoped(column, scope: ReportScope, organisations: dict[int, Organisation]) -> list:
    """A filter on an organisation column, only when the scope is narrower than everything."""
    if scope.is_everything:
        return []
    return [column.in_(list(organisations) or [-1])]
