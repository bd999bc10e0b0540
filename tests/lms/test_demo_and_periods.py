"""Is the demo data meaningful and idempotent, and are custom periods read, labelled and bounded in UK time?"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from lms.models import (
    Assignment,
    Completion,
    Department,
    EmailDomain,
    JoinCode,
    JointGroup,
    Module,
    Organisation,
    OrganisationType,
    Partnership,
    ReportTarget,
    SessionAudience,
    TrainingSession,
    User,
)
from lms.permissions import report_scope
from lms.services.demo import seed_demo
from lms.services.localities import locality_of, served_partnerships
from lms.services.periods import Period, fy_quarter, parse_period, previous_quarters, uk_date
from lms.services.reports import training_counts
from lms.services.reports.quarterly import quarterly_report
from tests.builders import make_organisation, make_partnership, make_user
from tests.lms.reporting_builders import make_module

TABLES = (Organisation, User, Completion, TrainingSession, SessionAudience, JoinCode, EmailDomain, Assignment, Department, JointGroup,
          ReportTarget)


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
    assert "jointlead@yorkshire.example" in first.output and "York and North Yorkshire hate crime and community cohesion group" in first.output
    assert "YORK-DEMO-2026" in first.output
    before = counts(session)
    session.rollback()
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "none new" in again.output
    assert counts(session) == before


def test_does_the_demo_without_published_modules_add_only_organisations_and_logins(session):
    seed_demo(session)
    assert counts(session)["Completion"] == 0 and counts(session)["User"] == 8


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


# --- the Yorkshire bodies serving two partnerships ------------------------------------------------------

YORKSHIRE = {"safer-york", "north-yorkshire"}


@pytest.fixture
def demo(session):
    for title in ("Hate crime", "Prevent", "Domestic abuse"):
        make_module(session, title)
    session.commit()
    seed_demo(session)
    return session


def _everything_since_the_demo_began() -> Period:
    today = uk_date(dt.datetime.now(dt.UTC).replace(tzinfo=None))
    return Period(fy_quarter(today - dt.timedelta(days=700)), fy_quarter(today), "the demo's quarters")


def test_does_the_demo_have_one_police_force_fire_service_and_health_body_serving_both_yorkshire_partnerships(demo):
    serving = {o.type: o for o in demo.scalars(select(Organisation)) if {p.slug for p in served_partnerships(o)} == YORKSHIRE}
    assert {t: o.name for t, o in serving.items()} == {OrganisationType.POLICE: "North Yorkshire Police",
                                                       OrganisationType.FIRE: "North Yorkshire Fire and Rescue",
                                                       OrganisationType.HEALTH: "Humber and North Yorkshire Health (demo)"}
    yorkshire = [o for o in demo.scalars(select(Organisation)) if o.partnership.slug in YORKSHIRE]
    for kind in serving:
        assert [o.name for o in yorkshire if o.type == kind] == [serving[kind].name], f"two {kind} bodies in Yorkshire"
    staff = demo.scalars(select(User).where(User.organisation_id == serving[OrganisationType.POLICE].id)).all()
    assert {p.slug for p in demo.scalars(select(Partnership).where(Partnership.id.in_([locality_of(u) for u in staff])))} == YORKSHIRE
    assert any(u.locality_id is not None for u in staff) and any(u.department is not None for u in staff)


def test_does_a_york_lead_count_york_based_officers_only(demo):
    lead = demo.scalar(select(User).where(User.email == "lead@york.example"))
    police = demo.scalar(select(Organisation).where(Organisation.name == "North Yorkshire Police"))
    rows = training_counts(demo, _everything_since_the_demo_began(), scope=report_scope(lead))
    counted = sum(r.sessions_delivered for r in rows if r.organisation_id == police.id and r.channel == "e-learning")
    passes = demo.scalars(select(Completion).where(Completion.organisation_id == police.id)).all()
    york_based = [c for c in passes if locality_of(demo.get(User, c.user_id)) == lead.organisation.partnership_id]
    assert 0 < counted == len(york_based) < len(passes)
    assert all(c.partnership_id == lead.organisation.partnership_id for c in york_based)
    assert {c.partnership_id for c in passes} - {c.partnership_id for c in york_based} == {police.partnership_id}


def test_does_the_joint_lead_see_both_yorkshire_partnerships_added_up(demo):
    joint = demo.scalar(select(User).where(User.email == "jointlead@yorkshire.example"))
    period = _everything_since_the_demo_began()
    leads = [demo.scalar(select(User).where(User.email == e)) for e in ("lead@york.example", "lead@northyorkshire.example")]
    assert joint.joint_group.name == "York and North Yorkshire hate crime and community cohesion group"
    total = sum(r.sessions_delivered for r in training_counts(demo, period, scope=report_scope(joint)))
    assert total == sum(r.sessions_delivered for lead in leads for r in training_counts(demo, period, scope=report_scope(lead))) > 0
    this_quarter = fy_quarter(uk_date(dt.datetime.now(dt.UTC).replace(tzinfo=None)))
    joint_targets = [line.target for line in quarterly_report(demo, report_scope(joint), this_quarter).modules]
    york_and_north = [[line.target for line in quarterly_report(demo, report_scope(lead), this_quarter).modules] for lead in leads]
    assert joint_targets == [y + n for y, n in zip(*york_and_north, strict=True)] and None not in joint_targets


def test_does_york_s_quarterly_report_show_targets_on_track_and_behind(demo):
    lead = demo.scalar(select(User).where(User.email == "lead@york.example"))
    report = quarterly_report(demo, report_scope(lead), fy_quarter(uk_date(dt.datetime.now(dt.UTC).replace(tzinfo=None))))
    assert {line.status for line in report.modules} >= {"On track", "Behind"}
    assert all(line.target is not None for line in report.modules)
