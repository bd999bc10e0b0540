"""Is the demo data meaningful and idempotent, and are custom periods read, labelled and bounded in UK time?"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from lms.models import (
    Assignment,
    Completion,
    EmailDomain,
    JoinCode,
    Module,
    Organisation,
    OrganisationType,
    SessionAudience,
    TrainingSession,
    User,
)
from lms.services.demo import seed_demo
from lms.services.periods import parse_period, previous_quarters
from tests.builders import make_organisation, make_partnership, make_user
from tests.lms.reporting_builders import make_module

TABLES = (Organisation, User, Completion, TrainingSession, SessionAudience, JoinCode, EmailDomain, Assignment)


def counts(session) -> dict[str, int]:
    return {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in TABLES}


def test_does_running_the_demo_twice_change_nothing(session):
    for title in ("Hate crime", "Prevent"):
        make_module(session, title)
    session.commit()
    seed_demo(session)
    first = counts(session)
    seed_demo(session)
    assert counts(session) == first
    assert first["Completion"] > 50 and first["TrainingSession"] >= 30 and first["JoinCode"] == 3 and first["EmailDomain"] == 1
    types = session.scalars(select(Organisation.type)).all()
    assert all(types.count(t) >= 2 for t in OrganisationType)
    current = set(session.scalars(select(Module.current_version_id)))
    assert set(session.scalars(select(Completion.version_id))) <= current
    assert session.scalar(select(JoinCode.code).where(JoinCode.code == "YORK-DEMO-2026")) == "YORK-DEMO-2026"


def test_does_the_demo_command_publish_the_five_modules_and_print_the_way_in(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert session.scalar(select(func.count()).select_from(Module).where(Module.current_version_id.is_not(None))) == 5
    assert "learner@york.example" in first.output and "safer-learning-demo" in first.output
    assert "YORK-DEMO-2026" in first.output
    before = counts(session)
    session.rollback()
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "none new" in again.output
    assert counts(session) == before


def test_does_the_demo_without_published_modules_add_only_organisations_and_logins(session):
    seed_demo(session)
    assert counts(session)["Completion"] == 0 and counts(session)["User"] == 6


def test_are_custom_dates_read_labelled_and_bounded_in_uk_time():
    summer = parse_period("2025-06-01..2025-06-30")
    assert (summer.label, summer.key, summer.first_quarter, summer.last_quarter) == ("1 June 2025 to 30 June 2025", "2025-06-01..2025-06-30",
                                                                                     20251, 20251)
    assert summer.moments == (dt.datetime(2025, 5, 31, 23, 0), dt.datetime(2025, 6, 30, 23, 0))  # BST: UK midnight is 23:00 UTC
    winter = parse_period("2025-12-01..2026-01-31")
    assert winter.moments == (dt.datetime(2025, 12, 1, 0, 0), dt.datetime(2026, 2, 1, 0, 0)) and (winter.first_quarter, winter.last_quarter) == (20253, 20254)
    assert parse_period("2025-26-Q3").key == "2025-26-Q3" and parse_period("2025-26").key == "2025-26"


@pytest.mark.parametrize(("text", "message"), [
    ("2025-06-30..2025-06-01", "the end date must be the same as or after the start date"),
    ("2025-02-30..2025-03-01", "day is out of range"),
])
def test_is_a_bad_custom_period_explained(text, message):
    with pytest.raises(ValueError, match=message):
        parse_period(text)


def test_do_previous_quarters_cross_financial_years():
    assert previous_quarters(20252, 4) == [20243, 20244, 20251, 20252]


def test_does_the_demo_refuse_a_live_sites_database_and_add_nothing(app, session):
    """The demo's site administrator has a published password: on someone's real site it would be a way in."""
    make_user(session, make_organisation(session, make_partnership(session, "Safer Realtown"), "Realtown Council"),
              email="officer@realtown.example")
    session.commit()
    before = counts(session)
    session.rollback()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "This database holds 1 person and is not a demo site, so nothing was added" in result.output
    assert "run `lms demo` only on a new database" in result.output
    assert counts(session) == before
    assert session.scalar(select(func.count()).select_from(Module)) == 0
