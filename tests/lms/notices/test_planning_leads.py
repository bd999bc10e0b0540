"""Does a partnership lead hear once a quarter that the figures are ready, with no one named, and does an
admin hear when their import has finished?"""

from __future__ import annotations

import datetime as dt

from lms.db import write_transaction
from lms.models import Role, User
from lms.services.notices.planning import plan_quarterly, quarter_to_report
from lms.services.periods import parse_period, quarter_months
from lms.services.reports import headline, training_counts
from lms.services.user_import import import_people
from tests.builders import capture_mail, make_organisation
from tests.lms.notices.planning_builders import choose, complete, learner_in, notices, uk_time, world


def _lead_world(session):
    """A partnership whose lead sees two learners' completions in July to September 2026 (Q2 2026/27)."""
    w = world(session)
    with write_transaction(session):
        police = make_organisation(session, w.partnership, name="Northshire Police")
        lead = learner_in(session, w.organisation, role=Role.PARTNERSHIP_LEAD, email="lead@northshire.gov.uk")
        robin = learner_in(session, police, email="robin.jones@police.example.org")
        robin.full_name = "Robin Jones"
    complete(session, w.learner, w.module, dt.datetime(2026, 7, 14, 10))
    complete(session, robin, w.module, dt.datetime(2026, 9, 30, 22, 30))  # 23:30 BST on 30 September: still Q2
    return w, lead, robin


def test_is_a_quarter_reported_from_seven_days_after_it_ended_by_the_uk_date():
    """Q2 ends on 30 September: late face-to-face records have until the 7th, so the 8th is its first day."""
    assert quarter_to_report(dt.datetime(2026, 10, 1, 7)) == 20261
    assert quarter_to_report(dt.datetime(2026, 10, 7, 22, 59)) == 20261  # 23:59 BST on 7 October
    assert quarter_to_report(dt.datetime(2026, 10, 7, 23, 30)) == 20262  # 00:30 BST on 8 October
    assert quarter_to_report(dt.datetime(2027, 1, 8, 7)) == 20263
    assert quarter_to_report(dt.datetime(2027, 4, 9)) == 20264


def test_does_a_lead_get_the_quarters_figures_once_after_it_ends(session):
    w, lead, _robin = _lead_world(session)
    assert plan_quarterly(session, dt.datetime(2026, 9, 15)) == 1, "the first run tells them about the quarter before"
    assert plan_quarterly(session, dt.datetime(2026, 10, 1, 7)) == 0, "late records may still come in"
    assert plan_quarterly(session, dt.datetime(2026, 10, 7, 22, 59)) == 0
    assert plan_quarterly(session, dt.datetime(2026, 10, 7, 23, 30)) == 1
    assert plan_quarterly(session, uk_time(dt.date(2026, 11, 15))) == 0
    [_q1, q2] = notices(session, lead)
    assert (q2.kind, q2.subject, q2.stage) == ("quarter-figures", f"partnership:{w.partnership.id}", "2026-27-Q2")
    assert q2.email_subject == "Your training figures for Q2 2026/27 are ready"
    figures = headline(training_counts(session, parse_period("2026-27-Q2"), w.partnership.id))
    assert figures.sessions == 2
    assert f"Sessions delivered: {figures.sessions} (2 e-learning, 0 face to face)" in q2.body_text
    assert f"People trained: {figures.people} (2 e-learning, 0 face to face)" in q2.body_text
    assert "Organisations in the partnership: 2" in q2.body_text
    assert "http://127.0.0.1:5000/reports/?period=2026-27-Q2" in q2.body_text
    assert "Northshire Community Safety Partnership" in q2.body_html
    assert "for Q2 2026/27 (July to September 2026) are ready." in q2.body_text
    assert ("These are the figures as of 8 October 2026. They can still change if late records are added"
            in q2.body_text)
    assert "(July to September 2026)" in q2.body_html and "can still change if late records are added" in q2.body_html
    assert plan_quarterly(session, uk_time(dt.date(2027, 1, 7))) == 0
    assert plan_quarterly(session, uk_time(dt.date(2027, 1, 8))) == 1
    assert [n.stage for n in notices(session, lead)] == ["2026-27-Q1", "2026-27-Q2", "2026-27-Q3"]


def test_does_the_quarter_name_its_months_even_across_the_turn_of_the_year():
    assert [quarter_months(code) for code in (20261, 20262, 20263, 20264)] == [
        "April to June 2026", "July to September 2026", "October to December 2026", "January to March 2027"]


def test_does_the_leads_message_name_no_one(session):
    w, lead, robin = _lead_world(session)
    plan_quarterly(session, uk_time(dt.date(2026, 10, 8)))
    [notice] = notices(session, lead)
    for part in (notice.body_text, notice.body_html.replace(f"Hello {lead.full_name}", "")):
        for person in (w.learner, robin):
            assert person.email not in part and person.full_name not in part.replace(f"Hello {lead.full_name}", "")
    assert notice.body_text.startswith(f"Hello {lead.full_name},")


def test_does_a_lead_who_switched_the_figures_off_get_none(session):
    _w, lead, _robin = _lead_world(session)
    choose(session, lead, quarterly_figures=False)
    assert plan_quarterly(session, uk_time(dt.date(2026, 10, 8))) == 0


def test_does_each_partnership_lead_get_their_own_partnerships_figures(session):
    w, lead, _robin = _lead_world(session)
    other = world(session)
    with write_transaction(session):
        other_lead = learner_in(session, other.organisation, role=Role.PARTNERSHIP_LEAD)
    assert plan_quarterly(session, uk_time(dt.date(2026, 10, 8))) == 2
    assert "Sessions delivered: 2 " in notices(session, lead)[0].body_text
    [theirs] = notices(session, other_lead)
    assert theirs.subject == f"partnership:{other.partnership.id}" and "Sessions delivered: 0 " in theirs.body_text


CSV = "email,full_name\nsam.patel@northshire.gov.uk,Sam Patel\nnot-an-email,Nobody\nkim.lee@northshire.gov.uk,Kim Lee\n"


def test_is_the_importing_admin_told_when_their_import_has_finished(session, monkeypatch):
    capture_mail(monkeypatch)
    w = world(session)
    with write_transaction(session):
        admin = learner_in(session, w.organisation, role=Role.ORG_ADMIN)
    import_people(session, w.organisation, CSV.encode(), admin.id, only_valid=True)
    import_people(session, w.organisation, CSV.encode(), admin.id, only_valid=True)
    first, again = notices(session, admin, "import-finished")
    assert first.subject == again.subject == f"organisation:{w.organisation.id}" and first.stage != again.stage
    assert first.email_subject == "Your import of people into Northshire County Council has finished"
    assert "Added: 2\nAlready there and left as they were: 0\nRows left out because they had a problem: 1" in first.body_text
    assert "Added: 0\nAlready there and left as they were: 2\nRows left out because they had a problem: 1" in again.body_text
    assert f"http://127.0.0.1:5000/admin/organisations/{w.organisation.id}/people" in first.body_text
    assert first.status == "pending" and first.unsubscribe_url == ""
    for part in (first.body_text, again.body_text, again.body_html):
        assert "The import page showed why that row was left out. To add that person, correct the row and import" in part
    assert "Each person added gets an email" in first.body_text and "Each person added gets an email" in first.body_html
    assert "Each person added" not in again.body_text and "Each person added" not in again.body_html, "nobody was added"


def test_does_an_import_with_nothing_left_out_not_talk_about_left_out_rows(session, monkeypatch):
    capture_mail(monkeypatch)
    w = world(session)
    with write_transaction(session):
        admin = learner_in(session, w.organisation, role=Role.ORG_ADMIN)
    import_people(session, w.organisation, b"email,full_name\nsam.patel@northshire.gov.uk,Sam Patel\n", admin.id)
    [notice] = notices(session, admin, "import-finished")
    assert "Rows left out because they had a problem: 0" in notice.body_text and "import page showed" not in notice.body_text


def test_is_an_import_that_imported_nothing_or_had_no_admin_silent(session, monkeypatch):
    capture_mail(monkeypatch)
    w = world(session)
    with write_transaction(session):
        admin = learner_in(session, w.organisation, role=Role.ORG_ADMIN)
    result = import_people(session, w.organisation, CSV.encode(), admin.id)
    assert not result.imported, "a bad row and no 'only the valid rows': nothing imported"
    import_people(session, w.organisation, CSV.encode(), None, only_valid=True)  # e.g. `flask` command, no admin
    assert notices(session, kind="import-finished") == []
    assert session.query(User).filter(User.email == "sam.patel@northshire.gov.uk").count() == 1
