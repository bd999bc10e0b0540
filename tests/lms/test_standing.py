"""Where does a learner stand with a module, and do My training, the compliance report, the learner list and
the reminders (all reading lms.services.standing) say the same about them?"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from lms.db import db
from lms.models import Role, User
from lms.services.completions import record_attendance
from lms.services.delivery import withdraw_session
from lms.services.reports import ReportScope, compliance_table, learners_table
from lms.services.standing import BOUND_IDS, assigned_modules, latest_completions, standings, training_status
from tests.builders import (
    make_assignment,
    make_completion,
    make_department,
    make_organisation,
    make_partnership,
    make_training_session,
    make_user,
)
from tests.lms.reporting_builders import make_module

NOW = dt.datetime(2026, 2, 10, 12)


@pytest.fixture
def scene(session):
    """A council with a housing department, a police force beside it, and two modules."""
    partnership = make_partnership(session, "Home")
    council, police = make_organisation(session, partnership, "Council"), make_organisation(session, partnership, "Police")
    housing, parks = make_department(session, council, "Housing"), make_department(session, council, "Parks")
    hate_crime, prevent = make_module(session, "Hate crime", refresher_months=24), make_module(session, "Prevent", refresher_months=12)
    session.commit()
    return {"council": council, "police": police, "housing": housing, "parks": parks, "hate_crime": hate_crime, "prevent": prevent}


def person(session, organisation, department=None, email=None, role=Role.LEARNER):
    user = make_user(session, organisation, role, email=email)
    user.department_id = department.id if department else None
    session.flush()
    return user


def standing_of(session, user, module, now=NOW):
    return next((s for s in standings(session, [user], now) if s.module.id == module.id), None)


@contextmanager
def counted_queries():
    """The statements sent to the database inside the block."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        sent.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_does_a_department_assignment_apply_only_to_that_departments_people(session, scene):
    make_assignment(session, scene["prevent"], scene["council"], department=scene["housing"], due_on=dt.date(2026, 4, 1))
    in_housing = person(session, scene["council"], scene["housing"])
    in_parks, no_department = person(session, scene["council"], scene["parks"]), person(session, scene["council"])
    in_police = person(session, scene["police"])
    found = assigned_modules(session, [in_housing, in_parks, no_department, in_police])
    assert list(found[in_housing.id]) == [scene["prevent"].id]
    assert found[in_parks.id] == found[no_department.id] == found[in_police.id] == {}
    assert [s.module.title for s in standings(session, [in_housing, in_parks], NOW)] == ["Prevent"]


def test_are_two_assignments_of_one_module_mandatory_if_either_is_and_due_by_the_earlier_date(session, scene):
    whole = make_assignment(session, scene["prevent"], scene["council"], due_on=dt.date(2026, 6, 30), mandatory=False)
    whole.created_at = dt.datetime(2025, 9, 1, 9)
    housing = make_assignment(session, scene["prevent"], scene["council"], department=scene["housing"], due_on=dt.date(2026, 4, 1))
    housing.created_at = dt.datetime(2025, 10, 1, 9)
    in_housing, in_parks = person(session, scene["council"], scene["housing"]), person(session, scene["council"], scene["parks"])
    both = assigned_modules(session, [in_housing])[in_housing.id][scene["prevent"].id]
    assert (both.mandatory, both.due_on, both.assignment_ids, both.assigned_at) == (
        True, dt.date(2026, 4, 1), (whole.id, housing.id), dt.datetime(2025, 9, 1, 9))
    only_whole = standing_of(session, in_parks, scene["prevent"])
    assert (only_whole.mandatory, only_whole.due_on, only_whole.assigned.assignment_ids) == (False, dt.date(2026, 6, 30), (whole.id,))


def test_does_an_assignment_without_a_due_date_leave_the_other_ones_date(session, scene):
    make_assignment(session, scene["prevent"], scene["council"], mandatory=False)
    make_assignment(session, scene["prevent"], scene["council"], department=scene["housing"], due_on=dt.date(2026, 4, 1), mandatory=False)
    standing = standing_of(session, person(session, scene["council"], scene["housing"]), scene["prevent"])
    assert (standing.mandatory, standing.due_on) == (False, dt.date(2026, 4, 1))


def test_is_a_face_to_face_completion_after_an_e_learning_one_the_latest(session, scene):
    learner = person(session, scene["council"])
    make_completion(session, learner, scene["hate_crime"], dt.datetime(2024, 3, 15, 10, 30))
    attended = record_attendance(session, learner, make_training_session(session, scene["hate_crime"], scene["council"], dt.date(2026, 1, 20)))
    session.commit()
    standing = standing_of(session, learner, scene["hate_crime"])
    assert standing.completion.id == attended.id and standing.expires == dt.datetime(2028, 1, 20, 12)
    assert (standing.status, standing.compliance) == ("completed", "in date")
    assert latest_completions(session, [learner.id])[(learner.id, scene["hate_crime"].id)].id == attended.id


def test_does_a_withdrawn_session_stop_counting_and_the_earlier_completion_count_again(session, scene):
    trainer = person(session, scene["council"], role=Role.TRAINER)
    earlier, only_session = person(session, scene["council"]), person(session, scene["council"])
    make_assignment(session, scene["hate_crime"], scene["council"])
    make_completion(session, earlier, scene["hate_crime"], dt.datetime(2024, 1, 10, 9))  # expired on 10 January 2026
    training = make_training_session(session, scene["hate_crime"], scene["council"], dt.date(2026, 1, 20))
    for learner in (earlier, only_session):
        record_attendance(session, learner, training)
    session.commit()
    assert {s.compliance for s in standings(session, [earlier, only_session], NOW)} == {"in date"}
    withdraw_session(session, trainer, training.id, "Recorded against the wrong module")
    after = {s.user.id: s for s in standings(session, [earlier, only_session], NOW)}
    assert (after[earlier.id].status, after[earlier.id].compliance, after[earlier.id].completion.session_id) == ("overdue", "expired", None)
    assert (after[only_session.id].status, after[only_session.id].compliance, after[only_session.id].completion) == ("not started", "never", None)


@pytest.mark.parametrize("now, status", [
    (dt.datetime(2026, 4, 1, 22, 59), "not started"),  # 23:59 on 1 April in British Summer Time: still the due day
    (dt.datetime(2026, 4, 1, 23, 0), "overdue"),  # midnight on 2 April in the UK, though still 1 April in UTC
    (dt.datetime(2026, 3, 1, 23, 59), "not started"),  # in winter UK time is UTC
])
def test_is_an_assignment_due_on_a_day_overdue_only_once_that_uk_day_is_over(session, scene, now, status):
    make_assignment(session, scene["prevent"], scene["council"], due_on=dt.date(2026, 4, 1) if now.month == 4 else dt.date(2026, 3, 1))
    standing = standing_of(session, person(session, scene["council"]), scene["prevent"], now)
    assert (standing.status, standing.compliance) == (status, "never")


@pytest.mark.parametrize("now, status, compliance", [
    (dt.datetime(2026, 1, 14, 9, 59), "completed", "in date"),  # a second before the 60 days before expiry
    (dt.datetime(2026, 1, 14, 10), "due for refresher", "due"),
    (dt.datetime(2026, 3, 15, 9, 59), "due for refresher", "due"),
    (dt.datetime(2026, 3, 15, 10), "overdue", "expired"),  # the due date does not matter once completed
])
def test_does_a_completion_fall_due_and_expire_at_its_refresher_boundaries(session, scene, now, status, compliance):
    make_assignment(session, scene["hate_crime"], scene["council"], due_on=dt.date(2024, 1, 1))
    learner = person(session, scene["council"])
    make_completion(session, learner, scene["hate_crime"], dt.datetime(2024, 3, 15, 10))
    standing = standing_of(session, learner, scene["hate_crime"], now)
    assert (standing.status, standing.compliance, standing.due_on, standing.needs_action) == (status, compliance, None, status != "completed")


def test_is_a_module_completed_but_not_assigned_listed_and_one_neither_left_out(session, scene):
    learner = person(session, scene["police"])
    make_completion(session, learner, scene["prevent"], dt.datetime(2025, 9, 1, 9))
    [only] = standings(session, [learner], NOW)
    assert (only.module.title, only.assigned, only.mandatory, only.status, only.compliance) == ("Prevent", None, False, "completed", "in date")
    assert only.expires == dt.datetime(2026, 9, 1, 9)


def test_do_empty_and_very_long_lists_of_people_give_answers_not_errors(session, scene):
    assert standings(session, [], NOW) == [] and assigned_modules(session, []) == {} and latest_completions(session, []) == {}
    learner = person(session, scene["council"])
    completion = make_completion(session, learner, scene["prevent"], dt.datetime(2025, 9, 1, 9))
    many_ids = [learner.id, *range(10**9, 10**9 + BOUND_IDS + 500)]  # past any driver's limit on bound parameters
    assert latest_completions(session, many_ids, [scene["prevent"].id, *range(-BOUND_IDS - 5, 0)]) == {(learner.id, scene["prevent"].id): completion}
    assert latest_completions(session, [learner.id], []) == {}


def fresh(session, people):
    """The same people loaded anew in an empty session, so nothing they point at is already at hand."""
    ids = [p.id for p in people]
    session.expunge_all()
    found = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    return [found[i] for i in ids]


def _crowd(session, scene, count):
    make_assignment(session, scene["hate_crime"], scene["council"])
    make_assignment(session, scene["prevent"], scene["council"], department=scene["housing"])
    people = [person(session, scene["council"], scene["housing"] if n % 2 else None) for n in range(count)]
    for n, learner in enumerate(people):
        make_completion(session, learner, scene["prevent" if n % 3 else "hate_crime"], dt.datetime(2025, 5, 1, 9))
    session.commit()
    return people


def test_does_reading_many_peoples_standing_take_no_more_queries_than_reading_a_few(session, scene):
    people = fresh(session, _crowd(session, scene, 30))
    with counted_queries() as few:
        assert len(standings(session, people[:2], NOW)) == 3
    people = fresh(session, people)
    with counted_queries() as many:
        assert len(standings(session, people, NOW)) == 30 + 15 + 10  # everyone's hate crime, housing's prevent, prevent done elsewhere
    assert len(many) == len(few) == 4


def test_does_my_training_take_four_queries_however_many_modules_and_assignments(session, scene):
    learner = _crowd(session, scene, 3)[1]
    for n in range(5):
        make_assignment(session, make_module(session, f"Extra {n}"), scene["council"], due_on=dt.date(2026, 5, n + 1))
    session.commit()
    [learner] = fresh(session, [learner])
    with counted_queries() as sent:
        statuses = training_status(session, learner, NOW)
    assert len(sent) == 4 and len(statuses) == 7 and all(s.assigned for s in statuses)


COMPLIANCE_OF_STATUS = {"completed": "in date", "due for refresher": "due", "overdue": "expired"}


def test_do_my_training_the_compliance_report_and_the_learner_list_agree_about_the_same_people(session, scene):
    council, housing = scene["council"], scene["housing"]
    make_assignment(session, scene["hate_crime"], council, due_on=dt.date(2026, 1, 31))
    make_assignment(session, scene["prevent"], council, department=housing, due_on=dt.date(2026, 3, 31))
    people = [person(session, council, housing if n % 2 else None, email=f"person{n}@council.example") for n in range(6)]
    earned = [dt.datetime(2025, 6, 1, 9), dt.datetime(2024, 3, 1, 9), dt.datetime(2024, 1, 1, 9), None, dt.datetime(2025, 3, 1, 9), None]
    for learner, moment in zip(people, earned, strict=True):
        if moment:
            make_completion(session, learner, scene["hate_crime"], moment)
            make_completion(session, learner, scene["prevent"], moment)
    session.commit()
    mine = {(s.user.email, s.module.title): COMPLIANCE_OF_STATUS.get(s.status, "never") if s.completion else "never"
            for learner in people for s in training_status(session, learner, NOW) if s.assigned}
    listed = {(row[1], row[3]): row[5] for row in learners_table(session, ReportScope("", organisation_id=council.id), NOW).rows
              if row[4] == "Yes"}
    assert listed == mine and set(mine.values()) == {"in date", "due", "expired", "never"}
    counted = {(row[1], row[2]): row[6:] for row in compliance_table(session, ReportScope("", organisation_id=council.id), NOW).rows}
    for (department, title), counts in counted.items():
        states = [state for (email, module), state in mine.items() if module == title]
        assert counts == tuple(states.count(s) for s in ("in date", "due", "expired", "never")), (department, title)
    assert sum(sum(c) for c in counted.values()) == len(mine) == 6 + 3
