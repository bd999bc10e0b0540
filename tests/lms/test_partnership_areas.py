"""Where training counts when an organisation serves several partnerships: a police force serving York and
North Yorkshire, its officers placed by their locality (their own, else their department's, else the
force's home), leads seeing only their own area, joint groups seeing the sum, and past quarters that
never move when someone changes locality."""

from __future__ import annotations

import datetime as dt

import pytest

from lms.models import Completion, OrganisationType, Role, SessionAudience
from lms.models.areas import JointGroup
from lms.permissions import report_scope, session_organisations
from lms.services.api_tokens import create_token
from lms.services.areas import set_served_partnerships
from lms.services.delivery import SessionRecord, record_session
from lms.services.localities import locality_of
from lms.services.organisations import AdminError, update_organisation
from lms.services.periods import parse_period
from lms.services.reports import ReportScope, compliance_table, dashboard_tables, headline, training_counts
from tests.builders import make_assignment, make_completion, make_department, make_organisation, make_partnership, make_user
from tests.lms.reporting_builders import make_module, signed_in

Q3 = parse_period("2025-26-Q3")
IN_Q3, IN_Q4 = dt.datetime(2025, 11, 3, 10), dt.datetime(2026, 2, 3, 10)
NOW = dt.datetime(2026, 2, 10, 12)


@pytest.fixture
def yorkshire(session):
    """York and North Yorkshire; North Yorkshire Police (home North Yorkshire) also serves York; a third area elsewhere."""
    york, north = make_partnership(session, "Safer York"), make_partnership(session, "North Yorkshire")
    elsewhere = make_partnership(session, "Elsewhere")
    council = make_organisation(session, york, "City of York Council")
    police = make_organisation(session, north, "North Yorkshire Police", OrganisationType.POLICE)
    police.other_partnerships.append(york)
    york_district = make_department(session, police, "York district")
    york_district.locality_id = york.id
    module = make_module(session, "Hate crime")
    people = {
        "york_lead": make_user(session, council, Role.PARTNERSHIP_LEAD, email="lead@york.example"),
        "north_lead": make_user(session, make_organisation(session, north, "North Yorkshire Council"), Role.PARTNERSHIP_LEAD,
                                email="lead@northyorks.example"),
        "far_lead": make_user(session, make_organisation(session, elsewhere, "Far Council"), Role.PARTNERSHIP_LEAD,
                              email="lead@far.example"),
        "police_admin": make_user(session, police, Role.ORG_ADMIN, email="admin@police.example"),
        "york_officer": make_user(session, police, email="york.officer@police.example"),
        "district_officer": make_user(session, police, email="district.officer@police.example"),
        "harrogate_officer": make_user(session, police, email="harrogate.officer@police.example"),
        "clerk": make_user(session, council, email="clerk@york.example"),
    }
    people["york_officer"].locality_id = york.id
    people["district_officer"].department_id = york_district.id
    session.flush()
    session.refresh(people["district_officer"])
    return {"york": york, "north": north, "elsewhere": elsewhere, "council": council, "police": police, "module": module,
            "district": york_district, **people}


def sessions_by_organisation(rows) -> dict[str, int]:
    found: dict[str, int] = {}
    for row in rows:
        found[row.organisation] = found.get(row.organisation, 0) + row.sessions_delivered
    return found


def test_does_each_officer_count_for_the_partnership_they_work_in(session, yorkshire):
    y = yorkshire
    for name in ("york_officer", "district_officer", "harrogate_officer", "clerk"):
        make_completion(session, y[name], y["module"], IN_Q3)
    session.commit()
    york = training_counts(session, Q3, scope=report_scope(y["york_lead"]))
    north = training_counts(session, Q3, scope=report_scope(y["north_lead"]))
    assert sessions_by_organisation(york) == {"City of York Council": 1, "North Yorkshire Police": 2}
    assert sessions_by_organisation(north) == {"North Yorkshire Police": 1}
    assert training_counts(session, Q3, scope=report_scope(y["far_lead"])) == []
    # the force's own admin sees all of its officers, wherever they work
    assert sessions_by_organisation(training_counts(session, Q3, scope=report_scope(y["police_admin"]))) == {"North Yorkshire Police": 3}


def test_does_an_officer_s_own_locality_win_over_their_department_s(session, yorkshire):
    y = yorkshire
    officer = y["district_officer"]
    assert locality_of(officer) == y["york"].id
    officer.locality_id = y["north"].id
    assert locality_of(officer) == y["north"].id


def test_does_a_locality_the_organisation_no_longer_serves_fall_back_to_its_home(session, yorkshire):
    y = yorkshire
    y["police"].other_partnerships.clear()
    session.flush()
    assert locality_of(y["york_officer"]) == y["north"].id
    assert locality_of(y["district_officer"]) == y["north"].id


def test_do_past_quarters_stay_put_when_an_officer_moves_area(session, yorkshire):
    y = yorkshire
    officer = y["york_officer"]
    make_completion(session, officer, y["module"], IN_Q3)
    session.commit()
    officer.locality_id = y["north"].id  # moves to Harrogate in the new year
    session.flush()
    make_completion(session, officer, make_module(session, "Prevent"), IN_Q4)
    session.commit()
    york, north = report_scope(y["york_lead"]), report_scope(y["north_lead"])
    assert headline(training_counts(session, Q3, scope=york)).elearning_sessions == 1
    assert headline(training_counts(session, Q3, scope=north)).elearning_sessions == 0
    q4 = parse_period("2025-26-Q4")
    assert headline(training_counts(session, q4, scope=york)).elearning_sessions == 0
    assert headline(training_counts(session, q4, scope=north)).elearning_sessions == 1


def test_does_a_joint_group_lead_see_the_sum_of_its_partnerships(session, yorkshire):
    y = yorkshire
    for name in ("york_officer", "harrogate_officer", "clerk"):
        make_completion(session, y[name], y["module"], IN_Q3)
    group = JointGroup(slug="hate-crime-group", name="Hate crime and community cohesion group", partnerships=[y["york"], y["north"]])
    session.add(group)
    session.flush()
    joint_lead = make_user(session, y["council"], Role.PARTNERSHIP_LEAD, email="joint@york.example")
    joint_lead.joint_group_id = group.id
    session.commit()
    scope = report_scope(joint_lead)
    assert scope.label == "Hate crime and community cohesion group"
    assert set(scope.area_ids) == {y["york"].id, y["north"].id}
    assert headline(training_counts(session, Q3, scope=scope)).elearning_sessions == 3


def test_do_rows_an_older_release_wrote_count_for_the_organisation_s_home(session, yorkshire):
    """During an upgrade an old server writes completions without a partnership: they count where they did before."""
    y = yorkshire
    completion = make_completion(session, y["york_officer"], y["module"], IN_Q3)
    completion.partnership_id = None
    session.commit()
    assert headline(training_counts(session, Q3, scope=report_scope(y["north_lead"]))).elearning_sessions == 1
    assert headline(training_counts(session, Q3, scope=report_scope(y["york_lead"]))).elearning_sessions == 0


def test_does_a_session_for_york_count_the_force_s_attendees_for_york(session, yorkshire):
    y = yorkshire
    y["module"].current_version.published_at = dt.datetime(2024, 1, 1)
    trainer = make_user(session, y["council"], Role.TRAINER, email="trainer@york.example")
    session.commit()
    allowed = {o.id: o for o in session_organisations(session, trainer)}
    assert y["police"].id in allowed  # the force serves York, so York's trainers can record it in an audience
    training = record_session(session, trainer, allowed, SessionRecord(
        y["module"].id, dt.date(2025, 11, 4), "Guildhall", y["council"].id, {y["council"].id: 6, y["police"].id: 4},
        attendee_emails=["york.officer@police.example"]), today=dt.date(2025, 12, 1))
    assert training.partnership_id == y["york"].id
    assert {line.partnership_id for line in session.query(SessionAudience).filter_by(session_id=training.id)} == {y["york"].id}
    named = session.query(Completion).filter_by(session_id=training.id).one()
    assert named.partnership_id == y["york"].id
    york = headline(training_counts(session, Q3, scope=report_scope(y["york_lead"])))
    assert (york.face_to_face_sessions, york.face_to_face_people) == (2, 10)
    assert headline(training_counts(session, Q3, scope=report_scope(y["north_lead"]))).face_to_face_sessions == 0


def test_does_an_audience_from_outside_the_area_count_for_its_own_home(session, yorkshire):
    """A site admin's session for York with an audience from a council elsewhere: that council's people count where it is."""
    y = yorkshire
    y["module"].current_version.published_at = dt.datetime(2024, 1, 1)
    far_council = y["far_lead"].organisation
    admin = make_user(session, y["council"], Role.SITE_ADMIN, email="site@admin.example")
    session.commit()
    allowed = {o.id: o for o in session_organisations(session, admin)}
    record_session(session, admin, allowed, SessionRecord(y["module"].id, dt.date(2025, 11, 4), "Guildhall", y["council"].id,
                                                           {y["police"].id: 3, far_council.id: 5}), today=dt.date(2025, 12, 1))
    assert headline(training_counts(session, Q3, scope=report_scope(y["york_lead"]))).face_to_face_people == 3
    assert headline(training_counts(session, Q3, scope=report_scope(y["far_lead"]))).face_to_face_people == 5


def test_does_a_york_lead_s_compliance_count_york_based_officers_only(session, yorkshire):
    y = yorkshire
    make_assignment(session, y["module"], y["police"])
    make_completion(session, y["york_officer"], y["module"], IN_Q3)
    session.commit()
    rows = compliance_table(session, report_scope(y["york_lead"]), NOW).rows
    police_row = next(row for row in rows if row[0] == "North Yorkshire Police")
    assert police_row[5:] == (2, 1, 0, 0, 1)  # the York officer (in date) and the York district officer (never)
    north_row = next(row for row in compliance_table(session, report_scope(y["north_lead"]), NOW).rows
                     if row[0] == "North Yorkshire Police")
    assert north_row[5:] == (2, 0, 0, 0, 2)  # the Harrogate officer and the force's admin, both at home


def test_can_a_york_lead_open_the_force_s_york_figures_but_a_far_lead_cannot(app, session, yorkshire):
    y = yorkshire
    make_completion(session, y["york_officer"], y["module"], IN_Q3)
    make_completion(session, y["harrogate_officer"], y["module"], IN_Q3)
    session.commit()
    police_id = y["police"].id
    york = signed_in(app, "lead@york.example")
    page = york.get(f"/reports/?period=2025-26-Q3&organisation={police_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "North Yorkshire Police in Safer York" in text
    download = york.get(f"/reports/export/counts.csv?period=2025-26-Q3&organisation={police_id}").get_data(as_text=True)
    assert download.splitlines()[-1].endswith(",1,1")  # one session, one person: the York officer only
    assert "North Yorkshire Police" in york.get("/reports/organisations?period=2025-26-Q3").get_data(as_text=True)
    far = signed_in(app, "lead@far.example")
    assert far.get(f"/reports/?period=2025-26-Q3&organisation={police_id}").status_code == 404


def test_do_a_force_s_trainers_record_for_organisations_in_either_area(session, yorkshire):
    y = yorkshire
    trainer = make_user(session, y["police"], Role.TRAINER, email="trainer@police.example")
    session.commit()
    names = {o.name for o in session_organisations(session, trainer)}
    assert {"City of York Council", "North Yorkshire Police", "North Yorkshire Council"} <= names
    assert "Far Council" not in names


def test_does_the_report_scope_of_an_organisation_keep_every_officer(session, yorkshire):
    y = yorkshire
    make_completion(session, y["york_officer"], y["module"], IN_Q3)
    make_completion(session, y["harrogate_officer"], y["module"], IN_Q3)
    session.commit()
    scope = ReportScope("North Yorkshire Police", organisation_id=y["police"].id)
    assert headline(training_counts(session, Q3, scope=scope)).elearning_sessions == 2


def test_does_a_force_that_stops_serving_york_keep_its_past_york_figures(session, yorkshire):
    """Past quarters never move: York's Q3 keeps the officer's pass after the force stops serving York."""
    y = yorkshire
    make_completion(session, y["york_officer"], y["module"], IN_Q3)
    y["module"].current_version.published_at = dt.datetime(2024, 1, 1)
    trainer = make_user(session, y["council"], Role.TRAINER, email="trainer@york.example")
    session.commit()
    record_session(session, trainer, {o.id: o for o in session_organisations(session, trainer)}, SessionRecord(
        y["module"].id, dt.date(2025, 11, 4), "Guildhall", y["council"].id, {y["police"].id: 4}), today=dt.date(2025, 12, 1))
    york = report_scope(y["york_lead"])
    before = dashboard_tables(session, Q3, york, NOW)
    y["police"].other_partnerships.clear()
    session.commit()
    after = dashboard_tables(session, Q3, york, NOW)
    for key in ("organisations", "counts", "modules", "types", "trend"):
        assert after[key].rows == before[key].rows, key
    assert ("North Yorkshire Police", 1, 1, 1, 4, 2, 5) in after["organisations"].rows


def _token_counts(app, session, creator, organisation) -> dict:
    plain, _token = create_token(session, "BI tool", organisation=organisation, created_by_id=creator.id)
    response = app.test_client().get("/api/v1/counts?period=2025-26-Q3", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200
    return {(row["organisation"], row["channel"]): row["sessions_delivered"] for row in response.get_json()["rows"]}


def test_does_a_lead_s_organisation_token_read_only_their_area_s_share(app, session, yorkshire):
    """An API token is no way round the area: the North Yorkshire lead's token for the force reads its North Yorkshire training."""
    y = yorkshire
    make_completion(session, y["york_officer"], y["module"], IN_Q3)
    make_completion(session, y["harrogate_officer"], y["module"], IN_Q3)
    session.commit()
    assert _token_counts(app, session, y["north_lead"], y["police"]) == {("North Yorkshire Police", "e-learning"): 1}
    assert _token_counts(app, session, y["york_lead"], y["police"]) == {("North Yorkshire Police", "e-learning"): 1}
    admin = make_user(session, y["council"], Role.SITE_ADMIN, email="site@admin.example")
    session.commit()
    assert _token_counts(app, session, admin, y["police"]) == {("North Yorkshire Police", "e-learning"): 2}


def test_may_a_york_lead_make_a_token_for_a_force_serving_york_but_a_joint_lead_none(app, session, yorkshire):
    y = yorkshire
    group = JointGroup(slug="group", name="Group", partnerships=[y["york"], y["north"]])
    session.add(group)
    session.flush()
    joint_lead = make_user(session, y["council"], Role.PARTNERSHIP_LEAD, email="joint@york.example")
    joint_lead.joint_group_id = group.id
    session.commit()
    page = signed_in(app, "lead@york.example").get("/admin/api-tokens").get_data(as_text=True)
    assert f'value="organisation:{y["police"].id}"' in page
    assert signed_in(app, "joint@york.example").get("/admin/api-tokens").status_code == 403


def test_can_a_force_not_take_the_name_of_an_organisation_in_a_partnership_it_serves(app, session, yorkshire):
    """Reports list a shared force beside the partnership's own organisations: it must not pass for one of them."""
    y = yorkshire
    with pytest.raises(AdminError, match="There is already an organisation called 'City of York Council' in a partnership it serves"):
        update_organisation(session, y["police"], "City of York Council", OrganisationType.LOCAL_AUTHORITY, None)
    session.rollback()
    twin = make_organisation(session, y["north"], "City of York Council")
    session.commit()
    with pytest.raises(AdminError, match="Another organisation called 'City of York Council' serves one of those partnerships"):
        set_served_partnerships(session, twin, [y["york"].id], None)


def test_do_a_lead_s_report_pages_say_how_partner_agencies_count(app, session, yorkshire):
    york = signed_in(app, "lead@york.example")
    note = "Partner agencies that also serve another partnership count here only for their staff working in Safer York&#39;s area."
    assert note in york.get("/reports/?period=2025-26-Q3").get_data(as_text=True)
    assert note in york.get("/reports/organisations?period=2025-26-Q3").get_data(as_text=True)
    far = signed_in(app, "lead@far.example").get("/reports/?period=2025-26-Q3").get_data(as_text=True)
    assert "Partner agencies that also serve" not in far
