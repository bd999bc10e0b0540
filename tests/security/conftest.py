"""A small world for the security tests: two partnerships with one council each, a person in every role
in the first ("own") council, a learner in the second ("other") council, and something of every kind
that a route can name by id, in both councils.

Requests are made without an outer app context: Flask reuses an app context that is already pushed, so
`g` (where Flask-Login caches the signed-in user) would otherwise leak from one person's request into
the next person's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask, g
from flask import session as flask_session
from flask.testing import FlaskClient
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from authoring import build
from lms.db import db
from lms.models import (
    ApiToken,
    Assignment,
    Completion,
    Department,
    EmailDomain,
    JoinCode,
    JointGroup,
    Module,
    ModuleAsset,
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
from lms.services.api_tokens import TOKEN_PREFIX, token_hash
from lms.services.password_reset import make_token
from lms.services.periods import fy_quarter, uk_date
from lms.services.publishing import publish
from tests.builders import take_assessment
from tests.conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny-module"
USER_AGENT = "lms-security-test/1"
ROLES = ("anonymous", "learner", "trainer", "org_admin", "partnership_lead", "site_admin")
ROLE_OF = {"learner": Role.LEARNER, "trainer": Role.TRAINER, "org_admin": Role.ORG_ADMIN,
           "partnership_lead": Role.PARTNERSHIP_LEAD, "site_admin": Role.SITE_ADMIN}
NOT_A_HASH = "!not-used"  # noqa: S105 - these people are signed in by cookie, never by password


@dataclass
class Place:
    """One council and the things in it that routes name by id."""

    organisation_id: int
    partnership_slug: str
    department_id: int
    join_code_id: int
    domain_id: int
    assignment_id: int
    token_id: int
    person_id: int  # a learner others may manage
    attempt_id: int = 0
    certificate_code: str = ""
    training_session_id: int = 0  # a face-to-face session delivered by the council (the own one recorded by the trainer)


@dataclass
class World:
    own: Place
    other: Place
    users: dict[str, int]
    attempts: dict[str, int] = field(default_factory=dict)  # each role's own passed attempt
    certificates: dict[str, str] = field(default_factory=dict)  # each role's own verification code
    version_id: int = 0
    asset_name: str = "diagram.png"
    reset_token: str = ""
    joint_group_id: int = 0  # a joint group of both partnerships (site admins manage groups)


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("security-build")
    assert not build([TINY], out).failed
    return out


def api_token(number: int) -> str:
    """The plain API token of place `number` (only its hash is stored)."""
    return f"{TOKEN_PREFIX}security-test-token-{number}"


def _place(session, partnership: Partnership, name: str, module_id: int, number: int) -> tuple[Place, Organisation]:
    organisation = Organisation(slug=f"council-{number}", name=name, type=OrganisationType.LOCAL_AUTHORITY, partnership_id=partnership.id)
    session.add(organisation)
    session.flush()
    department = Department(organisation_id=organisation.id, name="Housing")
    code = JoinCode(organisation_id=organisation.id, code=f"JOIN{number}CODE")
    domain = EmailDomain(organisation_id=organisation.id, domain=f"council{number}.example")
    assignment = Assignment(module_id=module_id, organisation_id=organisation.id)
    token = ApiToken(name=f"BI {number}", token_hash=token_hash(api_token(number)), partnership_id=partnership.id)
    person = User(email=f"colleague{number}@council.example", full_name=f"Colleague {number}", password_hash=NOT_A_HASH,
                  organisation_id=organisation.id)
    session.add_all([department, code, domain, assignment, token, person])
    session.flush()
    return Place(organisation.id, partnership.slug, department.id, code.id, domain.id, assignment.id, token.id, person.id), organisation


def _pass(session, user: User, version: ModuleVersion) -> tuple[int, str]:
    attempt = take_assessment(session, user, version).attempt
    return attempt.id, session.scalar(select(Completion.verification_code).where(Completion.attempt_id == attempt.id))


def _training_session(session, module_id: int, organisation: Organisation, trainer_id: int | None) -> int:
    today = uk_date(utcnow())
    training = TrainingSession(module_id=module_id, delivered_on=today, fy_quarter=fy_quarter(today), venue="Town hall",
                               delivering_organisation_id=organisation.id, trainer_id=trainer_id, attendee_count=3,
                               audience=[SessionAudience(organisation_id=organisation.id, attendee_count=3)])
    session.add(training)
    session.flush()
    return training.id


def build_world(app: Flask, tiny_build: Path) -> World:
    with app.app_context():
        session = db.session
        publish(session, tiny_build)
        module = session.scalar(select(Module).where(Module.slug == "tiny-module"))
        version = session.get(ModuleVersion, module.current_version_id)
        session.add(ModuleAsset(version_id=version.id, name="diagram.png", media_type="image/png", data=b"\x89PNG\r\n\x1a\n"))
        ours = Partnership(slug="safer-ours", name="Safer Ours", settings={})
        theirs = Partnership(slug="safer-theirs", name="Safer Theirs", settings={})
        session.add_all([ours, theirs])
        session.flush()
        own, own_organisation = _place(session, ours, "Our Council", module.id, 1)
        other, other_organisation = _place(session, theirs, "Their Council", module.id, 2)
        people = {name: User(email=f"{name}@council1.example", full_name=name.replace("_", " ").title(), password_hash=NOT_A_HASH,
                             organisation_id=own_organisation.id, role=role, email_confirmed_at=utcnow()) for name, role in ROLE_OF.items()}
        stranger = User(email="learner@council2.example", full_name="Their Learner", password_hash=NOT_A_HASH,
                        organisation_id=other_organisation.id, email_confirmed_at=utcnow())
        session.add_all([*people.values(), stranger])
        session.flush()
        own.training_session_id = _training_session(session, module.id, own_organisation, people["trainer"].id)
        other.training_session_id = _training_session(session, module.id, other_organisation, None)
        group = JointGroup(slug="safer-together", name="Safer Together", partnerships=[ours, theirs])
        session.add(group)
        session.commit()
        world = World(own, other, {name: user.id for name, user in people.items()}, version_id=version.id,
                      reset_token=make_token(session.get(User, own.person_id), app.config["SECRET_KEY"]), joint_group_id=group.id)
        for name, user in people.items():
            world.attempts[name], world.certificates[name] = _pass(session, user, version)
        other.attempt_id, other.certificate_code = _pass(session, stranger, version)
        session.commit()
        db.session.remove()
    return world


@pytest.fixture
def world(app, tiny_build) -> World:
    return build_world(app, tiny_build)


def signed_client(app: Flask, user_id: int | None) -> tuple[FlaskClient, str]:
    """A test client carrying the session cookie a sign-in would set (none for anonymous), and its CSRF token."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}):
        if user_id is not None:
            login_user(db.session.get(User, user_id))
        g.pop("csrf_token", None)
        token = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(flask_session))
        db.session.remove()
    client = app.test_client()
    client.set_cookie("session", cookie)
    client.environ_base.update({"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": USER_AGENT})
    return client, token
