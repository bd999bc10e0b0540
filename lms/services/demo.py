"""Demo partnerships, organisations and logins, created once: running it again changes nothing."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authoring.demo_values import DEMO_PARTNERSHIPS
from lms.db import write_transaction
from lms.models import (
    Assignment,
    Channel,
    Completion,
    Department,
    EmailDomain,
    JoinCode,
    JointGroup,
    Module,
    ModuleVersion,
    Organisation,
    OrganisationType,
    Partnership,
    ReportTarget,
    Role,
    SessionAudience,
    TrainingSession,
    User,
    utcnow,
)
from lms.services.accounts import create_user, unusable_password
from lms.services.completions import new_verification_code
from lms.services.localities import attendance_area, locality_of
from lms.services.periods import fy_quarter, uk_date

DEMO_PASSWORD = "safer-learning-demo"  # noqa: S105 - printed for the demo; never used outside it

MEMBERS = {
    "safer-york": [
        ("city-of-york-council", "City of York Council", OrganisationType.LOCAL_AUTHORITY),
        ("york-voluntary", "York Voluntary Support (demo)", OrganisationType.VOLUNTARY),
        ("york-probation", "York Probation Delivery Unit (demo)", OrganisationType.PROBATION),
        ("york-bid", "York Business Improvement District (demo business)", OrganisationType.BUSINESS),
    ],
    "north-yorkshire": [
        ("north-yorkshire-council", "North Yorkshire Council", OrganisationType.LOCAL_AUTHORITY),
        ("north-yorkshire-police", "North Yorkshire Police", OrganisationType.POLICE),
        ("ny-probation", "North Yorkshire Probation (demo)", OrganisationType.PROBATION),
        ("ny-fire", "North Yorkshire Fire and Rescue", OrganisationType.FIRE),
        ("ny-health", "Humber and North Yorkshire Health (demo)", OrganisationType.HEALTH),
        ("harrogate-traders", "Harrogate Traders (demo business)", OrganisationType.BUSINESS),
        ("ny-community-action", "North Yorkshire Community Action (demo)", OrganisationType.VOLUNTARY),
    ],
    "city-of-london": [
        ("city-of-london-corporation", "City of London Corporation", OrganisationType.LOCAL_AUTHORITY),
        ("city-of-london-police", "City of London Police", OrganisationType.POLICE),
        ("london-fire", "London Fire Brigade (demo)", OrganisationType.FIRE),
        ("cheapside-traders", "Cheapside Traders (demo business)", OrganisationType.BUSINESS),
        ("leadenhall-market", "Leadenhall Market Traders (demo business)", OrganisationType.BUSINESS),
        ("city-health", "City Health Services (demo)", OrganisationType.HEALTH),
        ("city-volunteers", "City Volunteers (demo)", OrganisationType.VOLUNTARY),
    ],
}
# Bodies whose home is North Yorkshire and which serve Safer York too: their staff count where they work.
ALSO_SERVES = {"north-yorkshire-police": "safer-york", "ny-fire": "safer-york", "ny-health": "safer-york"}
# Their departments, each in one partnership's area.
DISTRICTS = [("York district", "safer-york"), ("Harrogate district", "north-yorkshire"), ("Scarborough district", "north-yorkshire")]
JOINT_GROUP = ("york-and-north-yorkshire-hate-crime", "York and North Yorkshire hate crime and community cohesion group",
               ("safer-york", "north-yorkshire"))
# slug -> (name, placeholder values, organisations); names and values live in authoring.demo_values
PARTNERSHIPS = {slug: (name, values, MEMBERS[slug]) for slug, (name, values) in DEMO_PARTNERSHIPS.items()}

LOGINS = [
    ("learner@york.example", "Alex Learner", "city-of-york-council", Role.LEARNER),
    ("trainer@york.example", "Sam Trainer", "city-of-york-council", Role.TRAINER),
    ("orgadmin@york.example", "Priya Admin", "city-of-york-council", Role.ORG_ADMIN),
    ("lead@york.example", "Jordan Lead", "city-of-york-council", Role.PARTNERSHIP_LEAD),
    ("lead@northyorkshire.example", "Morgan Lead", "north-yorkshire-council", Role.PARTNERSHIP_LEAD),
    ("jointlead@yorkshire.example", "Robin Joint Lead", "north-yorkshire-council", Role.PARTNERSHIP_LEAD),
    ("learner@cityoflondon.example", "Chris Learner", "cheapside-traders", Role.LEARNER),
    ("admin@saferlearning.example", "Site Admin", "city-of-york-council", Role.SITE_ADMIN),
]


@dataclass
class DemoLogin:
    email: str
    role: str
    organisation: str


DEMO_ADMIN = next(email for email, _name, _org, role in LOGINS if role is Role.SITE_ADMIN)
JOINT_LEAD = "jointlead@yorkshire.example"  # leads the joint group, so reports on both Yorkshire partnerships


def live_site_people(session: Session) -> int:
    """How many people a database holds that is not a demo site (0: empty, or the demo's own).

    The demo adds a site administrator whose password is printed and published, and public join
    codes: on a live site's database that would be a way in for anyone. A database the demo made
    holds its site administrator; one with people but without it is someone's real site.
    """
    if session.scalar(select(User.id).where(User.email == DEMO_ADMIN)) is not None:
        return 0
    return session.scalar(select(func.count(User.id))) or 0


def seed_demo(session: Session) -> list[DemoLogin]:
    """Create whatever part of the demo data is missing, and list the demo logins."""
    with write_transaction(session):
        organisations = {}
        for slug, (name, settings, members) in PARTNERSHIPS.items():
            partnership = session.scalar(select(Partnership).where(Partnership.slug == slug))
            if partnership is None:
                partnership = Partnership(slug=slug, name=name, settings=settings)
                session.add(partnership)
                session.flush()
            for org_slug, org_name, org_type in members:
                organisation = session.scalar(select(Organisation).where(Organisation.slug == org_slug))
                if organisation is None:
                    organisation = Organisation(slug=org_slug, name=org_name, type=org_type, partnership_id=partnership.id)
                    session.add(organisation)
                    session.flush()
                organisations[org_slug] = organisation
        _serve_both_yorkshire_areas(session, organisations)
        for email, full_name, org_slug, role in LOGINS:
            if session.scalar(select(User.id).where(User.email == email)) is None:
                create_user(session, email, full_name, DEMO_PASSWORD, organisations[org_slug], role, confirmed=True)
        _joint_group(session)
    seed_demo_activity(session, organisations)
    return [DemoLogin(email, role.value, organisations[org].name + (f" (leads the {JOINT_GROUP[1]})" if email == JOINT_LEAD else ""))
            for email, _name, org, role in LOGINS]


def _serve_both_yorkshire_areas(session: Session, organisations: dict[str, Organisation]) -> None:
    """North Yorkshire's police, fire service and health body also serve Safer York, with a department per district."""
    partnerships = {p.slug: p for p in session.scalars(select(Partnership))}
    for org_slug, other in ALSO_SERVES.items():
        organisation = organisations[org_slug]
        if partnerships[other] not in organisation.other_partnerships:
            organisation.other_partnerships.append(partnerships[other])
        named = {d.name for d in organisation.departments}
        for name, area in DISTRICTS:
            if name not in named:
                session.add(Department(organisation=organisation, name=name, locality_id=partnerships[area].id))
    session.flush()


def _joint_group(session: Session) -> None:
    """The two Yorkshire partnerships' joint coordination group, led by the joint lead login."""
    slug, name, members = JOINT_GROUP
    group = session.scalar(select(JointGroup).where(JointGroup.slug == slug))
    if group is None:
        group = JointGroup(slug=slug, name=name, partnerships=list(session.scalars(select(Partnership).where(Partnership.slug.in_(members)))))
        session.add(group)
        session.flush()
    lead = session.scalar(select(User).where(User.email == JOINT_LEAD))
    if lead.joint_group_id != group.id:
        lead.joint_group_id = group.id


# Reporting demo: staff, completions over recent quarters, face-to-face sessions, join codes, a claimed
# domain and assignments, so the dashboard has something to show. Every part is created only once.
JOIN_CODES = {"safer-york": ("city-of-york-council", "YORK-DEMO-2026"), "north-yorkshire": ("north-yorkshire-council", "NYORKS-DEMO-2026"),
              "city-of-london": ("city-of-london-corporation", "CITY-DEMO-2026")}
DEMO_DOMAIN = ("city-of-york-council", "york.example")
STAFF_PER_ORGANISATION = 8
DEMO_QUARTERS = 9  # so the quarterly report has the same quarter two years back
ASSIGNED = [("hate-crime", True, 90), ("prevent-awareness", True, 180), ("domestic-abuse-risk", False, None)]
VENUES = ["Council chamber", "Community centre", "Fire station training room", "Library meeting room", "Guildhall"]


def seed_demo_activity(session: Session, organisations: dict[str, Organisation]) -> None:
    """Demo staff with completions, face-to-face sessions, join codes, a domain and assignments (needs published modules)."""
    modules = session.scalars(select(Module).where(Module.current_version_id.is_not(None)).order_by(Module.slug)).all()
    if not modules:
        return
    today = uk_date(utcnow())
    rng = random.Random(2026)  # the same demo every time
    with write_transaction(session):
        for org_slug, organisation in organisations.items():
            _demo_staff(session, org_slug, organisation, modules, rng, today)
        for partnership_slug, (org_slug, code) in JOIN_CODES.items():
            if partnership_slug in PARTNERSHIPS and session.scalar(select(JoinCode.id).where(JoinCode.code == code)) is None:
                session.add(JoinCode(organisation_id=organisations[org_slug].id, code=code))
        org_slug, domain = DEMO_DOMAIN
        if session.scalar(select(EmailDomain.id).where(EmailDomain.domain == domain)) is None:
            session.add(EmailDomain(organisation_id=organisations[org_slug].id, domain=domain, status="approved"))
        by_slug = {m.slug: m for m in modules}
        for organisation in organisations.values():
            for module_slug, mandatory, due_days in ASSIGNED:
                module = by_slug.get(module_slug)
                if module is None or session.scalar(select(Assignment.id).where(
                        Assignment.module_id == module.id, Assignment.organisation_id == organisation.id, Assignment.department_id.is_(None))):
                    continue
                session.add(Assignment(module_id=module.id, organisation_id=organisation.id, mandatory=mandatory,
                                       due_on=today + dt.timedelta(days=due_days) if due_days else None))
        _date_first_publication(session, modules, today - dt.timedelta(days=DEMO_QUARTERS * 91 + 7))
        _demo_sessions(session, organisations, modules, rng, today)
        _demo_targets(session, organisations, modules, today)


def _date_first_publication(session: Session, modules: list[Module], since: dt.date) -> None:
    """Demo modules count as published before the demo's oldest activity, so its sessions pass the date rule."""
    moment = dt.datetime.combine(since, dt.time(9))
    for module in modules:
        first = session.scalar(select(ModuleVersion).where(ModuleVersion.module_id == module.id).order_by(ModuleVersion.published_at).limit(1))
        if first is not None and first.published_at > moment:
            first.published_at = moment


def _staff_place(organisation: Organisation, number: int) -> tuple[Department | None, int | None]:
    """Where a member of staff of a body serving both Yorkshire areas works: a district department for most,
    none for some (they count for the home partnership), and every fifth has their own locality that overrides it."""
    if not organisation.other_partnerships:
        return None, None
    departments = sorted(organisation.departments, key=lambda d: d.name)
    department = departments[number % (len(departments) + 1)] if number % (len(departments) + 1) < len(departments) else None
    areas = [organisation.partnership_id, *(p.id for p in organisation.other_partnerships)]
    return department, (areas[number // 5 % len(areas)] if number % 5 == 0 else None)


def _demo_staff(session: Session, org_slug: str, organisation: Organisation, modules: list[Module], rng: random.Random,
                today: dt.date) -> None:
    """Staff who cannot sign in (an unusable password) and their e-learning passes over recent quarters, each
    counting for the partnership the person works in (lms.services.localities.locality_of)."""
    staff = STAFF_PER_ORGANISATION * (2 if organisation.other_partnerships else 1)
    for number in range(1, staff + 1):
        email = f"staff{number}@{org_slug}.example"
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        department, locality = _staff_place(organisation, number)
        user = User(email=email, full_name=f"Demo Staff {number} ({organisation.name})", password_hash=unusable_password(), organisation=organisation,
                    department=department, locality_id=locality, email_confirmed_at=utcnow())
        session.add(user)
        session.flush()
        for module in rng.sample(modules, k=rng.randint(0, min(3, len(modules)))):
            moment = dt.datetime.combine(today - dt.timedelta(days=rng.randint(1, DEMO_QUARTERS * 91)), dt.time(rng.randint(8, 17), rng.randint(0, 59)))
            session.add(Completion(user_id=user.id, organisation_id=organisation.id, partnership_id=locality_of(user), module_id=module.id, version_id=module.current_version_id,
                                   channel=Channel.ELEARNING, sequence=1, score=rng.choice([80, 90, 100]), completed_at=moment,
                                   fy_quarter=fy_quarter(moment), verification_code=new_verification_code()))


def _demo_sessions(session: Session, organisations: dict[str, Organisation], modules: list[Module], rng: random.Random, today: dt.date) -> None:
    """Two face-to-face sessions a quarter per partnership, delivered by its council to a few of the organisations
    serving it, each audience line counting where the session was run (lms.services.localities.attendance_area)."""
    for partnership_slug, (_name, _settings, members) in PARTNERSHIPS.items():
        council = organisations[JOIN_CODES[partnership_slug][0]]
        audience_pool = [organisations[slug] for slug, _n, _t in members]
        audience_pool += [organisations[slug] for slug, area in ALSO_SERVES.items() if area == partnership_slug]
        for index in range(DEMO_QUARTERS * 2):
            delivered_on = today - dt.timedelta(days=index * 45)
            module = modules[index % len(modules)]
            venue = f"{VENUES[index % len(VENUES)]} (demo session {index + 1})"
            exists = session.scalar(select(TrainingSession.id).where(TrainingSession.delivering_organisation_id == council.id,
                                                                      TrainingSession.venue == venue, TrainingSession.module_id == module.id))
            if exists:
                continue
            audience = {o: rng.randint(4, 20) for o in rng.sample(audience_pool, k=min(3, len(audience_pool)))}
            area = council.partnership_id
            session.add(TrainingSession(module_id=module.id, delivered_on=delivered_on, fy_quarter=fy_quarter(delivered_on), venue=venue,
                                        delivering_organisation_id=council.id, attendee_count=sum(audience.values()), partnership_id=area,
                                        audience=[SessionAudience(organisation_id=o.id, attendee_count=n, partnership_id=attendance_area(o, area))
                                                  for o, n in audience.items()]))


# The Yorkshire partnerships' targets for this financial year and the last (sessions, both channels), by the module's place in
# slug order (first, middle ones, last): the first is modest, so the quarterly report shows it on track; the last
# is out of reach, so it shows behind. Both partnerships set them, so the joint group's report has their sums.
TARGETS = {"city-of-york-council": (4, 12, 200), "north-yorkshire-council": (6, 20, 100)}


def _demo_targets(session: Session, organisations: dict[str, Organisation], modules: list[Module], today: dt.date) -> None:
    """Each Yorkshire partnership's targets for this financial year and the one before, set once."""
    this_year = fy_quarter(today) // 10
    for (council, (first, middle, last)), year in itertools.product(TARGETS.items(), (this_year - 1, this_year)):
        partnership_id = organisations[council].partnership_id
        for index, module in enumerate(modules):
            sessions = first if index == 0 else last if index == len(modules) - 1 else middle
            if session.scalar(select(ReportTarget.id).where(ReportTarget.partnership_id == partnership_id, ReportTarget.module_id == module.id,
                                                            ReportTarget.financial_year == year)) is None:
                session.add(ReportTarget(partnership_id=partnership_id, module_id=module.id, financial_year=year, sessions=sessions))
