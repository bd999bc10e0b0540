"""The report tables built from the counts: by organisation, by module, by organisation type, by quarter.

Each table is what a page shows and what its downloads hold; a table whose download needs columns the
page leaves out (stable ids, so a spreadsheet never merges two organisations that share a name) carries
that form of itself in `download`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.models import Channel, Completion, Organisation
from lms.services.periods import Period, previous_quarters, quarter_label
from lms.services.reports.counts import CHANNELS, GROUP_ORDER, CountRow, audiences
from lms.services.reports.scope import ReportScope, organisations_in, scoped

TREND_QUARTERS = 8
TITLES = {
    "organisations": "Sessions by organisation",
    "counts": "Sessions by organisation and module",
    "modules": "Sessions by module",
    "types": "Sessions by organisation type",
    "trend": "Trend by quarter",
    "compliance": "Compliance with assigned modules",
    "learners": "Learners and their modules",
}
TOTAL_COLUMNS = ("E-learning sessions", "E-learning people", "Face-to-face sessions", "Face-to-face people",
                 "All sessions", "All people trained")
COUNTS_DOWNLOAD_COLUMNS = ("Organisation ID", "Organisation", "Organisation type", "Type group", "Module slug", "Module", "Channel",
                           "Sessions delivered", "People trained")


@dataclass
class Table:
    """A report table, ready to show or download; `personal` tables name people."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    personal: bool = False
    download: Table | None = None

    def downloaded(self) -> Table:
        """The table as its CSV and XLSX downloads hold it."""
        return self.download or self

    def active_rows(self) -> list[tuple]:
        return [row for row in self.rows if not is_idle(row)]

    def idle_rows(self) -> list[tuple]:
        """Rows whose every figure is zero: shown folded away, never dropped from the download."""
        return [row for row in self.rows if is_idle(row)]


def is_idle(row: tuple) -> bool:
    figures = [value for value in row if isinstance(value, int) and not isinstance(value, bool)]
    return bool(figures) and not any(figures)


CHANNEL_NAMES = {Channel.ELEARNING.value: "E-learning", Channel.FACE_TO_FACE.value: "Face to face"}


def counts_table(rows: list[CountRow]) -> Table:
    """Every organisation, module and channel line; its download adds the organisation's id, type and type
    group and the module's slug, and names channels as the API does."""
    download = Table("counts", TITLES["counts"], COUNTS_DOWNLOAD_COLUMNS,
                     [(r.organisation_id, r.organisation, r.organisation_type.replace("_", " ").capitalize(), r.type_group, r.module_slug,
                       r.module, r.channel, r.sessions_delivered, r.people_trained) for r in rows])
    return Table("counts", TITLES["counts"], ("Organisation", "Module", "Channel", "Sessions delivered", "People trained"),
                 [(r.organisation, r.module, CHANNEL_NAMES[r.channel], r.sessions_delivered, r.people_trained) for r in rows],
                 download=download)


def _totals(rows: list[CountRow], key: Callable[[CountRow], Hashable], order: list[tuple[Hashable, str]]) -> list[tuple]:
    """Rows added up by `key` and channel, with a total per key; `order` gives each key's label, and keys
    with nothing recorded get a line of zeros so every organisation (or type) is accounted for."""
    sums: dict[tuple[Hashable, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        sums[(key(row), row.channel)][0] += row.sessions_delivered
        sums[(key(row), row.channel)][1] += row.people_trained
    table = []
    for name, label in order:
        lines = [sums.get((name, channel), [0, 0]) for channel in CHANNELS]
        table.append((label, *lines[0], *lines[1], sum(x[0] for x in lines), sum(x[1] for x in lines)))
    return table


def modules_table(rows: list[CountRow]) -> Table:
    """Totals by module: the organisation rows added up."""
    modules = sorted({(r.module, r.module_slug) for r in rows})
    return Table("modules", TITLES["modules"], ("Module", *TOTAL_COLUMNS), _totals(rows, lambda r: r.module_slug, [(s, t) for t, s in modules]))


def types_table(rows: list[CountRow]) -> Table:
    """Totals by organisation type group: local authority, other statutory partners, businesses, voluntary sector."""
    return Table("types", TITLES["types"], ("Organisation type", *TOTAL_COLUMNS),
                 _totals(rows, lambda r: r.type_group, [(g, g) for g in GROUP_ORDER]))


def organisations_table(rows: list[CountRow], organisations: dict[int, Organisation]) -> Table:
    """Totals for every organisation in scope, including those with nothing recorded; the download keeps each id."""
    order = [(o.id, o.name) for o in organisations.values()]
    lines = _totals(rows, lambda r: r.organisation_id, order)
    download = Table("organisations", TITLES["organisations"], ("Organisation ID", "Organisation", *TOTAL_COLUMNS),
                     [(org_id, *line) for (org_id, _name), line in zip(order, lines, strict=True)])
    return Table("organisations", TITLES["organisations"], ("Organisation", *TOTAL_COLUMNS), lines, download=download)


@dataclass(frozen=True)
class Headline:
    """The summary's totals for the period, by channel."""

    elearning_sessions: int
    elearning_people: int
    face_to_face_sessions: int
    face_to_face_people: int

    @property
    def sessions(self) -> int:
        return self.elearning_sessions + self.face_to_face_sessions

    @property
    def people(self) -> int:
        return self.elearning_people + self.face_to_face_people


def headline(rows: list[CountRow]) -> Headline:
    """Sessions and people for the whole scope: the same sums as every breakdown's totals."""
    (line,) = _totals(rows, lambda _r: "all", [("all", "All")])
    return Headline(*line[1:5])


def trend_table(session: Session, period: Period, scope: ReportScope) -> Table:
    """The eight whole quarters up to the period's last quarter, e-learning and face to face."""
    quarters = previous_quarters(period.last_quarter, TREND_QUARTERS)
    organisations = organisations_in(session, scope)
    elearning: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for quarter, passes, people in session.execute(  # people per organisation and module, added up as the counts table is
            select(Completion.fy_quarter, func.count(), func.count(func.distinct(Completion.user_id)))
            .where(Completion.fy_quarter.between(quarters[0], quarters[-1]), Completion.channel == Channel.ELEARNING,
                   *scoped(Completion.organisation_id, Completion.partnership_id, scope))
            .group_by(Completion.fy_quarter, Completion.organisation_id, Completion.module_id)):
        elearning[quarter][0] += passes
        elearning[quarter][1] += people
    sessions: dict[int, int] = defaultdict(int)  # one per session and audience organisation, as in the counts table
    people: dict[int, int] = defaultdict(int)
    for audience in audiences(session, quarters[0], quarters[-1], None, scope, organisations):
        sessions[audience.quarter] += 1
        people[audience.quarter] += audience.attendees
    rows = []
    for quarter in quarters:
        e_sessions, e_people = elearning.get(quarter, (0, 0))
        rows.append((quarter_label(quarter), e_sessions, e_people, sessions[quarter], people[quarter],
                     e_sessions + sessions[quarter], e_people + people[quarter]))
    return Table("trend", TITLES["trend"], ("Quarter", *TOTAL_COLUMNS), rows)
