"""Demo partnerships, organisations and logins, created once: running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import Organisation, OrganisationType, Partnership, Role, User
from lms.services.accounts import create_user

DEMO_PASSWORD = "safer-learning-demo"  # noqa: S105 - printed for the demo; never used outside it

PARTNERSHIPS = {
    "safer-york": ("Safer York Partnership", {
        "prevent_team": "City of York Council's Prevent lead, through the council's safeguarding team",
        "community_safety_team": "Safer York Partnership community safety team",
    }, [
        ("city-of-york-council", "City of York Council", OrganisationType.LOCAL_AUTHORITY),
        ("york-fire", "York Fire and Rescue (demo)", OrganisationType.FIRE),
        ("york-health", "York Community Health (demo)", OrganisationType.HEALTH),
        ("york-voluntary", "York Voluntary Support (demo)", OrganisationType.VOLUNTARY),
    ]),
    "north-yorkshire": ("North Yorkshire Community Safety Partnership", {
        "community_safety_team": "North Yorkshire Community Safety Partnership team",
    }, [
        ("north-yorkshire-council", "North Yorkshire Council", OrganisationType.LOCAL_AUTHORITY),
        ("north-yorkshire-police", "North Yorkshire Police", OrganisationType.POLICE),
        ("ny-probation", "North Yorkshire Probation (demo)", OrganisationType.PROBATION),
    ]),
    "city-of-london": ("Safer City Partnership", {
        "community_safety_team": "City of London Safer City Partnership team",
    }, [
        ("city-of-london-corporation", "City of London Corporation", OrganisationType.LOCAL_AUTHORITY),
        ("city-of-london-police", "City of London Police", OrganisationType.POLICE),
        ("cheapside-traders", "Cheapside Traders (demo business)", OrganisationType.BUSINESS),
    ]),
}

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
                create_user(session, email, full_name, DEMO_PASSWORD, organisations[org_slug], role)
    return [DemoLogin(email, role.value, organisations[org].name) for email, _name, org, role in LOGINS]
