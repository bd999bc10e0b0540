"""Demo partnerships, organisations and logins, created once: running it again changes nothing."""

from __future__ import annotations

import datetime as dt
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
    EmailDomain,
    JoinCode,
    Module,
    ModuleVersion,
    Organisation,
    OrganisationType,
    Partnership,
    Role,
    SessionAudience,
    TrainingSession,
    User,
    utcnow,
)
from lms.services.accounts import create_user, unusable_password
from lms.services.completions import new_verification_code
from lms.services.localities import locality_of
from lms.services.periods import fy_quarter, uk_date

DEMO_PASSWORD = "safer-learning-demo"  # noqa: S105 - printed for the demo; never used outside it

MEMBERS = {
    "safer-york": [
        ("city-of-york-council", "City of York Council", OrganisationType.LOCAL_AUTHORITY),
        ("york-fire", "York Fire and Rescue (demo)", OrganisationType.FIRE),
        ("york-health", "York Community Health (demo)", OrganisationType.HEALTH),
        ("york-voluntary", "York Voluntary Support (demo)", OrganisationType.VOLUNTARY),
        ("york-probation", "York Probation Delivery Unit (demo)", OrganisationType.PROBATION),
        ("york-bid", "York Business Improvement District (demo business)", OrganisationType.BUSINESS),
    ],
    "north-yorkshire": [
        ("north-yorkshire-council", "North Yorkshire Council", OrganisationType.LOCAL_AUTHORITY),
        ("north-yorkshire-police", "North Yorkshire Police", OrganisationType.POLICE),
        ("ny-probation", "North Yorkshire Probation (demo)", OrganisationType.PROBATION),
        ("ny-fire", "North Yorkshire Fire and Rescue (demo)", OrganisationType.FIRE),
        ("ny-health", "North Yorkshire Health Partnership (demo)", OrganisationType.HEALTH),
        ("harrogate-traders", "Harrogate Traders (demo business)", OrganisationType.BUSINESS),
        ("ny-community-action", "North Yorkshire Community Action (demo)", OrganisationType.VOLUNTARY),
    ],
    "city-of-london": [
        ("city-of-london-corporation", "City of London Corporation", OrganisationType.LOCAL_AUTHORITY),
        ("city-of-london-police", "City of London Police", OrganisationType.POLICE),
        ("cheapside-traders", "Cheapside Traders (demo business)", OrganisationType.BUSINESS),
        ("leadenhall-market", "Leadenhall Market Traders (demo business)", OrganisationType.BUSINESS),
        ("city-health", "City Health Services (demo)", OrganisationType.HEALTH),
        ("city-volunteers", "City Volunteers (demo)", OrganisationType.VOLUNTARY),
    ],
}
# slug -> (name, placeholder values, organisations); names and values live in authoring.demo_values
PARTNERSHIPS = {slug: (name, values, MEMBERS[slug]) for slug, (name, values) in DEMO_PARTNERSHIPS.items()}

LOGINS = [
    ("learner@york.example", "Alex Learner", "city-of-york-council", Role.LEARNER),
    ("trainer@york.example", "Sam Trainer", "city-of-york-council", Role.TRAINER),
    ("orgadmin@york.example", "Priya Admin", "city-of-york-council", Role.ORG_ADMIN),
    ("lead@york.example", "Jordan Lead", "city-of-york-council", Role.PARTNERSHIP_LEAD),
    ("learner@cityoflondon.example", "Chris Learner", "cheapside-traders", Role.LEARNER),
    ("admin@saferlearning.example", "Site Admin", "city-of-york-council", Role.SITE_ADMIN),
]


@dataclass
class DemoLogin:
    email: str
    role: str
    organisation: str


DEMO_ADMIN = next(email for email, _name, _org, role in LOGINS if role is Role.SITE_ADMIN)


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
        for email, full_name, org_slug, role in LOGINS:
            if session.scalar(select(User.id).where(User.email == email)) is None:
                create_user(session, email, full_name, DEMO_PASSWORD, organisations[org_slug], role, confirmed=True)
    seed_demo_activity(session, organisations)
    return [DemoLogin(email, role.value, organisations[org].name) for email, _name, org, role in LOGINS]


# Reporting demo: staff, completions over recent quarters, face-to-face sessions, join codes, a claimed
# domain and assignments, so the dashboard has something to show. Every part is created only once.
JOIN_CODES = {"safer-york": ("city-of-york-council", "YORK-DEMO-2026"), "north-yorkshire": ("north-yorkshire-council", "NYORKS-DEMO-2026"),
              "city-of-london": ("city-of-london-corporation", "CITY-DEMO-2026")}
DEMO_DOMAIN = ("city-of-york-council", "york.example")
STAFF_PER_ORGANISATION = 8
DEMO_QUARTERS = 6
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


def _date_first_publication(session: Session, modules: list[Module], since: dt.date) -> None:
    """Demo modules count as published before the demo's oldest activity, so its sessions pass the date rule."""
    moment = dt.datetime.combine(since, dt.time(9))
    for module in modules:
        first = session.scalar(select(ModuleVersion).where(ModuleVersion.module_id == module.id).order_by(ModuleVersion.published_at).limit(1))
        if first is not None and first.published_at > moment:
            first.published_at = moment


def _demo_staff(session: Session, org_slug: str, organisation: Organisation, modules: list[Module], rng: random.Random,
                today: dt.date) -> None:
    """Staff who cannot sign in (an unusable password) and their e-learning passes over recent quarters."""
    for number in range(1, STAFF_PER_ORGANISATION + 1):
        email = f"staff{number}@{org_slug}.example"
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        user = User(email=email, full_name=f"Demo Staff {number} ({organisation.name})", password_hash=unusable_password(), organisation_id=organisation.id,
                    email_confirmed_at=utcnow())
        session.add(user)
        session.flush()
        for module in rng.sample(modules, k=rng.randint(0, min(3, len(modules)))):
            moment = dt.datetime.combine(today - dt.timedelta(days=rng.randint(1, DEMO_QUARTERS * 91)), dt.time(rng.randint(8, 17), rng.randint(0, 59)))
            session.add(Completion(user_id=user.id, organisation_id=organisation.id, partnership_id=locality_of(user), module_id=module.id, version_id=module.current_version_id,
                                   channel=Channel.ELEARNING, sequence=1, score=rng.choice([80, 90, 100]), completed_at=moment,
                                   fy_quarter=fy_quarter(moment), verification_code=new_verification_code()))


def _demo_sessions(session: Session, organisations: dict[str, Organisation], modules: list[Module], rng: random.Random, today: dt.date) -> None:
    """Two face-to-face sessions a quarter per partnership, delivered by its council to a few of its organisations."""
    for partnership_slug, (_name, _settings, members) in PARTNERSHIPS.items():
        council = organisations[JOIN_CODES[partnership_slug][0]]
        audience_pool = [organisations[slug] for slug, _n, _t in members]
        for index in range(DEMO_QUARTERS * 2):
            delivered_on = today - dt.timedelta(days=7 + index * 45)
            module = modules[index % len(modules)]
            venue = f"{VENUES[index % len(VENUES)]} (demo session {index + 1})"
            exists = session.scalar(select(TrainingSession.id).where(TrainingSession.delivering_organisation_id == council.id,
                                                                      TrainingSession.venue == venue, TrainingSession.module_id == module.id))
            if exists:
                continue
            audience = {o.id: rng.randint(4, 20) for o in rng.sample(audience_pool, k=min(3, len(audience_pool)))}
            session.add(TrainingSession(module_id=module.id, delivered_on=delivered_on, fy_quarter=fy_quarter(delivered_on), venue=venue,
                                        delivering_organisation_id=council.id, attendee_count=sum(audience.values()), partnership_id=council.partnership_id,
                                        audience=[SessionAudience(organisation_id=o, attendee_count=n, partnership_id=council.partnership_id)
                                                  for o, n in audience.items()]))
