"""A small world for the planning tests: a partnership, an organisation, modules, learners and assignments,
at chosen moments, and the notices planning wrote for them."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from sqlalchemy import select

from lms.db import write_transaction
from lms.models import Assignment, Module, Notice, NoticePreference, Organisation, Partnership, Role, User
from lms.services.periods import uk_day_start
from tests.builders import make_assignment, make_completion, make_organisation, make_partnership, make_user
from tests.lms.reporting_builders import make_module

_numbers = itertools.count(1)
LONG_AGO = dt.datetime(2020, 1, 1)


def uk_time(day: dt.date, hour: int = 7, minute: int = 0) -> dt.datetime:
    """The naive-UTC moment of `hour:minute` UK time on `day` (so a test reads in UK dates)."""
    return uk_day_start(day) + dt.timedelta(hours=hour, minutes=minute)


@dataclass
class World:
    partnership: Partnership
    organisation: Organisation
    module: Module
    learner: User


def world(session, joined: dt.datetime = LONG_AGO, title: str = "Domestic abuse awareness") -> World:
    """A partnership with one organisation, one module, and one learner who joined at `joined`; committed."""
    with write_transaction(session):
        partnership = make_partnership(session, name="Northshire Community Safety Partnership")
        organisation = make_organisation(session, partnership, name="Northshire County Council")
        module = make_module(session, title)
        learner = learner_in(session, organisation, joined)
    return World(partnership, organisation, module, learner)


def learner_in(session, organisation: Organisation, joined: dt.datetime = LONG_AGO, role: Role = Role.LEARNER,
               email: str | None = None) -> User:
    """A confirmed person who joined at `joined` (in the caller's transaction)."""
    user = make_user(session, organisation, role=role, email=email or f"planning{next(_numbers)}@example.org")
    user.full_name = "Amal Khan"
    user.created_at = joined
    session.flush()
    return user


def assign(session, module: Module, organisation: Organisation, due_on: dt.date | None, made: dt.datetime = LONG_AGO,
           mandatory: bool = True) -> Assignment:
    """An assignment made at `made`; committed."""
    with write_transaction(session):
        assignment = make_assignment(session, module, organisation, due_on=due_on, mandatory=mandatory)
        assignment.created_at = made
    return assignment


def complete(session, user: User, module: Module, at: dt.datetime, sequence: int = 1):
    """An e-learning completion earned at `at`; committed."""
    with write_transaction(session):
        return make_completion(session, user, module, at, sequence)


def choose(session, user: User, **choices: object) -> None:
    """Save a person's notice preferences (the defaults for anything not given)."""
    values = {"reminders": "each", "optional_reminders": True, "admin_digest": True, "quarterly_figures": True, **choices}
    with write_transaction(session):
        session.merge(NoticePreference(user_id=user.id, **values))


def notices(session, user: User | None = None, kind: str | None = None) -> list[Notice]:
    """The rows planning wrote (for one person, of one kind), oldest first."""
    query = select(Notice).order_by(Notice.id)
    if user is not None:
        query = query.where(Notice.user_id == user.id)
    if kind is not None:
        query = query.where(Notice.kind == kind)
    session.expire_all()
    return list(session.scalars(query))


def kinds(session, user: User) -> list[tuple[str, str]]:
    """(kind, stage) of each notice a person has, oldest first."""
    return [(n.kind, n.stage) for n in notices(session, user)]
