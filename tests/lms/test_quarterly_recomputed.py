"""Does every figure of the quarterly report equal the same figure worked out from the raw rows by hand?

A seeded year of data (with the two years before it) goes into the database: partnerships, bodies serving
two of them, people with and without localities and district departments, people changing locality or
organisation mid-year, e-learning passes on the UK month edges and the clock changes, face-to-face sessions
run for an area, a withdrawn one, rows from an older release with no partnership stamp, and targets. Each
figure is then computed here in plain Python from those rows, by the definitions in docs/reporting.md, with
the UK date taken by zoneinfo here: nothing from lms.services.reports or lms.services.periods is used for it.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest

from lms.models import (
    Channel,
    Completion,
    Department,
    JointGroup,
    Module,
    Organisation,
    OrganisationType,
    Partnership,
    ReportTarget,
    Role,
    SessionAudience,
    TrainingSession,
    User,
)
from lms.permissions import report_scope
from lms.services import periods
from lms.services.reports.quarterly import quarterly_report

LONDON_TIME, UTC = ZoneInfo("Europe/London"), dt.UTC
YEAR = 2025  # the financial year reported on: April 2025 to March 2026
FIRST_DAY, LAST_DAY = dt.date(YEAR - 2, 4, 1), dt.date(YEAR + 1, 4, 30)  # two years back, and a month past the end
GROUPS = {"local_authority": "Local authority", "police": "Other statutory partners", "fire": "Other statutory partners",
          "probation": "Other statutory partners", "health": "Other statutory partners", "business": "Businesses",
          "voluntary_sector": "Voluntary sector"}
GROUP_ORDER = ("Local authority", "Other statutory partners", "Businesses", "Voluntary sector")
# name: (home, also serves, type)
BODIES = {
    "York Council": ("york", (), "local_authority"), "York Voluntary": ("york", (), "voluntary_sector"),
    "York Traders": ("york", (), "business"), "North Yorkshire Council": ("north", (), "local_authority"),
    "North Yorkshire Police": ("north", ("york",), "police"), "Health Trust": ("north", ("york",), "health"),
    "London Council": ("london", (), "local_authority"), "National Charity": ("london", ("york",), "voluntary_sector"),
    "Hull Fire": ("hull", (), "fire"),
}
TARGETS = {("york", 0): 40, ("north", 0): 30, ("york", 1): 500, ("york", 2): 6, ("north", 2): 2, ("london", 1): 9}


# --- the raw rows, as plain values ----------------------------------------------------------------------

@dataclass
class Person:
    """A person whose organisation, department and own locality may change once, on `changes_on` (UTC)."""

    organisation: str
    department: str | None
    locality: str | None
    changes_on: dt.datetime | None = None
    later: tuple[str, str | None, str | None] | None = None  # organisation, department, locality from then on

    def at(self, moment: dt.datetime) -> tuple[str, str | None, str | None]:
        if self.changes_on is not None and moment >= self.changes_on and self.later is not None:
            return self.later
        return self.organisation, self.department, self.locality


@dataclass
class World:
    people: list[Person] = field(default_factory=list)
    passes: list[dict] = field(default_factory=list)  # organisation, area (None: an older release's row), person, module, moment, channel
    sessions: list[dict] = field(default_factory=list)  # module, day, withdrawn, lines: [(organisation, area or None, attendees)]


DEPARTMENTS = {("North Yorkshire Police", "York district"): "york", ("North Yorkshire Police", "Harrogate district"): "north",
               ("North Yorkshire Police", "Headquarters"): None, ("Health Trust", "York hospital"): "york",
               ("Health Trust", "Scarborough hospital"): "north", ("National Charity", "York office"): "york"}


def served(organisation: str) -> tuple[str, ...]:
    home, also, _type = BODIES[organisation]
    return (home, *also)


def area(organisation: str, department: str | None, locality: str | None) -> str:
    """Where a person counts (docs/reporting.md): their own locality, else their department's, if the body serves it; else its home."""
    for chosen in (locality, DEPARTMENTS.get((organisation, department)) if department else None):
        if chosen is not None and chosen in served(organisation):
            return chosen
    return BODIES[organisation][0]


def edge_moments() -> list[dt.datetime]:
    """Naive-UTC moments just before and after each UK month begins, and either side of each clock change."""
    moments, day = [], FIRST_DAY
    while day <= LAST_DAY:
        for local in (dt.datetime.combine(day, dt.time(0, 30)), dt.datetime.combine(day, dt.time(0, 0)),
                      dt.datetime.combine(day - dt.timedelta(days=1), dt.time(23, 59))):
            moments.append(local.replace(tzinfo=LONDON_TIME).astimezone(UTC).replace(tzinfo=None))
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    for change in (dt.date(2023, 10, 29), dt.date(2024, 3, 31), dt.date(2024, 10, 27), dt.date(2025, 3, 30), dt.date(2025, 10, 26),
                   dt.date(2026, 3, 29)):
        moments += [dt.datetime.combine(change, dt.time(hour, 30)) for hour in (0, 1, 2)]
        moments += [dt.datetime.combine(change - dt.timedelta(days=1), dt.time(23, 30))]
    return moments


def generate(rng: random.Random, modules: int) -> World:
    """A seeded set of people, passes and sessions over the three years."""
    world = World()
    span = (dt.datetime.combine(LAST_DAY, dt.time()) - dt.datetime.combine(FIRST_DAY, dt.time())).total_seconds()
    for _ in range(90):
        organisation = rng.choice(list(BODIES))
        departments = [d for o, d in DEPARTMENTS if o == organisation]
        person = Person(organisation, rng.choice([None, *departments]) if departments else None,
                        rng.choice([None, None, "york", "north", "london"]))
        if rng.random() < 0.2:  # moves mid-year: earlier passes keep their area
            moved_to = organisation if rng.random() < 0.7 else rng.choice(list(BODIES))
            later_departments = [d for o, d in DEPARTMENTS if o == moved_to]
            person.changes_on = dt.datetime(YEAR, rng.randint(5, 12), rng.randint(1, 28), rng.randint(0, 23))
            person.later = (moved_to, rng.choice([None, *later_departments]) if later_departments else None, rng.choice([None, "york", "north"]))
        world.people.append(person)
    moments = edge_moments() + [dt.datetime.combine(FIRST_DAY, dt.time()) + dt.timedelta(seconds=rng.randrange(int(span)))
                                for _ in range(2500)]
    for moment in moments:
        number = rng.randrange(len(world.people))
        organisation, department, locality = world.people[number].at(moment)
        stamp = None if rng.random() < 0.03 else area(organisation, department, locality)  # a few rows from an older release
        channel = Channel.FACE_TO_FACE if rng.random() < 0.05 else Channel.ELEARNING  # named attendees' passes never count again
        world.passes.append({"organisation": organisation, "area": stamp, "person": number, "module": rng.randrange(modules), "moment": moment,
                             "channel": channel})
    for number in range(160):
        day = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
        run_for = rng.choice(["york", "north", "london", "hull"])
        audience = rng.sample(list(BODIES), k=rng.randint(1, 4))
        lines = [(o, None if rng.random() < 0.05 else (run_for if run_for in served(o) else BODIES[o][0]), rng.randint(1, 40)) for o in audience]
        world.sessions.append({"module": rng.randrange(modules), "day": day, "withdrawn": number % 23 == 0, "lines": lines, "area": run_for})
    return world


# --- the rows into the database ----------------------------------------------------------------------------

def quarter_of(day: dt.date) -> int:
    start = day.year if day.month >= 4 else day.year - 1
    return start * 10 + (day.month - 4) % 12 // 3 + 1


def uk_day(moment: dt.datetime) -> dt.date:
    return moment.replace(tzinfo=UTC).astimezone(LONDON_TIME).date()


def store(session, world: World) -> dict:
    """Write the world's rows; returns the ids the report uses, by name."""
    partnerships = {slug: Partnership(slug=f"p-{slug}", name=slug.title()) for slug in ("york", "north", "london", "hull")}
    session.add_all(partnerships.values())
    session.flush()
    ids = {"partnership": {s: p.id for s, p in partnerships.items()}}
    organisations = {}
    for name, (home, also, kind) in BODIES.items():
        organisations[name] = Organisation(slug=name.lower().replace(" ", "-"), name=name, type=OrganisationType(kind),
                                           partnership_id=partnerships[home].id, other_partnerships=[partnerships[a] for a in also])
    session.add_all(organisations.values())
    session.flush()
    departments = {(o, d): Department(organisation_id=organisations[o].id, name=d, locality_id=partnerships[a].id if a else None)
                   for (o, d), a in DEPARTMENTS.items()}
    session.add_all(departments.values())
    modules = [Module(slug=f"module-{n}", title=title) for n, title in enumerate(("Prevent", "Hate crime", "Domestic abuse", "County lines"))]
    session.add_all(modules)
    session.flush()
    users = []
    for number, person in enumerate(world.people):
        organisation, department, locality = person.later or person.at(dt.datetime.min)  # as they are today
        users.append(User(email=f"person{number}@example.org", full_name=f"Person {number}", password_hash="!",
                          organisation_id=organisations[organisation].id, department_id=departments[(organisation, department)].id if department else None,
                          locality_id=partnerships[locality].id if locality else None))
    session.add_all(users)
    session.flush()
    _store_passes(session, world, users, organisations, partnerships, modules)
    _store_sessions(session, world, organisations, partnerships, modules)
    for (slug, module), sessions in TARGETS.items():
        session.add(ReportTarget(partnership_id=partnerships[slug].id, module_id=modules[module].id, financial_year=YEAR, sessions=sessions))
    session.flush()
    return {**ids, "organisation": {n: o.id for n, o in organisations.items()}, "module": [(m.title, m.slug) for m in modules]}


def _store_passes(session, world: World, users, organisations, partnerships, modules) -> None:
    sequences: dict[tuple[int, int], int] = defaultdict(int)
    for row in world.passes:
        sequences[(row["person"], row["module"])] += 1
        assert quarter_of(uk_day(row["moment"])) == periods.fy_quarter(row["moment"]), "the quarter rule written here differs from the app's"
        session.add(Completion(user_id=users[row["person"]].id, organisation_id=organisations[row["organisation"]].id,
                               partnership_id=partnerships[row["area"]].id if row["area"] else None, module_id=modules[row["module"]].id,
                               channel=row["channel"], sequence=sequences[(row["person"], row["module"])], score=90,
                               completed_at=row["moment"], fy_quarter=quarter_of(uk_day(row["moment"]))))


def _store_sessions(session, world: World, organisations, partnerships, modules) -> None:
    for row in world.sessions:
        session.add(TrainingSession(
            module_id=modules[row["module"]].id, delivered_on=row["day"], fy_quarter=quarter_of(row["day"]), venue="Hall",
            delivering_organisation_id=organisations[row["lines"][0][0]].id, partnership_id=partnerships[row["area"]].id,
            attendee_count=sum(n for _o, _a, n in row["lines"]), withdrawn_at=dt.datetime(YEAR, 6, 1) if row["withdrawn"] else None,
            withdrawal_reason="Recorded twice" if row["withdrawn"] else "",
            audience=[SessionAudience(organisation_id=organisations[o].id, partnership_id=partnerships[a].id if a else None, attendee_count=n)
                      for o, a, n in row["lines"]]))
    session.flush()


# --- the figures, by hand ------------------------------------------------------------------------------------

def counts_for(stamp: str | None, organisation: str, areas: set[str]) -> bool:
    """A row counts for the areas when stamped with one of them; an unstamped row counts for its organisation's home."""
    if organisation not in {o for o in BODIES if set(served(o)) & areas}:
        return False
    return stamp in areas if stamp is not None else BODIES[organisation][0] in areas


def figures(world: World, areas: set[str], days: tuple[dt.date, dt.date], module: int | None = None,
            group: str | None = None) -> tuple[int, int, int, int]:
    """(e-learning sessions, e-learning people, face-to-face sessions, face-to-face people) for UK days first..last inclusive."""
    first, last = days
    people: dict[tuple[str, int], set[int]] = defaultdict(set)
    e_sessions = f_sessions = f_people = 0
    for row in world.passes:
        if (row["channel"] is Channel.ELEARNING and first <= uk_day(row["moment"]) <= last and counts_for(row["area"], row["organisation"], areas)
                and module in (None, row["module"]) and group in (None, GROUPS[BODIES[row["organisation"]][2]])):
            e_sessions += 1
            people[(row["organisation"], row["module"])].add(row["person"])
    for row in world.sessions:
        if row["withdrawn"] or not first <= row["day"] <= last or module not in (None, row["module"]):
            continue
        for organisation, stamp, attendees in row["lines"]:
            if counts_for(stamp, organisation, areas) and group in (None, GROUPS[BODIES[organisation][2]]):
                f_sessions, f_people = f_sessions + 1, f_people + attendees
    return e_sessions, sum(len(p) for p in people.values()), f_sessions, f_people


def quarter_days(code: int) -> tuple[dt.date, dt.date]:
    year, quarter = divmod(code, 10)
    month = 4 + (quarter - 1) * 3
    first = dt.date(year + (month > 12), (month - 1) % 12 + 1, 1)
    after = dt.date(first.year + (first.month + 3 > 12), (first.month + 2) % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


def month_days(first: dt.date) -> tuple[dt.date, dt.date]:
    after = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


def expected_report(world: World, areas: set[str], code: int, module_names: list[tuple[str, str]]) -> dict:
    """Every figure of the quarterly report for the areas and quarter, from the rows."""
    first, last = quarter_days(code)
    months, start = [], first
    while start <= last:
        months.append((f"{start:%B %Y}", figures(world, areas, month_days(start))))
        start = month_days(start)[1] + dt.timedelta(days=1)
    previous = [(f"Q{code % 10} {code // 10 - back}/{(code // 10 - back + 1) % 100:02d}", figures(world, areas, quarter_days(code - 10 * back)))
                for back in (1, 2)]
    year_start = quarter_days(code // 10 * 10 + 1)[0]
    lines = []
    for index, (title, slug) in sorted(enumerate(module_names), key=lambda item: item[1]):
        so_far = figures(world, areas, (year_start, last), module=index)
        wanted = [TARGETS.get((a, index)) for a in areas]
        target = sum(wanted) if None not in wanted else None
        if sum(so_far) == 0 and target is None:
            continue
        ytd = so_far[0] + so_far[2]
        expected = math.ceil(target * (code % 10) / 4) if target is not None else None
        lines.append((title, slug, figures(world, areas, (first, last), module=index), ytd, target, expected,
                      None if target is None else "On track" if ytd >= expected else "Behind"))
    return {"total": figures(world, areas, (first, last)), "months": months, "previous": previous, "modules": lines,
            "types": [(g, figures(world, areas, (first, last), group=g)) for g in GROUP_ORDER]}


def as_plain(report) -> dict:
    """The report's figures as the same plain values."""
    def four(h):
        return None if h is None else (h.elearning_sessions, h.elearning_people, h.face_to_face_sessions, h.face_to_face_people)
    return {"total": four(report.total), "months": [(label, four(h)) for label, h in report.months],
            "previous": [(label, four(h)) for label, h in report.previous_years],
            "modules": [(m.module, m.module_slug, four(m.figures), m.year_to_date, m.target, m.expected, m.status) for m in report.modules],
            "types": [(g, four(h)) for g, h in report.types]}


# --- the tests -----------------------------------------------------------------------------------------------

@pytest.fixture
def world(session):
    generated = generate(random.Random(20), modules=4)
    ids = store(session, generated)
    group = JointGroup(slug="joint", name="York and North Yorkshire joint group",
                       partnerships=[session.get(Partnership, ids["partnership"][s]) for s in ("york", "north")])
    session.add(group)
    session.flush()
    council = session.get(Organisation, ids["organisation"]["York Council"])
    leads = {"york": User(email="lead@york.example", full_name="York Lead", password_hash="!", organisation_id=council.id,
                          role=Role.PARTNERSHIP_LEAD),
             "joint": User(email="joint@york.example", full_name="Joint Lead", password_hash="!", organisation_id=council.id,
                           role=Role.PARTNERSHIP_LEAD, joint_group_id=group.id)}
    session.add_all(leads.values())
    session.commit()
    return generated, ids, leads


@pytest.mark.parametrize(("lead", "areas"), [("york", {"york"}), ("joint", {"york", "north"})])
def test_does_every_figure_of_the_quarterly_report_equal_the_figure_worked_out_from_the_rows(session, world, lead, areas):
    generated, ids, leads = world
    scope = report_scope(leads[lead])
    assert set(scope.area_ids) == {ids["partnership"][a] for a in areas}
    for quarter in range(1, 5):
        code = YEAR * 10 + quarter
        expected = expected_report(generated, areas, code, ids["module"])
        assert as_plain(quarterly_report(session, scope, code)) == expected, f"{lead}, Q{quarter} {YEAR}/{(YEAR + 1) % 100}"


def test_is_the_generated_year_varied_enough_to_test_the_report(world):
    """The edges the comparison above relies on are really in the data."""
    generated, ids, _leads = world
    york = expected_report(generated, {"york"}, YEAR * 10 + 3, ids["module"])
    assert all(value > 0 for value in york["total"]) and all(f[0] and f[2] for _m, f in york["months"])
    assert {line[6] for line in york["modules"]} >= {"On track", "Behind"}
    stamps = {(row["organisation"], row["area"]) for row in generated.passes}
    assert {("North Yorkshire Police", "york"), ("North Yorkshire Police", "north"), ("National Charity", "york")} <= stamps
    assert any(row["area"] is None for row in generated.passes) and any(a is None for s in generated.sessions for _o, a, _n in s["lines"])
    assert any(p.changes_on for p in generated.people) and any(s["withdrawn"] for s in generated.sessions)
    assert sum(1 for row in generated.passes if uk_day(row["moment"]) != row["moment"].date()) > 30  # BST evenings on the next UK day
