"""Do the counts follow the written definitions: periods by UK local date, sessions and people by channel,
organisation type groups, every organisation (even one with nothing recorded), the quarterly trend,
compliance with assignments, and the learner list a page at a time?"""

from __future__ import annotations

import datetime as dt

import pytest

from lms.models import OrganisationType, Role
from lms.services.periods import parse_period
from lms.services.reports import (
    ReportScope,
    compliance_table,
    dashboard_tables,
    headline,
    learner_page,
    learners_table,
    training_counts,
    trend_table,
)
from tests.builders import make_assignment, make_completion, make_department, make_organisation, make_partnership, make_user
from tests.lms.reporting_builders import make_module, make_session_with_audience

NOW = dt.datetime(2025, 11, 15, 12, 0)


@pytest.fixture
def scene(session):
    """A council and a police force in one partnership, a business elsewhere, one module."""
    partnership = make_partnership(session, "Home")
    council = make_organisation(session, partnership, "Council", OrganisationType.LOCAL_AUTHORITY)
    police = make_organisation(session, partnership, "Police", OrganisationType.POLICE)
    business = make_organisation(session, make_partnership(session, "Away"), "Shop", OrganisationType.BUSINESS)
    module = make_module(session, "Hate crime", refresher_months=12)
    session.commit()
    return partnership, council, police, business, module


def totals(rows) -> dict[tuple[str, str], tuple[int, int]]:
    return {(r.organisation, r.channel): (r.sessions_delivered, r.people_trained) for r in rows}


@pytest.mark.parametrize(("completed_at", "inside", "outside"), [
    # BST always starts by 31 March, so 23:30 UTC that night is 00:30 on 1 April in the UK: the new financial year
    (dt.datetime(2024, 3, 31, 23, 30), ["2024-25-Q1", "2024-25", "2024-04-01..2024-04-01"], ["2023-24", "2024-03-31..2024-03-31"]),
    # 22:59 UTC on 31 March is 23:59 BST: still the last day of 2023/24
    (dt.datetime(2024, 3, 31, 22, 59), ["2023-24-Q4", "2023-24", "2024-03-31..2024-03-31"], ["2024-25-Q1", "2024-04-01..2024-04-30"]),
    # 23:30 UTC on 30 June during BST is 00:30 on 1 July in the UK: the second quarter
    (dt.datetime(2024, 6, 30, 23, 30), ["2024-25-Q2", "2024-07-01..2024-07-01"], ["2024-25-Q1", "2024-06-01..2024-06-30"]),
    # 22:59 UTC on 30 June during BST is 23:59 on 30 June: still the first quarter, on its last day
    (dt.datetime(2024, 6, 30, 22, 59), ["2024-25-Q1", "2024-06-30..2024-06-30"], ["2024-25-Q2", "2024-07-01..2024-09-30"]),
    # 23:30 UTC on 31 December is GMT, so still 31 December: the third quarter
    (dt.datetime(2024, 12, 31, 23, 30), ["2024-25-Q3", "2024-12-31..2024-12-31"], ["2024-25-Q4", "2025-01-01..2025-03-31"]),
])
def test_is_a_completion_counted_in_the_period_of_its_uk_date(session, scene, completed_at, inside, outside):
    _partnership, council, _police, _business, module = scene
    make_completion(session, make_user(session, council), module, completed_at)
    session.commit()
    for text in inside:
        assert totals(training_counts(session, parse_period(text))) == {("Council", "e-learning"): (1, 1)}, text
    for text in outside:
        assert training_counts(session, parse_period(text)) == [], text


def test_are_custom_dates_applied_to_face_to_face_sessions_by_their_day(session, scene):
    _partnership, council, police, _business, module = scene
    make_session_with_audience(session, module, council, dt.date(2025, 5, 31), {council: 10, police: 4})
    session.commit()
    assert totals(training_counts(session, parse_period("2025-05-31..2025-05-31"))) == {
        ("Council", "face-to-face"): (1, 10), ("Police", "face-to-face"): (1, 4)}
    assert training_counts(session, parse_period("2025-06-01..2025-06-30")) == []


def test_do_e_learning_and_face_to_face_count_side_by_side(session, scene):
    partnership, council, police, business, module = scene
    learner = make_user(session, council)
    make_completion(session, learner, module, dt.datetime(2025, 10, 2, 9))
    make_completion(session, learner, module, dt.datetime(2025, 11, 2, 9), sequence=2)
    make_completion(session, make_user(session, police), module, dt.datetime(2025, 12, 1, 9))
    make_completion(session, make_user(session, business), module, dt.datetime(2025, 12, 1, 9))
    make_session_with_audience(session, module, council, dt.date(2025, 11, 20), {council: 12, police: 3})
    session.commit()
    rows = training_counts(session, parse_period("2025-26-Q3"), partnership_id=partnership.id)
    assert totals(rows) == {("Council", "e-learning"): (2, 1), ("Police", "e-learning"): (1, 1),
                            ("Council", "face-to-face"): (1, 12), ("Police", "face-to-face"): (1, 3)}
    tables = dashboard_tables(session, parse_period("2025-26-Q3"), ReportScope("Home", partnership_id=partnership.id), NOW)
    groups = {row[0]: row[1:] for row in tables["types"].rows}
    assert groups["Local authority"] == (2, 1, 1, 12, 3, 13)
    assert groups["Other statutory partners"] == (1, 1, 1, 3, 2, 4)
    assert groups["Businesses"] == (0, 0, 0, 0, 0, 0) and groups["Voluntary sector"] == (0, 0, 0, 0, 0, 0)
    assert tables["modules"].rows == [("Hate crime", 3, 2, 2, 15, 5, 17)]
    assert tables["counts"].rows[0] == ("Council", "Hate crime", "E-learning", 2, 1)
    assert tables["counts"].downloaded().rows[0] == (council.id, "Council", "Local authority", "Local authority", module.slug, "Hate crime",
                                                     "e-learning", 2, 1)
    assert headline(rows).sessions == 5 and headline(rows).people == 17  # the same sums as every breakdown


def test_is_every_organisation_listed_with_those_that_did_nothing_as_zeros(session, scene):
    partnership, council, police, _business, module = scene
    quiet = make_organisation(session, partnership, "Quiet charity", OrganisationType.VOLUNTARY)
    make_completion(session, make_user(session, council), module, dt.datetime(2025, 10, 2, 9))
    session.commit()
    table = dashboard_tables(session, parse_period("2025-26-Q3"), ReportScope("Home", partnership_id=partnership.id), NOW)["organisations"]
    assert table.active_rows() == [("Council", 1, 1, 0, 0, 1, 1)]
    assert table.idle_rows() == [("Police", 0, 0, 0, 0, 0, 0), ("Quiet charity", 0, 0, 0, 0, 0, 0)]
    assert [row[0] for row in table.downloaded().rows] == [council.id, police.id, quiet.id]  # ids, so twins stay apart


def test_does_the_trend_show_eight_quarters_with_the_same_numbers_as_each_quarter(session, scene):
    partnership, council, police, _business, module = scene
    make_completion(session, make_user(session, council), module, dt.datetime(2025, 4, 10, 9))
    make_completion(session, make_user(session, police), module, dt.datetime(2025, 8, 10, 9))
    make_session_with_audience(session, module, council, dt.date(2025, 8, 1), {council: 5})
    session.commit()
    scope = ReportScope("Home", partnership_id=partnership.id)
    trend = trend_table(session, parse_period("2025-26-Q3"), scope)
    assert [row[0] for row in trend.rows] == ["Q4 2023/24", "Q1 2024/25", "Q2 2024/25", "Q3 2024/25", "Q4 2024/25",
                                              "Q1 2025/26", "Q2 2025/26", "Q3 2025/26"]
    by_quarter = {row[0]: row[1:] for row in trend.rows}
    for key, label in (("2025-26-Q1", "Q1 2025/26"), ("2025-26-Q2", "Q2 2025/26")):
        quarter = dashboard_tables(session, parse_period(key), scope, NOW)["types"].rows
        assert by_quarter[label][-2:] == (sum(r[5] for r in quarter), sum(r[6] for r in quarter))


def test_does_the_headline_equal_the_trend_when_one_person_passes_two_modules_in_a_quarter(session, scene):
    """A lead's board reads both: someone who passed two modules is two people trained in each (per module)."""
    partnership, council, _police, _business, module = scene
    second = make_module(session, "Prevent awareness")
    person = make_user(session, council)
    make_completion(session, person, module, dt.datetime(2025, 8, 10, 9))
    make_completion(session, person, second, dt.datetime(2025, 8, 12, 9))
    session.commit()
    scope, period = ReportScope("Home", partnership_id=partnership.id), parse_period("2025-26-Q2")
    figures = headline(training_counts(session, period, partnership_id=partnership.id))
    quarter = {row[0]: row[1:] for row in trend_table(session, period, scope).rows}["Q2 2025/26"]
    assert (figures.elearning_sessions, figures.elearning_people) == quarter[:2] == (2, 2)


def test_is_compliance_counted_by_the_refresher_rule(session, scene):
    _partnership, council, _police, _business, module = scene
    housing = make_department(session, council, "Housing")
    make_assignment(session, module, council, due_on=dt.date(2025, 12, 31))
    in_date, due, expired, never = (make_user(session, council) for _ in range(4))
    left = make_user(session, council)
    left.active = False
    make_completion(session, in_date, module, NOW - dt.timedelta(days=30))
    make_completion(session, due, module, NOW - dt.timedelta(days=330))  # expires in about 35 days
    make_completion(session, expired, module, NOW - dt.timedelta(days=400))
    make_assignment(session, make_module(session, "Prevent"), council, department=housing, mandatory=False)
    session.commit()
    rows = compliance_table(session, ReportScope("Council", organisation_id=council.id), NOW).rows
    assert rows[0] == ("Council", "Whole organisation", "Hate crime", "Mandatory", dt.date(2025, 12, 31), 4, 1, 1, 1, 1)
    assert rows[1] == ("Council", "Housing", "Prevent", "Optional", None, 0, 0, 0, 0, 0)
    assert never.email in {row[1] for row in learners_table(session, ReportScope("Council", organisation_id=council.id), NOW).rows}


def test_does_a_deactivated_persons_completion_still_count(session, scene):
    _partnership, council, _police, _business, module = scene
    person = make_user(session, council, Role.LEARNER)
    make_completion(session, person, module, dt.datetime(2025, 10, 2, 9))
    person.active = False
    session.commit()
    assert totals(training_counts(session, parse_period("2025-26-Q3"))) == {("Council", "e-learning"): (1, 1)}


def test_is_the_learner_list_searched_and_shown_a_page_of_people_at_a_time(session, scene):
    _partnership, council, _police, _business, module = scene
    make_assignment(session, module, council)
    other = make_module(session, "Prevent")
    people = [make_user(session, council, email=f"person{n:02d}@council.example") for n in range(7)]
    for number, person in enumerate(people):
        person.full_name = f"Person {number:02d}"
    make_completion(session, people[3], other, NOW - dt.timedelta(days=10))  # an unassigned module they did anyway
    session.commit()
    scope = ReportScope("Council", organisation_id=council.id)
    first = learner_page(session, scope, NOW, per_page=3)
    assert (first.matching, first.page, first.pages, first.first, first.last) == (7, 1, 3, 1, 3)
    assert [rows[0][0] for rows in first.people] == ["Person 00", "Person 01", "Person 02"]
    second = learner_page(session, scope, NOW, page=2, per_page=3)
    assert [[row[3] for row in rows] for rows in second.people] == [["Hate crime", "Prevent"], ["Hate crime"], ["Hate crime"]]
    assert learner_page(session, scope, NOW, page=99, per_page=3).page == 3  # a stale link shows the last page
    assert learner_page(session, scope, NOW, page=0, per_page=3).page == 1
    found = learner_page(session, scope, NOW, search="  PERSON03@Council ", per_page=3)
    assert (found.matching, found.search, [rows[0][0] for rows in found.people]) == (1, "PERSON03@Council", ["Person 03"])
    assert learner_page(session, scope, NOW, search="person 0").matching == 7
    assert learner_page(session, scope, NOW, search="%").matching == 0  # searched as text, not as a pattern
    assert learner_page(session, scope, NOW, search="nobody").people == []
    assert len(learners_table(session, scope, NOW).rows) == 8  # the download: everyone, whatever the page or search
