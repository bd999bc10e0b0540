"""Is each notice written once and sent once, and is a refused one recorded, retried and not lost?"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import mail
from lms.db import db, write_transaction
from lms.models import Notice, utcnow
from lms.services.notices import outbox
from lms.services.notices.outbox import MAX_TRIES, add_notices, backoff, deliver_due
from tests.lms.notices.outbox_builders import draft, learners, written


@pytest.fixture
def mail_here(app, smtp_server) -> dict:
    """The app sends to the test's SMTP server; the settings a worker without the app uses."""
    app.config.update(smtp_server.mail_config)
    with app.app_context():
        return mail.current_settings()


def _notices(session) -> list[Notice]:
    session.expire_all()
    return list(session.scalars(select(Notice).order_by(Notice.id)))


def test_is_a_duplicate_draft_written_once(session):
    [amal] = learners(session, 1)
    assert len(written(session, [draft(amal), draft(amal)])) == 1
    assert written(session, [draft(amal)]) == [], "the same person, kind, subject and stage again"
    assert len(written(session, [draft(amal, stage="2027-12-18")])) == 1, "a new stage is a new notice"
    assert len(_notices(session)) == 2


def test_is_a_key_another_worker_wrote_after_the_look_up_skipped_and_the_rest_kept(session, monkeypatch):
    """Another worker's row appearing between the look-up and the insert: the insert fails, the batch does not."""
    amal, robin = learners(session, 2)
    written(session, [draft(amal)])
    monkeypatch.setattr(outbox, "_existing_keys", lambda _session, _keys: set())  # the look-up ran before the other worker wrote
    with write_transaction(session):
        added = add_notices(session, [draft(amal), draft(robin)], utcnow())
    assert [n.user_id for n in added] == [robin.id]
    assert sorted(n.user_id for n in _notices(session)) == sorted([amal.id, robin.id])


def test_do_two_planners_at_once_write_each_notice_once(app, session):
    people = learners(session, 30)
    drafts = [draft(person) for person in people]
    start, added = threading.Barrier(2), []

    def plan() -> None:
        with Session(db.engine) as own:
            start.wait()
            with write_transaction(own):
                added.append(len(add_notices(own, drafts, utcnow())))

    threads = [threading.Thread(target=plan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(added) == [0, 30]
    assert session.scalar(select(func.count(Notice.id))) == 30


def test_is_a_held_draft_kept_for_the_digest_not_sent(session, mail_here, smtp_server):
    [amal] = learners(session, 1)
    [notice] = written(session, [draft(amal, held=True)])
    assert notice.status == "held"
    assert deliver_due(session, settings=mail_here).sent == 0
    assert smtp_server.messages == []


def test_does_a_notice_arrive_with_its_html_and_unsubscribe_link_and_get_marked_sent(session, mail_here, smtp_server):
    [amal] = learners(session, 1)
    link = "https://lms.example/notices/unsubscribe/abc123"
    written(session, [draft(amal, mandatory=False, unsubscribe_url=link)])
    report = deliver_due(session, settings=mail_here)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [received] = smtp_server.messages
    [notice] = _notices(session)
    assert received.recipients == (amal.email,)
    assert received.subject == "Safeguarding adults is due in 14 days"
    assert [p.get_content_type() for p in received.email.iter_parts()] == ["text/plain", "text/html"]
    assert received.email["List-Unsubscribe"] == f"<{link}>"
    assert received.message_id == f"<notice-{notice.id}@safer-learning.test>"
    assert (notice.status, notice.sent_to, notice.claim_token) == ("sent", amal.email, None)
    assert deliver_due(session, settings=mail_here).sent == 0, "a sent notice is never sent again"
    assert len(smtp_server.messages) == 1


def test_is_a_mandatory_notice_sent_without_an_unsubscribe_header(session, mail_here, smtp_server):
    [amal] = learners(session, 1)
    written(session, [draft(amal)])
    deliver_due(session, settings=mail_here)
    assert smtp_server.messages[0].email["List-Unsubscribe"] is None


def test_does_a_notice_go_to_the_person_s_current_address(session, mail_here, smtp_server):
    [amal] = learners(session, 1)
    written(session, [draft(amal)])
    with write_transaction(session):
        amal.email = "amal.new@example.org"
    deliver_due(session, settings=mail_here)
    assert smtp_server.messages[0].recipients == ("amal.new@example.org",)
    assert _notices(session)[0].sent_to == "amal.new@example.org"


def test_do_two_workers_at_once_never_send_one_notice_twice(app, session, mail_here, smtp_server):
    written(session, [draft(person) for person in learners(session, 60)])
    start, reports = threading.Barrier(2), []

    def work() -> None:
        with Session(db.engine) as own:
            start.wait()
            reports.append(deliver_due(own, limit=500, settings=mail_here))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [m.message_id for m in smtp_server.messages]
    assert len(ids) == 60 and len(set(ids)) == 60, "each notice arrived exactly once"
    assert sum(r.sent for r in reports) == 60
    assert {n.status for n in _notices(session)} == {"sent"}


def test_is_a_refused_address_recorded_retried_with_backoff_then_failed(session, mail_here, smtp_server):
    amal, robin = learners(session, 2)
    smtp_server.refuse(amal.email, 550, "5.1.1 no such user")
    start = utcnow() - dt.timedelta(days=3)
    written(session, [draft(amal), draft(robin)], start)
    first = deliver_due(session, now=start, settings=mail_here)
    assert (first.sent, first.retrying) == (1, 1), "one bad address does not hold up the others"
    notice = next(n for n in _notices(session) if n.user_id == amal.id)
    assert (notice.status, notice.attempts, notice.last_error) == ("pending", 1, "550 5.1.1 no such user")
    assert notice.next_try_at == start + dt.timedelta(minutes=5)
    assert deliver_due(session, now=start + dt.timedelta(minutes=4), settings=mail_here).retrying == 0, "not due yet"
    moment = start
    for attempt in range(1, MAX_TRIES):
        moment += backoff(attempt)
        report = deliver_due(session, now=moment, settings=mail_here)
    assert (report.failed, report.retrying) == (1, 0)
    notice = next(n for n in _notices(session) if n.user_id == amal.id)
    assert (notice.status, notice.attempts, notice.last_error) == ("failed", MAX_TRIES, "550 5.1.1 no such user")
    assert deliver_due(session, now=moment + dt.timedelta(days=30), settings=mail_here).failed == 0, "failed stays failed"
    assert smtp_server.to(amal.email) == []


def test_is_a_temporary_refusal_retried_and_then_sent(session, mail_here, smtp_server):
    [amal] = learners(session, 1)
    smtp_server.refuse(amal.email, 451, "4.3.0 mailbox busy, try again later", times=1)
    start = utcnow() - dt.timedelta(hours=1)
    written(session, [draft(amal)], start)
    assert deliver_due(session, now=start, settings=mail_here).retrying == 1
    assert _notices(session)[0].last_error == "451 4.3.0 mailbox busy, try again later"
    assert deliver_due(session, now=start + backoff(1), settings=mail_here).sent == 1
    [notice] = _notices(session)
    assert (notice.status, notice.attempts, notice.last_error) == ("sent", 1, "")
    assert len(smtp_server.to(amal.email)) == 1


def test_is_a_mail_server_that_is_down_retried_not_lost(session, mail_here, smtp_server):
    [amal] = learners(session, 1)
    written(session, [draft(amal)])
    report = deliver_due(session, settings={**mail_here, "MAIL_PORT": 1})
    assert report.retrying == 1
    assert _notices(session)[0].last_error.startswith("could not reach the mail server 127.0.0.1:1")


def test_is_a_notice_to_a_deactivated_or_erased_person_cancelled(session, mail_here, smtp_server):
    amal, robin, sam = learners(session, 3)
    written(session, [draft(amal), draft(robin), draft(sam)])
    with write_transaction(session):
        amal.active = False
        robin.erased_at = utcnow()
    report = deliver_due(session, settings=mail_here)
    assert (report.sent, report.cancelled) == (1, 2)
    assert {n.user_id: n.status for n in _notices(session)} == {amal.id: "cancelled", robin.id: "cancelled", sam.id: "sent"}
    assert [m.recipients for m in smtp_server.messages] == [(sam.email,)]


@pytest.mark.parametrize("bad", [{"kind": ""}, {"subject": "x" * 81}, {"stage": "y" * 81}])
def test_is_a_draft_with_a_bad_key_refused_with_what_to_fix(session, bad):
    [amal] = learners(session, 1)
    with pytest.raises(ValueError, match="must be 1 to"), write_transaction(session):
        add_notices(session, [draft(amal, **bad)], utcnow())
    assert _notices(session) == []


def test_do_notices_wait_while_the_mail_settings_send_nothing_and_go_once_they_do(app, session, smtp_server):
    """MAIL_BACKEND=log (the default) only writes emails to the log: a notice "sent" there would never reach anyone."""
    [amal] = learners(session, 1)
    written(session, [draft(amal)])
    logging_only = {**smtp_server.mail_config, "MAIL_BACKEND": "log"}
    assert deliver_due(session, settings=logging_only).sent == 0
    assert [n.status for n in _notices(session)] == ["pending"]
    assert deliver_due(session, settings=smtp_server.mail_config).sent == 1
    assert [n.status for n in _notices(session)] == ["sent"] and len(smtp_server.messages) == 1


def test_is_a_notice_that_waited_a_week_untried_cancelled_as_out_of_date(app, session, smtp_server):
    """'Due in 14 days' sent a fortnight late would mislead: a notice never tried for STALE_AFTER is not sent."""
    [amal, ben] = learners(session, 2)
    now = utcnow()
    written(session, [draft(amal)], now - outbox.STALE_AFTER - dt.timedelta(hours=1))
    written(session, [draft(ben)], now - dt.timedelta(days=2))
    report = deliver_due(session, now=now, settings=smtp_server.mail_config)
    assert (report.cancelled, report.sent) == (1, 1)
    stale = next(n for n in _notices(session) if n.user_id == amal.id)
    assert stale.status == "cancelled" and "waited more than 7 days" in stale.last_error
    assert [m.recipients for m in smtp_server.messages] == [(ben.email,)]


def test_is_a_reminder_about_a_module_completed_while_it_waited_cancelled_not_sent(app, session, smtp_server):
    """'Due in 3 days' refused once by the server, then the learner passes: the retry must not tell them it is due."""
    from tests.builders import make_completion
    from tests.lms.reporting_builders import make_module

    [amal, ben] = learners(session, 2)
    with write_transaction(session):
        module = make_module(session, "Safeguarding adults")
    written(session, [draft(amal, subject=f"module:{module.id}"), draft(ben, subject=f"module:{module.id}")], utcnow() - dt.timedelta(hours=2))
    with write_transaction(session):
        make_completion(session, amal, module, utcnow() - dt.timedelta(hours=1))  # passed after the reminder was written
        make_completion(session, ben, module, utcnow() - dt.timedelta(days=400))  # an old pass: the reminder stands
    report = deliver_due(session, settings=smtp_server.mail_config)
    assert (report.cancelled, report.sent) == (1, 1)
    assert [m.recipients for m in smtp_server.messages] == [(ben.email,)]
    cancelled = next(n for n in _notices(session) if n.user_id == amal.id)
    assert cancelled.status == "cancelled" and "completed the module" in cancelled.last_error
