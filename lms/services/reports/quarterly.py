"""The quarterly report a partnership board reads: the quarter by month, the same quarter in the two years
before, by module against its target and by organisation type, e-learning and face to face.

Every figure comes from lms.services.reports.counts (training_counts), the rule the dashboard uses: a month
is a custom period of its UK days, so the months add up to the quarter. `report_tables` is what every
format shows (the page, PDF, DOCX, CSV and XLSX), so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.models import JointGroup, Module, utcnow
from lms.services.periods import (
    FIRST_YEAR,
    Period,
    custom_period,
    govuk_date,
    quarter_bounds,
    quarter_key,
    quarter_label,
    quarter_months,
    uk_date,
)
from lms.services.reports.counts import GROUP_ORDER, CountRow, training_counts
from lms.services.reports.scope import ReportScope, partner_agencies_note
from lms.services.reports.tables import Headline, Table, headline
from lms.services.reports.targets import RULE_TEXT, expected_by, status, targets_for

YEARS_BEFORE = 2
SMALL_NUMBER_LIMIT = 5
FEWER_THAN_5 = "fewer than 5"
SMALL_NUMBERS_NOTE = (f"Counts from 1 to 4 are shown as \u201c{FEWER_THAN_5}\u201d and every other count is rounded to the nearest 5, "
                      "so that no small group of people can be picked out, even by taking one figure from another. Totals are "
                      "rounded separately, so they may not equal the sum of their parts. Statuses resting on a hidden count are left out.")
DEFINITIONS_NOTE = ("An e-learning session is one person passing a module's assessment; a face-to-face session counts once for each "
                    "organisation whose staff attended it. People trained are counted once for each organisation and module, so someone "
                    "who completed two modules is counted twice.")
FIGURE_COLUMNS = ("E-learning sessions", "E-learning people", "Face-to-face sessions", "Face-to-face people",
                  "All sessions", "All people trained")


@dataclass(frozen=True)
class ModuleLine:
    """One module's quarter, its sessions from the start of the financial year, and its target if set."""

    module: str
    module_slug: str
    figures: Headline
    year_to_date: int
    target: int | None
    expected: int | None
    status: str | None


@dataclass(frozen=True)
class QuarterlyReport:
    """The report for one scope and quarter, every figure a whole count (small numbers are hidden only when shown)."""

    scope: ReportScope
    quarter: int
    total: Headline
    months: list[tuple[str, Headline]]
    previous_years: list[tuple[str, Headline | None]]  # None: before the years Safer Learning reports
    modules: list[ModuleLine]
    types: list[tuple[str, Headline]]
    covers: tuple[str, ...] = ()  # a joint group's partnerships, by name
    unfinished_on: dt.date | None = None  # the UK date the figures run to, while the quarter is not over

    @property
    def title(self) -> str:
        return f"{self.scope.label}: training and awareness sessions, {quarter_label(self.quarter)}"

    @property
    def months_text(self) -> str:
        return quarter_months(self.quarter)

    @property
    def has_targets(self) -> bool:
        return any(line.target is not None for line in self.modules)


def month_periods(quarter: int) -> list[tuple[str, Period]]:
    """The quarter's three months as periods of UK days: ('October 2025', period)."""
    first, last = quarter_bounds(quarter)
    months, start = [], first
    while start <= last:
        after = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        months.append((f"{start:%B %Y}", custom_period(start, after - dt.timedelta(days=1))))
        start = after
    return months


def _quarter(quarter: int) -> Period:
    return Period(quarter, quarter, quarter_label(quarter))


def _by_module(session: Session, rows: list[CountRow], scope: ReportScope, quarter: int) -> list[ModuleLine]:
    """Each module delivered this quarter or earlier in the year, or with a target for the year."""
    year = quarter // 10
    so_far = training_counts(session, Period(year * 10 + 1, quarter, f"{year}/{(year + 1) % 100:02d} to date"), scope=scope)
    year_sessions: dict[str, int] = defaultdict(int)
    for row in so_far:
        year_sessions[row.module_slug] += row.sessions_delivered
    modules = {slug: (module_id, title) for module_id, slug, title in session.execute(select(Module.id, Module.slug, Module.title))}
    targets = targets_for(session, scope.area_ids, year) if scope.area_ids and scope.organisation_id is None else {}
    shown_slugs = {r.module_slug for r in so_far} | {slug for slug, (module_id, _t) in modules.items() if module_id in targets}
    lines = []
    for slug in sorted(shown_slugs, key=lambda s: (modules[s][1], s)):
        target = targets.get(modules[slug][0])
        lines.append(ModuleLine(modules[slug][1], slug, headline([r for r in rows if r.module_slug == slug]), year_sessions[slug], target,
                                expected_by(target, quarter) if target is not None else None, status(target, year_sessions[slug], quarter)))
    return lines


def quarterly_report(session: Session, scope: ReportScope, quarter: int, today: dt.date | None = None) -> QuarterlyReport:
    """The board's quarterly report for a scope (a partnership, a joint group, an organisation) and a quarter code;
    `today` (the UK date) says whether the quarter is over."""
    today = today or uk_date(utcnow())
    covers = tuple(sorted(p.name for p in session.get(JointGroup, scope.joint_group_id).partnerships)) if scope.joint_group_id else ()
    rows = training_counts(session, _quarter(quarter), scope=scope)
    months = [(label, headline(training_counts(session, period, scope=scope))) for label, period in month_periods(quarter)]
    previous = []
    for years_back in range(1, YEARS_BEFORE + 1):
        code = quarter - 10 * years_back
        previous.append((quarter_label(code), headline(training_counts(session, _quarter(code), scope=scope)) if code // 10 >= FIRST_YEAR else None))
    types = [(group, headline([r for r in rows if r.type_group == group])) for group in GROUP_ORDER]
    return QuarterlyReport(scope, quarter, headline(rows), months, previous, _by_module(session, rows, scope, quarter), types, covers,
                           today if today <= quarter_bounds(quarter)[1] else None)


def shown(value: int | None, small_numbers: bool) -> int | str | None:
    """A count as a shared report prints it: when small numbers are hidden, 1 to 4 as 'fewer than 5' and the rest
    rounded to the nearest 5 (halves up), so a hidden count cannot be got back by subtraction."""
    if not small_numbers or value is None or value == 0:
        return value
    if value < SMALL_NUMBER_LIMIT:
        return FEWER_THAN_5
    return (value + 2) // 5 * 5


def _figures(figures: Headline, small_numbers: bool) -> tuple:
    values = (figures.elearning_sessions, figures.elearning_people, figures.face_to_face_sessions, figures.face_to_face_people,
              figures.sessions, figures.people)
    return tuple(shown(v, small_numbers) for v in values)


def _status_shown(line: ModuleLine, small_numbers: bool) -> str:
    """The status, unless it would tell a hidden count (on track against 4 expected with 'fewer than 5' delivered is 4)."""
    if small_numbers and 0 < line.year_to_date < SMALL_NUMBER_LIMIT:
        return ""
    return line.status or ""


def report_tables(report: QuarterlyReport, small_numbers: bool = False) -> list[Table]:
    """The report as tables, in the order every format shows them; with `small_numbers`, counts of 1 to 4 read
    'fewer than 5' (targets and expected numbers are plans, not counts, and are always shown)."""
    label = quarter_label(report.quarter)
    months = [(name, *_figures(f, small_numbers)) for name, f in report.months]
    months.append((f"{label} total", *_figures(report.total, small_numbers)))
    years = [(label, *_figures(report.total, small_numbers))]
    years += [(name, *(_figures(f, small_numbers) if f is not None else ("",) * len(FIGURE_COLUMNS))) for name, f in report.previous_years]
    modules = [(line.module, *_figures(line.figures, small_numbers), shown(line.year_to_date, small_numbers),
                line.target if line.target is not None else "", line.expected if line.expected is not None else "",
                _status_shown(line, small_numbers)) for line in report.modules]
    types = [(group, *_figures(f, small_numbers)) for group, f in report.types]
    return [
        Table("quarter-months", f"{label} by month", ("Month", *FIGURE_COLUMNS), months),
        Table("quarter-years", f"{label} and the same quarter in the two years before", ("Quarter", *FIGURE_COLUMNS), years),
        Table("quarter-modules", f"{label} by module, against the year's target",
              ("Module", *FIGURE_COLUMNS, "Sessions this year to date", "Target for the year", "Expected by the quarter's end", "Status"), modules),
        Table("quarter-types", f"{label} by organisation type", ("Organisation type", *FIGURE_COLUMNS), types),
    ]


def report_about(report: QuarterlyReport) -> list[str]:
    """What a reader needs before the figures: whose they are, whether the quarter is over, what is counted."""
    about = []
    if report.covers:
        about.append(f"{report.scope.label} covers {' and '.join(report.covers)}: its figures and targets are theirs added together.")
    elif report.scope.area_ids:
        about.append(partner_agencies_note(report.scope))
    if report.unfinished_on is not None:
        about.append(f"{quarter_label(report.quarter)} is not over: these are its figures up to {govuk_date(report.unfinished_on)}, "
                     "and a status of Behind may still change.")
    return [*about, DEFINITIONS_NOTE]


def report_notes(report: QuarterlyReport, small_numbers: bool) -> list[str]:
    """The sentences every format prints: what the figures are, the target rule, and the small-numbers note when it applies."""
    return [*report_about(report), RULE_TEXT] + ([SMALL_NUMBERS_NOTE] if small_numbers else [])


def report_key(report: QuarterlyReport) -> str:
    """'2025-26-Q3': the quarter as links and file names carry it."""
    return quarter_key(report.quarter)
