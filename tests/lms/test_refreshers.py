"""When does a completion fall due for refresher, and does face-to-face attendance renew it?"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from lms.models import Channel, Completion, ModuleVersion
from lms.services.completions import record_attendance
from lms.services.periods import fy_quarter
from lms.services.standing import (
    DUE_SOON,
    add_months,
    expires_at,
    latest_completion,
    module_status,
    needs_completion,
    refresher_state,
    training_status,
)
from tests.builders import make_completion, make_organisation, make_training_session, make_user, publish_module, take_assessment
from tests.conftest import ROOT

EARNED = dt.datetime(2024, 3, 15, 10, 30)
EXPIRES = dt.datetime(2026, 3, 15, 10, 30)
SECOND = dt.timedelta(seconds=1)


def completion_at(moment: dt.datetime) -> Completion:
    return Completion(completed_at=moment, channel=Channel.ELEARNING)


@pytest.mark.parametrize("now, state", [
    (EXPIRES - DUE_SOON - SECOND, "completed"),
    (EXPIRES - DUE_SOON, "due for refresher"),
    (EXPIRES - SECOND, "due for refresher"),
    (EXPIRES, "overdue"),
    (EXPIRES + dt.timedelta(days=400), "overdue"),
])
def test_does_a_two_year_refresher_fall_due_at_the_exact_boundaries(now, state):
    assert refresher_state(completion_at(EARNED), 24, now) == state


def test_does_a_module_without_a_refresher_period_never_fall_due():
    assert refresher_state(completion_at(EARNED), 0, EARNED + dt.timedelta(days=3650)) == "completed"
    assert expires_at(completion_at(EARNED), 0) is None


def test_is_no_completion_its_own_state():
    assert refresher_state(None, 24, EARNED) == "none"


@pytest.mark.parametrize("earned, months, expiry", [
    (dt.datetime(2024, 2, 29, 9), 24, dt.datetime(2026, 2, 28, 9)),
    (dt.datetime(2024, 2, 29, 9), 48, dt.datetime(2028, 2, 29, 9)),
    (dt.datetime(2025, 1, 31, 9), 1, dt.datetime(2025, 2, 28, 9)),
    (dt.datetime(2025, 11, 30, 9), 3, dt.datetime(2026, 2, 28, 9)),
    (dt.datetime(2025, 12, 31, 9), 12, dt.datetime(2026, 12, 31, 9)),
])
def test_does_a_refresher_date_fall_on_the_same_day_or_the_months_last_day(earned, months, expiry):
    assert add_months(earned, months) == expiry


@pytest.mark.parametrize("now, needed", [(EXPIRES - DUE_SOON - SECOND, False), (EXPIRES - DUE_SOON, True), (EXPIRES, True)])
def test_is_a_new_pass_recorded_only_once_the_refresher_is_due(now, needed):
    assert needs_completion(completion_at(EARNED), 24, now) is needed
    assert needs_completion(None, 24, now)


@pytest.mark.parametrize("started, due_on, today, status", [
    (False, None, dt.date(2026, 1, 1), "not started"),
    (True, None, dt.date(2026, 1, 1), "in progress"),
    (False, dt.date(2026, 1, 1), dt.date(2026, 1, 1), "not started"),
    (True, dt.date(2026, 1, 1), dt.date(2026, 1, 2), "overdue"),
])
def test_is_an_assigned_module_overdue_only_after_its_due_day(started, due_on, today, status):
    now = dt.datetime.combine(today, dt.time(12))
    assert module_status(None, 24, started, due_on, now) == status


def test_does_a_completion_outrank_an_old_due_date():
    now = EARNED + dt.timedelta(days=10)
    assert module_status(completion_at(EARNED), 24, True, dt.date(2020, 1, 1), now) == "completed"


@pytest.fixture
def module(session, tmp_path):
    return publish_module(session, ROOT / "tests" / "data" / "tiny-module", tmp_path / "build")


def test_does_face_to_face_attendance_renew_an_e_learning_completion_that_still_counts_where_earned(session, module):
    organisation = make_organisation(session)
    learner = make_user(session, organisation)
    old = make_completion(session, learner, module, EARNED)
    attended_on = dt.date(2026, 2, 10)  # inside the due window, before the old completion expires
    before = training_status(session, learner, now=dt.datetime(2026, 2, 1))
    assert before[0].status == "due for refresher"

    renewal = record_attendance(session, learner, make_training_session(session, module, organisation, attended_on))
    session.commit()
    assert renewal.channel == Channel.FACE_TO_FACE and renewal.sequence == 2 and renewal.verification_code
    assert renewal.fy_quarter == fy_quarter(attended_on) and renewal.session_id is not None
    assert latest_completion(session, learner.id, module.id).id == renewal.id
    after = training_status(session, learner, now=dt.datetime(2026, 2, 11))
    assert after[0].status == "completed" and after[0].expires == dt.datetime(2028, 2, 10, 12)
    earned_in = select(func.count(Completion.id)).where(Completion.fy_quarter == fy_quarter(EARNED))
    assert session.scalar(earned_in) == 1 and session.get(Completion, old.id).completed_at == EARNED


def test_does_an_attendance_recorded_late_not_outrank_a_later_e_learning_pass(session, module):
    organisation = make_organisation(session)
    learner = make_user(session, organisation)
    passed = make_completion(session, learner, module, dt.datetime(2026, 3, 1, 9))
    record_attendance(session, learner, make_training_session(session, module, organisation, dt.date(2026, 1, 20)))
    assert latest_completion(session, learner.id, module.id).id == passed.id


def test_do_repeated_passes_of_a_monthly_refresher_count_once_not_every_time(session, published):
    """A learner passing a one-month refresher module five times in a row must count as one session, not five
    (with a fixed 60-day 'due' window every pass was recorded)."""
    version = session.get(ModuleVersion, published.current_version_id)
    version.refresher_months = 1
    learner = make_user(session, make_organisation(session))
    session.commit()
    for _ in range(5):
        take_assessment(session, learner, version)
    assert session.scalar(select(func.count(Completion.id)).where(Completion.user_id == learner.id)) == 1
    month_later = EARNED + dt.timedelta(days=31)
    assert refresher_state(completion_at(EARNED), 1, EARNED + dt.timedelta(days=20)) == "completed"
    assert refresher_state(completion_at(EARNED), 1, EARNED + dt.timedelta(days=25)) == "due for refresher"
    assert refresher_state(completion_at(EARNED), 1, month_later) == "overdue"
