"""Does each learner get each reminder on its UK date, once, and only while it is still true?"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from lms.db import db, write_transaction
from lms.models import Notice, Role
from lms.services.notices.outbox import deliver_due
from lms.services.notices.planning import plan_assignment, plan_daily
from tests.builders import make_assignment, make_department
from tests.lms.notices.planning_builders import (
    LONG_AGO,
    assign,
    choose,
    complete,
    kinds,
    learner_in,
    make_module,
    notices,
    uk_time,
    world,
)
from tests.lms.reporting_builders import signed_in

APRIL_1 = dt.date(2027, 4, 1)  # British Summer Time begins on Sunday 28 March 2027


def test_does_a_learner_get_due_in_14_and_3_days_and_overdue_on_their_uk_dates_once(session):
    w = world(session)
    assign(session, w.module, w.organisation, APRIL_1)
    runs = [(uk_time(dt.date(2027, 3, 17)), []),
            (uk_time(dt.date(2027, 3, 18)), ["due-14"]),
            (uk_time(dt.date(2027, 3, 18), 15), []),  # the same day again
            (uk_time(dt.date(2027, 3, 28)), []),  # the day the clocks change, four days before
            (uk_time(dt.date(2027, 3, 29)), ["due-3"]),
            (dt.datetime(2027, 3, 31, 23, 30), []),  # 00:30 on 1 April in the UK: due today, not overdue
            (dt.datetime(2027, 4, 1, 22, 59), []),  # 23:59 on 1 April in the UK
            (dt.datetime(2027, 4, 1, 23, 30), ["overdue"]),  # 00:30 on 2 April in the UK
            (uk_time(dt.date(2027, 4, 20)), [])]
    for moment, expected in runs:
        before = len(notices(session, w.learner))
        assert plan_daily(session, moment) == len(expected), moment
        assert [n.kind for n in notices(session, w.learner)[before:]] == expected, moment
    assert kinds(session, w.learner) == [("due-14", "2027-04-01"), ("due-3", "2027-04-01"), ("overdue", "2027-04-01")]
    subjects = [n.email_subject for n in notices(session, w.learner)]
    assert subjects == ["Reminder: Domestic abuse awareness is due in 14 days", "Reminder: Domestic abuse awareness is due in 3 days",
                        "Domestic abuse awareness is overdue"]


def test_is_the_uk_date_used_when_the_clocks_go_back_in_october(session):
    """British Summer Time ends on 25 October 2026: 23:30 UTC on the 24th is already the 25th in the UK."""
    w = world(session)
    assign(session, w.module, w.organisation, dt.date(2026, 11, 8))
    assert plan_daily(session, dt.datetime(2026, 10, 24, 22, 59)) == 0  # 23:59 BST on the 24th: 15 days before
    assert plan_daily(session, dt.datetime(2026, 10, 24, 23, 30)) == 1
    assert kinds(session, w.learner) == [("due-14", "2026-11-08")]


def test_is_a_reminder_missed_on_its_day_sent_on_the_next_run_and_only_the_latest_stage(session):
    w = world(session)
    assign(session, w.module, w.organisation, APRIL_1)
    assert plan_daily(session, uk_time(dt.date(2027, 3, 30))) == 1, "the worker was down from 17 to 29 March"
    assert kinds(session, w.learner) == [("due-3", "2027-04-01")]
    assert notices(session, w.learner)[0].email_subject == "Reminder: Domestic abuse awareness is due in 2 days"


def test_does_an_assignment_two_days_before_its_due_date_bring_one_email_that_says_when_it_is_due(app, session, smtp_server):
    app.config.update(smtp_server.mail_config)
    w = world(session)
    now = uk_time(dt.date(2027, 3, 30), 10)
    assignment = assign(session, w.module, w.organisation, APRIL_1, made=now - dt.timedelta(minutes=5))
    assert plan_assignment(session, assignment.id, now) == 2
    assert kinds(session, w.learner) == [("assigned", str(assignment.id)), ("due-3", "2027-04-01")]
    assert plan_daily(session, now + dt.timedelta(hours=1)) == 0, "the daily run finds them written"
    [told, due] = notices(session, w.learner)
    assert told.status == "pending" and told.email_subject == "You have been asked to complete Domestic abuse awareness"
    assert ("Northshire County Council has asked you to complete Domestic abuse awareness. "
            "It is due in 2 days, by 1 April 2027.") in told.body_text
    assert "It is due in 2 days, by 1 April 2027." in told.body_html
    assert due.status == "cancelled" and "assigned email" in due.last_error, "never sent: the assigned email said it"
    assert deliver_due(session, now + dt.timedelta(hours=2)).sent == 1
    assert [m.subject for m in smtp_server.messages] == [told.email_subject]


def test_does_an_assignment_made_after_its_due_date_say_it_is_already_overdue_in_one_email(session):
    w = world(session)
    now = uk_time(dt.date(2027, 4, 5), 10)
    assignment = assign(session, w.module, w.organisation, APRIL_1, made=now - dt.timedelta(minutes=5))
    assert plan_assignment(session, assignment.id, now) == 2
    [told, late] = notices(session, w.learner)
    assert "It was due by 1 April 2027, so it is already overdue" in told.body_text and "by 1 April 2027." not in told.body_text
    assert (late.kind, late.status) == ("overdue", "cancelled")


def test_is_a_due_reminder_on_a_later_day_than_the_assigned_email_still_sent(session):
    w = world(session)
    made = uk_time(dt.date(2027, 3, 1), 10)
    assignment = assign(session, w.module, w.organisation, APRIL_1, made=made)
    assert plan_assignment(session, assignment.id, made) == 1
    assert "It is due in 31 days, by 1 April 2027." in notices(session, w.learner)[0].body_text
    assert plan_daily(session, uk_time(dt.date(2027, 3, 18))) == 1
    assert [n.status for n in notices(session, w.learner)] == ["pending", "pending"]


def test_is_nobody_told_about_assignments_from_before_the_upgrade_but_newcomers_are(session):
    w = world(session)
    newcomer = _learner(session, w, joined=uk_time(dt.date(2027, 1, 5)))
    assign(session, w.module, w.organisation, None, made=LONG_AGO)
    assert plan_daily(session, uk_time(dt.date(2027, 1, 10))) == 1
    assert kinds(session, w.learner) == []
    assert [kind for kind, _stage in kinds(session, newcomer)] == ["assigned"]
    assert plan_daily(session, uk_time(dt.date(2027, 3, 10))) == 0


def test_does_nothing_follow_a_completion_that_is_in_date(session):
    w = world(session)
    assign(session, w.module, w.organisation, APRIL_1)
    plan_daily(session, uk_time(dt.date(2027, 3, 18)))
    complete(session, w.learner, w.module, uk_time(dt.date(2027, 3, 20), 11))
    for day in (dt.date(2027, 3, 30), dt.date(2027, 4, 2), dt.date(2028, 1, 1)):
        assert plan_daily(session, uk_time(day)) == 0, day
    assert kinds(session, w.learner) == [("due-14", "2027-04-01")]


def test_is_a_changed_due_date_a_new_stage(session):
    w = world(session)
    assignment = assign(session, w.module, w.organisation, APRIL_1)
    plan_daily(session, uk_time(dt.date(2027, 3, 20)))
    with write_transaction(session):
        assignment.due_on = dt.date(2027, 4, 30)
    assert plan_daily(session, uk_time(dt.date(2027, 4, 20))) == 1
    assert kinds(session, w.learner) == [("due-14", "2027-04-01"), ("due-14", "2027-04-30")]


def test_are_refresher_reminders_sent_60_days_before_expiry_and_after_it_once_per_completion(session):
    w = world(session)  # the module needs refreshing every 24 months
    assign(session, w.module, w.organisation, None)
    first = complete(session, w.learner, w.module, dt.datetime(2025, 1, 10, 12))  # expires at noon on 10 January 2027
    assert plan_daily(session, dt.datetime(2026, 11, 11, 11)) == 0, "61 days before"
    assert plan_daily(session, dt.datetime(2026, 11, 11, 13)) == 1
    assert plan_daily(session, dt.datetime(2026, 12, 20, 7)) == 0
    assert plan_daily(session, dt.datetime(2027, 1, 10, 13)) == 1
    assert kinds(session, w.learner) == [("refresher-60", str(first.id)), ("refresher-overdue", str(first.id))]
    [soon, late] = notices(session, w.learner)
    assert soon.email_subject == "Reminder: your Domestic abuse awareness training needs a refresher by 10 January 2027"
    assert "runs out on 10 January 2027" in soon.body_text
    assert late.email_subject == "Your Domestic abuse awareness training has run out: take the refresher"
    renewed = complete(session, w.learner, w.module, dt.datetime(2027, 1, 20, 12), sequence=2)
    assert plan_daily(session, dt.datetime(2027, 2, 1)) == 0, "in date again"
    assert plan_daily(session, dt.datetime(2028, 11, 25)) == 1
    assert kinds(session, w.learner)[-1] == ("refresher-60", str(renewed.id))


def test_are_optional_reminders_left_out_for_someone_who_switched_them_off_but_mandatory_ones_still_sent(session):
    w = world(session)
    optional = _module(session, "Hate crime awareness")
    assign(session, w.module, w.organisation, APRIL_1)
    assign(session, optional, w.organisation, APRIL_1, mandatory=False)
    robin = _learner(session, w)
    choose(session, w.learner, optional_reminders=False)
    choose(session, robin, reminders="weekly", optional_reminders=False)
    assert plan_daily(session, uk_time(dt.date(2027, 3, 18))) == 2
    [mandatory] = notices(session, w.learner)
    assert mandatory.subject == f"module:{w.module.id}" and mandatory.mandatory and mandatory.unsubscribe_url == ""
    assert "Reminders about mandatory training cannot be switched off" in mandatory.body_text
    assert "cannot be switched off" in mandatory.body_html
    assert [(n.subject, n.status) for n in notices(session, robin)] == [(f"module:{w.module.id}", "held")], \
        "the weekly digest instead, never nothing"


def test_does_an_optional_reminder_carry_a_link_that_switches_optional_reminders_off(session):
    w = world(session)
    assign(session, w.module, w.organisation, APRIL_1, mandatory=False)
    plan_daily(session, uk_time(dt.date(2027, 3, 18)))
    [notice] = notices(session, w.learner)
    assert not notice.mandatory and "/unsubscribe/" in notice.unsubscribe_url
    assert notice.unsubscribe_url in notice.body_text and "mandatory" not in notice.body_text
    assert "It is optional training." in notice.body_text


def test_is_everything_a_weekly_person_is_owed_held_for_their_digest(session):
    w = world(session)
    choose(session, w.learner, reminders="weekly")
    assign(session, w.module, w.organisation, APRIL_1)
    plan_daily(session, uk_time(dt.date(2027, 3, 18)))
    assert [n.status for n in notices(session, w.learner)] == ["held"]


def test_are_people_who_cannot_be_reached_left_out(session):
    w = world(session)
    with write_transaction(session):
        gone = learner_in(session, w.organisation)
        gone.active = False
        unconfirmed = learner_in(session, w.organisation)
        unconfirmed.email_confirmed_at = None
        erased = learner_in(session, w.organisation)
        erased.erased_at = LONG_AGO
    assign(session, w.module, w.organisation, APRIL_1)
    assert plan_daily(session, uk_time(dt.date(2027, 3, 18))) == 1
    assert [n.user_id for n in notices(session)] == [w.learner.id]


def test_is_a_department_assignment_only_for_that_departments_people(session):
    w = world(session)
    with write_transaction(session):
        housing = make_department(session, w.organisation, "Housing")
        tenant_officer = learner_in(session, w.organisation)
        tenant_officer.department_id = housing.id
        assignment = make_assignment(session, w.module, w.organisation, housing, due_on=APRIL_1)
        assignment.created_at = uk_time(dt.date(2027, 3, 18))
    assert plan_assignment(session, assignment.id, uk_time(dt.date(2027, 3, 18), 8)) == 2  # assigned and due in 14 days
    assert {n.user_id for n in notices(session)} == {tenant_officer.id}


def test_is_a_removed_assignment_planned_for_nobody(session):
    assert plan_assignment(session, 987654, uk_time(dt.date(2027, 3, 18))) == 0


def test_do_two_planners_at_once_write_each_reminder_once(app, session):
    w = world(session)
    with write_transaction(session):
        for _ in range(20):
            learner_in(session, w.organisation)
    assign(session, w.module, w.organisation, APRIL_1)
    start, added = threading.Barrier(2), []

    def plan() -> None:
        with app.app_context(), Session(db.engine) as own:
            start.wait()
            added.append(plan_daily(own, uk_time(dt.date(2027, 3, 18))))

    threads = [threading.Thread(target=plan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(added) == [0, 21]
    assert session.scalar(select(func.count(Notice.id))) == 21


@pytest.mark.parametrize("site_url", ["https://learning.northshire.gov.uk", "https://northshire.gov.uk/learning/"])
def test_are_the_links_in_a_reminder_absolute_from_the_site_url(app, session, site_url):
    """The worker has an app context but no request: every link must still start with SITE_URL."""
    app.config["SITE_URL"] = site_url
    w = world(session)
    assign(session, w.module, w.organisation, APRIL_1, mandatory=False)
    plan_daily(session, uk_time(dt.date(2027, 3, 18)))
    [notice] = notices(session, w.learner)
    base = site_url.rstrip("/")
    links = [word for word in notice.body_text.split() if "://" in word]
    assert f"{base}/modules/{w.module.slug}" in links and f"{base}/account/notifications" in links
    assert all(link.startswith(base + "/") for link in links), links
    assert f'href="{base}/modules/{w.module.slug}"' in notice.body_html
    assert "<script" not in notice.body_html and "<img" not in notice.body_html
    assert "Northshire Community Safety Partnership" in notice.body_text and "Northshire Community Safety Partnership" in notice.body_html


def test_does_planning_read_in_a_fixed_number_of_queries_however_many_learners(app, session):
    """The closing note's simulated year plans for 5,000 learners: per-person reads would not do (the rows
    themselves are the outbox's to insert)."""
    counts = []
    for people in (2, 25):
        w = world(session)
        with write_transaction(session):
            for _ in range(people):
                learner_in(session, w.organisation)
        assign(session, w.module, w.organisation, APRIL_1, mandatory=False)
        counts.append(_queries(session, lambda: plan_daily(session, uk_time(dt.date(2027, 3, 18)))))
        session.execute(Notice.__table__.delete())
        session.commit()
    assert counts[0] == counts[1], counts


def _queries(session, run) -> int:
    found = []

    def count(_connection, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            found.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(found)


def _learner(session, w, joined: dt.datetime = LONG_AGO):
    with write_transaction(session):
        return learner_in(session, w.organisation, joined)


def _module(session, title: str):
    with write_transaction(session):
        return make_module(session, title)


def test_does_a_planned_reminder_arrive_at_a_real_mail_server_in_plain_text_and_html(app, session, smtp_server):
    app.config.update(smtp_server.mail_config)
    w = world(session)
    assign(session, w.module, w.organisation, APRIL_1, mandatory=False)
    moment = uk_time(dt.date(2027, 3, 18))
    plan_daily(session, moment)
    assert deliver_due(session, moment).sent == 1
    [received] = smtp_server.messages
    assert received.recipients == (w.learner.email,)
    assert received.subject == "Reminder: Domestic abuse awareness is due in 14 days"
    assert "is due in 14 days, by 1 April 2027" in received.part("text/plain")
    assert f'href="http://127.0.0.1:5000/modules/{w.module.slug}"' in received.part("text/html")
    assert "Stop reminders about optional training" in received.part("text/html")


def test_does_the_assign_a_module_form_say_that_saving_it_emails_everyone_it_applies_to(app, session):
    w = world(session)
    with write_transaction(session):
        admin = learner_in(session, w.organisation, role=Role.ORG_ADMIN)
    page = signed_in(app, admin.email).get(f"/admin/organisations/{w.organisation.id}/assignments/new").get_data(as_text=True)
    assert ('<div id="department-hint" class="govuk-hint">Everyone it applies to gets an email when you save it, '
            "and reminders before the due date</div>") in page
    assert 'aria-describedby="department-hint"' in page
