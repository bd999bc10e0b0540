"""Whose training a report covers, and the organisations that brings in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.models import Organisation
from lms.services.localities import counted_for, organisations_serving


@dataclass(frozen=True)
class ReportScope:
    """Whose training a report covers: everything, one partnership or a joint group of them (`area_ids`),
    one organisation, or one organisation's training within a partnership (a lead looking at a partner agency)."""

    label: str
    partnership_id: int | None = None
    organisation_id: int | None = None
    joint_group_id: int | None = None
    area_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.partnership_id is not None and not self.area_ids:
            object.__setattr__(self, "area_ids", (self.partnership_id,))

    @property
    def is_everything(self) -> bool:
        return not self.area_ids and self.organisation_id is None


def organisations_in(session: Session, scope: ReportScope) -> dict[int, Organisation]:
    """The organisations a scope covers, by id, in name order: for partnerships, those serving any of them."""
    query = select(Organisation).order_by(Organisation.name, Organisation.id)
    if scope.area_ids:
        query = query.where(organisations_serving(list(scope.area_ids)))
    if scope.organisation_id is not None:
        query = query.where(Organisation.id == scope.organisation_id)
    return {o.id: o for o in session.scalars(query)}


def with_past_members(session: Session, organisations: dict[int, Organisation], ids: set[int]) -> dict[int, Organisation]:
    """`organisations` plus any named by `ids` that no longer serve the scope's partnerships: training they
    recorded there while they did still counts there (past quarters never move), so it keeps its name."""
    missing = ids - organisations.keys()
    if not missing:
        return organisations
    found = {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(missing)))}
    return dict(sorted({**organisations, **found}.items(), key=lambda item: (item[1].name, item[0])))


def scoped(organisation_column, partnership_column, scope: ReportScope) -> list:
    """Filters keeping the rows (completions, audience lines) a scope counts: its organisation's, and those
    counting for its partnerships (lms.services.localities). None when the scope is everything."""
    clauses = []
    if scope.organisation_id is not None:
        clauses.append(organisation_column == scope.organisation_id)
    if scope.area_ids:
        clauses.append(counted_for(partnership_column, organisation_column, list(scope.area_ids)))
    return clauses


def partner_agencies_note(scope: ReportScope) -> str:
    """Said wherever a partnership's figures include organisations that serve several partnerships."""
    return (f"Partner agencies that also serve another partnership count here only for their staff working in "
            f"{scope.label}'s area.")
