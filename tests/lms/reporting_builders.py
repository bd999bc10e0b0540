"""Builders for administration and reporting tests: published modules without a notebook build, sessions
with audiences, and signed-in clients for each role."""

from __future__ import annotations

import datetime as dt
import itertools

from lms.models import Module, ModuleVersion, Organisation, OrganisationType, Role, SessionAudience, TrainingSession, User
from lms.services.periods import fy_quarter
from tests.builders import make_organisation, make_partnership, make_user
from tests.conftest import sign_in

_numbers = itertools.count(1)


def make_module(session, title: str = "Hate crime awareness", refresher_months: int = 24) -> Module:
    """A module with one published version, as publishing leaves it."""
    number = next(_numbers)
    module = Module(slug=f"module-{number}", title=title)
    session.add(module)
    session.flush()
    version = ModuleVersion(module_id=module.id, content_hash=f"{number:064d}", number=1, title=title, settings={}, questions=[],
                            answer_key={}, page_count=1, pass_mark=80, refresher_months=refresher_months, estimated_minutes=10)
    session.add(version)
    session.flush()
    module.current_version_id = version.id
    session.flush()
    return module


def make_session_with_audience(session, module: Module, delivered_by: Organisation, delivered_on: dt.date,
                               audience: dict[Organisation, int]) -> TrainingSession:
    training = TrainingSession(module_id=module.id, delivered_on=delivered_on, fy_quarter=fy_quarter(delivered_on), venue="Town hall",
                               delivering_organisation_id=delivered_by.id, attendee_count=sum(audience.values()),
                               audience=[SessionAudience(organisation_id=o.id, attendee_count=n) for o, n in audience.items()])
    session.add(training)
    session.flush()
    return training


class World:
    """Two partnerships: 'home' with organisations A (council) and B (police), and 'away' with C; one person per role."""

    def __init__(self, session) -> None:
        self.home, self.away = make_partnership(session, "Home Partnership"), make_partnership(session, "Away Partnership")
        self.a = make_organisation(session, self.home, "Alpha Council")
        self.b = make_organisation(session, self.home, "Bravo Police", type=OrganisationType.POLICE)
        self.c = make_organisation(session, self.away, "Charlie Council")
        self.people: dict[str, User] = {}
        for role in Role:
            self.people[role.value] = make_user(session, self.a, role, email=f"{role.value}@alpha.example")
        self.other_admin = make_user(session, self.c, Role.ORG_ADMIN, email="admin@charlie.example")
        self.other_learner = make_user(session, self.c, Role.LEARNER, email="learner@charlie.example")
        self.b_learner = make_user(session, self.b, Role.LEARNER, email="learner@bravo.example")


def signed_in(app, email: str):
    client = app.test_client()
    response = sign_in(client, email)
    assert response.status_code == 302, "sign-in failed"
    return client
