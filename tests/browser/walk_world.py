"""The data the page walk looks at: the demo partnerships with the five shipped modules, plus what a busy
council has (more people than one page of People holds, departments, a recorded session, an API token,
every demo login with a pass and a certificate) and an organisation with nothing in it yet (empty states)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from lms.db import db
from lms.models import (
    ApiToken,
    Assignment,
    Completion,
    Department,
    EmailDomain,
    JoinCode,
    Module,
    ModuleAsset,
    ModuleVersion,
    Notice,
    Organisation,
    OrganisationType,
    Role,
    SessionAudience,
    SingleSignOn,
    TrainingSession,
    User,
    XapiOutbox,
    utcnow,
)
from lms.services.accounts import create_user, hash_password
from lms.services.api_tokens import TOKEN_PREFIX, token_hash
from lms.services.confirmation import confirmation_token
from lms.services.demo import LOGINS, seed_demo
from lms.services.notices.preferences import unsubscribe_token
from lms.services.password_reset import SET_PASSWORD, make_token
from lms.services.periods import fy_quarter, uk_date
from lms.services.publishing import publish
from lms.services.sso.secret_box import seal
from lms.services.sso.settings import approved_domains
from tests.builders import PASSWORD, make_completion, take_assessment

COUNCIL = "city-of-york-council"
EXTRA_PEOPLE = 56  # with the demo's staff and logins, more than one page (50) of People
FIRST = ["Aisha", "Ben", "Chloe", "Dev", "Ellie", "Farid", "Grace", "Harry", "Imran", "Jess", "Kofi", "Lucy", "Mo", "Nia"]
LAST = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Green", "Hughes", "Khan", "Lewis", "Patel", "Shaw", "Walker"]
DEPARTMENTS = ["Housing", "Community safety", "Customer services", "Children's social care"]
EMPTY_ORGANISATION = "Ryedale Community Transport"
EMPTY_ADMIN = "admin@ryedale-transport.example"
ROLE_NAMES = {Role.LEARNER: "learner", Role.TRAINER: "trainer", Role.ORG_ADMIN: "org_admin",
              Role.PARTNERSHIP_LEAD: "partnership_lead", Role.SITE_ADMIN: "site_admin"}  # as the access matrix names them
_HASH = [hash_password(PASSWORD)]  # hashed once: every walk login shares the builders' password


@dataclass
class WalkWorld:
    """Ids the walk puts into URLs, and who signs in as each role."""

    logins: dict[str, str]  # role name -> email (password PASSWORD)
    values: dict[str, str]  # URL argument name -> a value in the council (None-free)
    attempts: dict[str, int] = field(default_factory=dict)  # role name -> their own passed attempt
    certificates: dict[str, str] = field(default_factory=dict)
    empty_values: dict[str, str] = field(default_factory=dict)  # the same for the empty organisation


def build_walk_world(app: Flask, course_build: Path) -> WalkWorld:
    """Publish the modules, seed the demo, and add a busy council's records; everything committed."""
    with app.app_context():
        session = db.session
        publish(session, course_build)
        seed_demo(session)
        council = session.scalar(select(Organisation).where(Organisation.slug == COUNCIL))
        logins = _logins(session)
        _more_people(session, council)
        world = WalkWorld(logins, _council_values(session, council, logins))
        world.empty_values = _empty_organisation(session, council.partnership_id)
        version = _tiny_version(session)
        for role, email in logins.items():
            person = session.scalar(select(User).where(User.email == email))
            attempt = take_assessment(session, person, version).attempt
            world.attempts[role] = attempt.id
            world.certificates[role] = session.scalar(select(Completion.verification_code).where(Completion.attempt_id == attempt.id))
        _refused_statement(session)
        _notices_needing_you(session, council)
        _single_sign_on(session, council)
        session.commit()
        db.session.remove()
    return world


def _refused_statement(session) -> None:
    """One xAPI statement the LRS refused for good, with its answer, for the site admin's outbox page."""
    row = session.scalar(select(XapiOutbox).order_by(XapiOutbox.id))
    row.tries, row.dead_at, row.last_tried_at = 1, utcnow(), utcnow()
    row.last_error = ('the LRS answered HTTP 422: {"detail":[{"type":"missing","loc":["body",0,"actor"],'
                      '"msg":"Field required","url":"https://errors.pydantic.dev/2.14/v/missing"}]}')


def _single_sign_on(session, council: Organisation) -> None:
    """The council's provider, saved (switched off) and tested with a problem, so the walk sees the whole settings page."""
    session.add(SingleSignOn(organisation_id=council.id, issuer="https://login.microsoftonline.com/0f1e2d3c/v2.0", client_id="safer-learning",
                             client_secret_encrypted=seal("walk-secret"), domains=approved_domains(session, council.id)[:1],
                             updated_at=utcnow() - dt.timedelta(minutes=5), checked_at=utcnow(), check_passed=False,
                             check_report="The provider answered 404 for its discovery document: check the issuer URL"))


def _notices_needing_you(session, council: Organisation) -> None:
    """A reminder the mail server refused until it failed, and one a killed worker left interrupted, for the site admin's page."""
    people = session.scalars(select(User).where(User.organisation_id == council.id).order_by(User.id).limit(2)).all()
    for person, status, error in zip(people, ("failed", "interrupted"), (f"550 5.1.1 <{people[0].email}>: Recipient address rejected: User unknown",
                                                                        "A worker stopped while sending this email."), strict=True):
        session.add(Notice(user_id=person.id, kind="overdue", subject="module:1", stage="2026-11-30", mandatory=True, status=status,
                           email_subject="Safeguarding adults is overdue", body_text="Your module is overdue.", attempts=6 if status == "failed" else 1,
                           next_try_at=utcnow(), last_error=error))


def _logins(session) -> dict[str, str]:
    """The demo's York logins by role, signed in with the builders' password (hashing the demo's is slow)."""
    logins = {ROLE_NAMES[role]: email for email, _name, org_slug, role in LOGINS if org_slug == COUNCIL}
    for person in session.scalars(select(User).where(User.email.in_(logins.values()))):
        person.password_hash = _HASH[0]
    return logins


def _more_people(session, council: Organisation) -> None:
    """Departments and a page and a bit of staff, some with passes, one deactivated."""
    departments = [Department(organisation_id=council.id, name=name) for name in DEPARTMENTS]
    session.add_all(departments)
    session.flush()
    modules = session.scalars(select(Module).where(Module.slug != "tiny-module").order_by(Module.slug)).all()
    names = itertools.islice(itertools.product(LAST, FIRST), EXTRA_PEOPLE)
    for number, (last, first) in enumerate(names):
        person = User(email=f"{first}.{last}{number}@york.example".lower(), full_name=f"{first} {last}", password_hash=_HASH[0],
                      organisation_id=council.id, department_id=departments[number % len(departments)].id,
                      email_confirmed_at=utcnow(), active=number != 7)
        session.add(person)
        session.flush()
        if number % 3 == 0:
            make_completion(session, person, modules[number % len(modules)], utcnow() - dt.timedelta(days=number * 5))


def _council_values(session, council: Organisation, logins: dict[str, str]) -> dict[str, str]:
    """One of each thing a route names by id, in the council."""
    trainer = session.scalar(select(User).where(User.email == logins["trainer"]))
    module = session.scalar(select(Module).where(Module.slug == "hate-crime"))
    today = uk_date(utcnow())
    training = TrainingSession(module_id=module.id, delivered_on=today - dt.timedelta(days=3), fy_quarter=fy_quarter(today - dt.timedelta(days=3)),
                               venue="West Offices, Station Rise", delivering_organisation_id=council.id, trainer_id=trainer.id,
                               attendee_count=14, audience=[SessionAudience(organisation_id=council.id, attendee_count=14)])
    token = ApiToken(name="Partnership dashboard (Power BI)", token_hash=token_hash(f"{TOKEN_PREFIX}walk-token"),
                     partnership_id=council.partnership_id)
    session.add_all([training, token])
    session.flush()
    person = session.scalar(select(User).where(User.organisation_id == council.id, User.role == Role.LEARNER,
                                               User.email.not_in(logins.values())).order_by(User.id))
    version = _tiny_version(session)
    session.add(ModuleAsset(version_id=version.id, name="diagram.png", media_type="image/png", data=b"\x89PNG\r\n\x1a\n"))
    return {
        "organisation_id": str(council.id), "user_id": str(person.id), "session_id": str(training.id), "token_id": str(token.id),
        "code_id": str(session.scalar(select(JoinCode.id).where(JoinCode.organisation_id == council.id))),
        "domain_id": str(session.scalar(select(EmailDomain.id).where(EmailDomain.organisation_id == council.id))),
        "assignment_id": str(session.scalar(select(Assignment.id).where(Assignment.organisation_id == council.id))),
        "slug": "hate-crime", "number": "1", "version_id": str(version.id), "name": "diagram.png", "filename": "site.css",
        "table": "counts", "fmt": "csv", **_link_tokens(session, council, person),
    }


def _link_tokens(session, council: Organisation, person: User) -> dict[str, str]:
    """The emailed links' tokens, each for the route that reads it (a newcomer confirms an address)."""
    newcomer = User(email="new.starter@york.example", full_name="New Starter", password_hash=_HASH[0], organisation_id=council.id)
    session.add(newcomer)
    session.flush()
    secret = _secret()
    return {"token": make_token(person, secret), "token for auth.set_password": make_token(person, secret, SET_PASSWORD),
            "token for auth.confirm_email": confirmation_token(newcomer, secret),
            "unsubscribe_token": unsubscribe_token(person, "optional_reminders", secret)}


def _secret() -> str:
    from flask import current_app

    return current_app.config["SECRET_KEY"]


def _tiny_version(session) -> ModuleVersion:
    module = session.scalar(select(Module).where(Module.slug == "tiny-module"))
    return session.get(ModuleVersion, module.current_version_id)


def _empty_organisation(session, partnership_id: int) -> dict[str, str]:
    """A new member organisation with only its admin: the walk sees every empty state."""
    organisation = Organisation(slug="ryedale-transport", name=EMPTY_ORGANISATION, type=OrganisationType.VOLUNTARY,
                                partnership_id=partnership_id)
    session.add(organisation)
    session.flush()
    admin = create_user(session, EMPTY_ADMIN, "Rowan Admin", PASSWORD, organisation, Role.ORG_ADMIN, confirmed=True)
    admin.password_hash = _HASH[0]
    return {"organisation_id": str(organisation.id), "user_id": str(admin.id)}

