"""The report's pages after the summary, one per table, and how each shows its cells."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lms.services.periods import govuk_date
from lms.services.reports import TITLES, ReportScope


@dataclass(frozen=True)
class Breakdown:
    """A page showing one report table: `idle` names its rows of zeros (one, many), which fold away under
    a summary naming each by its first `label_columns` cells."""

    slug: str
    table: str
    summary: str
    idle: tuple[str, str] | None = None
    label_columns: int = 1
    empty: str = "Nothing recorded for this period."
    by_period: bool = True  # compliance stands as of today, whatever period is chosen
    many_organisations_only: bool = False  # one organisation's report needs no table of one row

    @property
    def title(self) -> str:
        return TITLES[self.table]

    def idle_text(self, count: int) -> str:
        """'Show 3 organisations with no training recorded'."""
        one, many = self.idle or ("row of zeros", "rows of zeros")
        return f"Show {count} {one if count == 1 else many}"

    def listed_for(self, scope: ReportScope) -> bool:
        return not (self.many_organisations_only and scope.organisation_id is not None)


BREAKDOWNS = {b.slug: b for b in (
    Breakdown("organisations", "organisations", "Sessions and people trained in each organisation, e-learning and face to face.",
              ("organisation with no training recorded", "organisations with no training recorded"), many_organisations_only=True),
    Breakdown("organisation-types", "types", "Local authority, other statutory partners, businesses and the voluntary sector.",
              ("organisation type with no training recorded", "organisation types with no training recorded"),
              many_organisations_only=True),
    Breakdown("modules", "modules", "Sessions and people trained for each module."),
    Breakdown("organisations-and-modules", "counts", "Every organisation, module and channel: the detail behind the other tables."),
    Breakdown("compliance", "compliance", "People in date, due for a refresher, expired or never trained, for each assigned module.",
              ("assignment that covers nobody yet", "assignments that cover nobody yet"), label_columns=3, by_period=False,
              empty="No modules are assigned yet: an organisation admin assigns them on the organisation's page."),
)}


def cell_text(value: object) -> str:
    """A table value as the page shows it: dates as '1 April 2025', numbers with thousands commas."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return govuk_date(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def is_figure(value: object) -> bool:
    """Whether a value is a count, right-aligned as GOV.UK tables align numbers."""
    return isinstance(value, int) and not isinstance(value, bool)
