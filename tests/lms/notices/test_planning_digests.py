"""Does a weekly person get one digest of what is still true, and an organisation admin the compliance report's figures?"""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy.orm import Session

from lms.db import db, write_transaction
from lms.models import Notice, Role
from lms.services.notices.planning import plan_daily, plan_weekly
from lms.services.reports import ReportScope, compliance_table
from tests.builders import make_assignment, make_department
from tests.lms.notices.planning_builders import assign, choose, complete, learner_in, make_module, notices, uk_time, world

FRIDAY, MONDAY = dt.date(2026, 12, 4), dt.date(2026, 12, 7)
DUE = dt.date(2026, 12, 18)  # 14 days after Friday 4 December 2026


def test_does_a_weekly_learner_get_one_digest_of_their_held_reminders(session):
    w = world(session)
    optional = _module(session, "Hate crime awareness")
    assign(session, w.module, w.organisation, DUE)
    assign(session, optional, w.organisation, None, made=uk_time(dt.date(2026, 12, 1)), mandatory=False)
    choose(session, w.learner, reminders="weekly")
    assert plan_daily(session, uk_time(FRIDAY)) == 2
    assert plan_weekly(session, uk_time(MONDAY)) == 1
    [digest] = notices(session, w.learner, "learner-digest")
    assert (digest.subject, digest.stage, digest.status) == (f"person:{w.learner.id}", "2026-W50", "pending")
    assert digest.email_subject == "Your training reminders for the week of 7 December 2026"
    assert ("Mandatory training you still need to do. This is all of it, most urgent first:\n\n"
            "- Domestic abuse awareness: due in 11 days, by 18 December 2026") in digest.body_text
    assert ("Optional training you were reminded about this week:\n\n"
            "- Hate crime awareness: assigned to you, no due date") in digest.body_text
    assert digest.mandatory and "/unsubscribe/" in digest.unsubscribe_url and digest.unsubscribe_url in digest.body_text
    gathered = [n for n in notices(session, w.learner) if n.kind != "learner-digest"]
    assert [(n.status, n.digest_id) for n in gathered] == [("in_digest", digest.id)] * 2
    assert plan_weekly(session, uk_time(MONDAY, 9)) == 0, "run again the same week"


def test_is_a_reminder_no_longer_true_by_monday_left_out_of_the_digest(session):
    w = world(session)
    assign(session, w.module, w.organisation, DUE)
    choose(session, w.learner, reminders="weekly")
    plan_daily(session, uk_time(FRIDAY))
    complete(session, w.learner, w.module, uk_time(dt.date(2026, 12, 5), 10))
    assert plan_weekly(session, uk_time(MONDAY)) == 0
    assert [(n.kind, n.status) for n in notices(session, w.learner)] == [("due-14", "cancelled")]


def test_does_a_digest_describe_where_the_learner_stands_on_monday(session):
    """A 'due in 3 days' held on Friday is overdue by the next Monday: the digest says so."""
    w = world(session)
    assign(session, w.module, w.organisation, dt.date(2026, 12, 6))
    choose(session, w.learner, reminders="weekly")
    plan_daily(session, uk_time(dt.date(2026, 12, 3)))
    assert plan_weekly(session, uk_time(MONDAY)) == 1
    [digest] = notices(session, w.learner, "learner-digest")
    assert "- Domestic abuse awareness: overdue, was due by 6 December 2026" in digest.body_text


def test_does_a_digest_list_every_outstanding_mandatory_module_overdue_first_then_soonest_due(session):
    """Only Prevent's reminder is held this week, yet the digest is the full list of what the person must do."""
    w = world(session)
    prevent, done, optional = (_module(session, title) for title in ("Prevent", "Hate crime awareness", "Modern slavery"))
    assign(session, w.module, w.organisation, dt.date(2026, 11, 20))  # long overdue; its reminder went weeks ago
    assign(session, prevent, w.organisation, DUE)
    assign(session, done, w.organisation, dt.date(2026, 10, 1))
    assign(session, optional, w.organisation, dt.date(2026, 10, 1), mandatory=False)  # nothing held about it
    complete(session, w.learner, done, dt.datetime(2026, 9, 1))
    with write_transaction(session):
        session.add(Notice(user_id=w.learner.id, kind="overdue", subject=f"module:{w.module.id}", stage="2026-11-20",
                           status="sent", email_subject="-", body_text="-"))
        session.add(Notice(user_id=w.learner.id, kind="overdue", subject=f"module:{optional.id}", stage="2026-10-01",
                           status="sent", email_subject="-", body_text="-"))
    choose(session, w.learner, reminders="weekly")
    assert plan_daily(session, uk_time(FRIDAY)) == 1, "Prevent's due-14, held"
    assert plan_weekly(session, uk_time(MONDAY)) == 1
    [digest] = notices(session, w.learner, "learner-digest")
    assert ("- Domestic abuse awareness: overdue, was due by 20 November 2026\n  http://127.0.0.1:5000/modules/"
            in digest.body_text)
    assert digest.body_text.index("Domestic abuse awareness") < digest.body_text.index("- Prevent: due in 11 days, by 18 December 2026")
    assert "Hate crime awareness" not in digest.body_text and "Modern slavery" not in digest.body_text
    assert "Optional training" not in digest.body_text
    assert digest.body_html.index("Domestic abuse awareness</a>: overdue") < digest.body_html.index("Prevent</a>: due in 11 days")


def test_does_a_digest_footer_offer_only_what_the_person_does_not_already_have(session):
    w = world(session)
    assign(session, w.module, w.organisation, DUE)
    choose(session, w.learner, reminders="weekly", optional_reminders=False)
    plan_daily(session, uk_time(FRIDAY))
    plan_weekly(session, uk_time(MONDAY))
    [digest] = notices(session, w.learner, "learner-digest")
    for part in (digest.body_text, digest.body_html):
        assert "You chose one email each Monday" in part and "in one email each Monday instead" not in part
        assert "Stop reminders about optional training" not in part and "/unsubscribe/" not in part
    assert digest.unsubscribe_url == ""


def test_does_a_digest_footer_still_offer_the_optional_stop_link_to_someone_who_gets_them(session):
    w = world(session)
    assign(session, w.module, w.organisation, DUE)
    choose(session, w.learner, reminders="weekly")
    plan_daily(session, uk_time(FRIDAY))
    plan_weekly(session, uk_time(MONDAY))
    [digest] = notices(session, w.learner, "learner-digest")
    assert "Stop reminders about optional training: http" in digest.body_text and "You chose one email each Monday" in digest.body_text


def test_does_each_person_without_a_held_reminder_get_no_digest(session):
    w = world(session)
    assign(session, w.module, w.organisation, DUE)
    plan_daily(session, uk_time(FRIDAY))
    assert plan_weekly(session, uk_time(MONDAY)) == 0
    assert [n.kind for n in notices(session, w.learner)] == ["due-14"]


def _compliance_world(session):
    """An organisation whose people stand every way with one mandatory module, and a department's optional one."""
    w = world(session)
    optional = _module(session, "Hate crime awareness")
    with write_transaction(session):
        housing = make_department(session, w.organisation, "Housing")
        admin = learner_in(session, w.organisation, role=Role.ORG_ADMIN)
        in_date, due, expired = (learner_in(session, w.organisation) for _ in range(3))
        due.department_id = housing.id
        make_assignment(session, optional, w.organisation, housing, due_on=None, mandatory=False)
    assign(session, w.module, w.organisation, dt.date(2026, 3, 31))
    complete(session, in_date, w.module, dt.datetime(2026, 6, 1))
    complete(session, due, w.module, dt.datetime(2025, 1, 20))  # runs out on 20 January 2027: due for refresher
    complete(session, expired, w.module, dt.datetime(2024, 6, 1))
    return w, admin


def test_does_an_organisation_admin_get_the_compliance_reports_figures_each_week(session):
    w, admin = _compliance_world(session)
    now = uk_time(MONDAY)
    assert plan_weekly(session, now) == 1
    [digest] = notices(session, admin, "org-digest")
    assert (digest.subject, digest.stage) == (f"organisation:{w.organisation.id}", "2026-W50")
    assert digest.email_subject == "Northshire County Council: training compliance for the week of 7 December 2026"
    report = compliance_table(session, ReportScope(w.organisation.name, organisation_id=w.organisation.id), now)
    by_module = {row[2]: row[5:] for row in report.rows}
    # The learner and the admin have never done it: five people, one in each other state.
    assert by_module == {"Domestic abuse awareness": (5, 1, 1, 1, 2), "Hate crime awareness": (1, 0, 0, 0, 1)}
    assert ("Domestic abuse awareness (Whole organisation, mandatory, due by 31 March 2026):\n"
            "  5 people: 1 in date, 1 refresher due, 1 expired, 2 never completed (2 past the due date)") in digest.body_text
    assert ("Hate crime awareness (Housing, optional):\n"
            "  1 person: 0 in date, 0 refresher due, 0 expired, 1 never completed (0 past the due date)") in digest.body_text
    assert ("Across the assigned modules (a person counts once for each module assigned to them): 1 in date, "
            "1 refresher due, 1 expired, 3 never completed, of whom 2 are past the due date.") in digest.body_text
    assert "<strong>2 overdue</strong>" in digest.body_html and "Refresher due</th>" in digest.body_html
    assert "http://127.0.0.1:5000/reports/compliance" in digest.body_text
    assert '<th scope="col"' in digest.body_html and "Amal Khan" not in digest.body_html.replace("Hello Amal Khan", "")
    assert "/unsubscribe/" in digest.unsubscribe_url and not digest.mandatory
    assert plan_weekly(session, uk_time(MONDAY, 12)) == 0


def test_does_the_admin_digest_count_only_the_never_completed_who_are_past_the_due_date_as_overdue(session):
    w, admin = _compliance_world(session)
    assign(session, _module(session, "Prevent"), w.organisation, dt.date(2026, 12, 18))
    plan_weekly(session, uk_time(MONDAY))
    [digest] = notices(session, admin, "org-digest")
    assert "Prevent (Whole organisation, mandatory, due by 18 December 2026):\n" \
           "  5 people: 0 in date, 0 refresher due, 0 expired, 5 never completed (0 past the due date)" in digest.body_text
    plan_weekly(session, uk_time(dt.date(2026, 12, 21)))
    later = notices(session, admin, "org-digest")[-1]
    assert "5 never completed (5 past the due date)" in later.body_text
    assert "8 never completed, of whom 7 are past the due date." in later.body_text


def test_does_an_admin_who_switched_the_digest_off_get_none(session):
    _w, admin = _compliance_world(session)
    choose(session, admin, admin_digest=False)
    assert plan_weekly(session, uk_time(MONDAY)) == 0


def test_is_an_organisation_with_nothing_assigned_sent_no_digest(session):
    w = world(session)
    with write_transaction(session):
        learner_in(session, w.organisation, role=Role.ORG_ADMIN)
    assert plan_weekly(session, uk_time(MONDAY)) == 0


def _module(session, title: str):
    with write_transaction(session):
        return make_module(session, title)


def test_is_an_optional_reminder_switched_off_before_monday_left_out_but_a_mandatory_one_kept(session):
    w = world(session)
    optional = _module(session, "Hate crime awareness")
    assign(session, w.module, w.organisation, DUE)
    assign(session, optional, w.organisation, DUE, mandatory=False)
    choose(session, w.learner, reminders="weekly")
    assert plan_daily(session, uk_time(FRIDAY)) == 2
    choose(session, w.learner, reminders="weekly", optional_reminders=False)
    assert plan_weekly(session, uk_time(MONDAY)) == 1
    [digest] = notices(session, w.learner, "learner-digest")
    assert "Domestic abuse awareness" in digest.body_text and "Hate crime awareness" not in digest.body_text
    assert sorted(n.status for n in notices(session, w.learner) if n.kind == "due-14") == ["cancelled", "in_digest"]


def test_do_two_weekly_runs_at_once_write_each_digest_once(app, session):
    w = world(session)
    with write_transaction(session):
        people = [w.learner, *(learner_in(session, w.organisation) for _ in range(10))]
        learner_in(session, w.organisation, role=Role.ORG_ADMIN)
    for person in people:
        choose(session, person, reminders="weekly")
    assign(session, w.module, w.organisation, DUE)
    plan_daily(session, uk_time(FRIDAY))
    start, added = threading.Barrier(2), []

    def plan() -> None:
        with app.app_context(), Session(db.engine) as own:
            start.wait()
            added.append(plan_weekly(own, uk_time(MONDAY)))

    threads = [threading.Thread(target=plan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(added) == [0, 12], "eleven learners' digests and the admin's"
    digests = {n.id: n.user_id for n in notices(session, kind="learner-digest")}
    assert sorted(digests.values()) == sorted(p.id for p in people)
    for person in people:
        [held] = notices(session, person, "due-14")
        assert held.status == "in_digest" and digests[held.digest_id] == person.id


def test_is_someone_past_one_assignments_due_date_counted_overdue_under_that_assignment_only(session):
    """Youth services must finish Prevent by 1 December; the whole council may take it with no date: the youth
    worker is overdue on the youth services row, not on the council's own."""
    w, admin = _compliance_world(session)
    prevent = _module(session, "Prevent")
    with write_transaction(session):
        youth = make_department(session, w.organisation, "Youth services")
        worker = learner_in(session, w.organisation)
        worker.department_id = youth.id
        make_assignment(session, prevent, w.organisation, youth, due_on=dt.date(2026, 12, 1))
    assign(session, prevent, w.organisation, None)
    plan_weekly(session, uk_time(MONDAY))
    [digest] = notices(session, admin, "org-digest")
    assert "Prevent (Youth services, mandatory, due by 1 December 2026):\n  1 person: 0 in date, 0 refresher due, 0 expired, " \
           "1 never completed (1 past the due date)" in digest.body_text
    assert "Prevent (Whole organisation, mandatory):\n  6 people: 0 in date, 0 refresher due, 0 expired, " \
           "6 never completed (0 past the due date)" in digest.body_text
