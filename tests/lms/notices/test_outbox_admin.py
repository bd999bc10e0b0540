"""Can a site admin see the emails that failed or were interrupted, why, and send one again once it is fixed?"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lms.db import write_transaction
from lms.models import AuditEvent, Notice, Role, utcnow
from lms.services.notices.outbox import MAX_TRIES, backoff, deliver_due
from tests.builders import make_organisation, make_user
from tests.conftest import csrf_token, sign_in
from tests.lms.notices.outbox_builders import draft, learners, written


@pytest.fixture
def site_admin(session):
    with write_transaction(session):
        return make_user(session, make_organisation(session), Role.SITE_ADMIN, email="site.admin@example.org")


def _refused_until_failed(session, smtp_server, person) -> Notice:
    """A notice to `person`, refused by the server at every try until it failed."""
    smtp_server.refuse(person.email, 550, f"5.1.1 <{person.email}>: no such user here")
    moment = utcnow() - dt.timedelta(days=3)
    written(session, [draft(person)], moment)
    for attempt in range(MAX_TRIES):
        deliver_due(session, now=moment, settings=smtp_server.mail_config)
        moment += backoff(attempt + 1)
    session.expire_all()
    notice = session.scalar(select(Notice).where(Notice.user_id == person.id))
    assert notice.status == "failed"
    return notice


def test_does_a_refused_address_reach_the_site_admin_and_arrive_after_it_is_fixed(app, session, client, smtp_server, site_admin):
    [amal] = learners(session, 1)
    notice = _refused_until_failed(session, smtp_server, amal)
    sign_in(client, site_admin.email)
    home = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/notices"' in home and "1 need you" in home
    page = client.get("/admin/notices").get_data(as_text=True)
    assert amal.email in page and "Safeguarding adults is due in 14 days" in page
    assert f"550 5.1.1 &lt;{amal.email}&gt;: no such user here" in page and f"<dd class=\"govuk-summary-list__value\">{MAX_TRIES}</dd>" in page

    with write_transaction(session):
        amal.email = "amal.fixed@example.org"
    ask = client.get(f"/admin/notices/send-again?notice={notice.id}")
    assert ask.status_code == 200 and "amal.fixed@example.org" in ask.get_data(as_text=True)
    done = client.post("/admin/notices/send-again", data={"notice": notice.id, "csrf_token": csrf_token(ask.get_data(as_text=True))})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/notices")
    assert deliver_due(session, settings=smtp_server.mail_config).sent == 1
    [received] = smtp_server.to("amal.fixed@example.org")
    assert received.message_id == f"<notice-{notice.id}@safer-learning.test>"
    session.expire_all()
    assert (session.get(Notice, notice.id).status, session.get(Notice, notice.id).sent_to) == ("sent", "amal.fixed@example.org")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "notice.sent_again"))
    assert (event.actor_id, event.subject, event.detail["status"]) == (site_admin.id, f"notice:{notice.id}", "failed")
    assert "No emails need you" in client.get("/admin/notices").get_data(as_text=True)


def test_does_send_every_failed_email_again_leave_interrupted_ones_alone(app, session, client, smtp_server, site_admin):
    amal, robin, sam = learners(session, 3)
    for person in (amal, robin):
        _refused_until_failed(session, smtp_server, person)
        smtp_server.accept(person.email)
    written(session, [draft(sam)])
    with write_transaction(session):  # a worker claimed it and was killed (tests/lms/notices/test_outbox_interrupted.py does it for real)
        session.scalar(select(Notice).where(Notice.user_id == sam.id)).status = "interrupted"
    sign_in(client, site_admin.email)
    ask = client.get("/admin/notices/send-again").get_data(as_text=True)
    assert "Send all 2 failed emails again?" in ask
    client.post("/admin/notices/send-again", data={"csrf_token": csrf_token(ask)})
    assert deliver_due(session, settings=smtp_server.mail_config).sent == 2
    assert {m.recipients[0] for m in smtp_server.messages} == {amal.email, robin.email}
    session.expire_all()
    assert session.scalar(select(Notice.status).where(Notice.user_id == sam.id)) == "interrupted"


def test_is_a_notice_that_was_sent_not_offered_to_send_again(app, session, client, smtp_server, site_admin):
    [amal] = learners(session, 1)
    [notice] = written(session, [draft(amal)])
    deliver_due(session, settings=smtp_server.mail_config)
    sign_in(client, site_admin.email)
    assert client.get(f"/admin/notices/send-again?notice={notice.id}").status_code == 404
    token = csrf_token(client.get("/admin/notices").get_data(as_text=True))  # the sign-out form's
    assert client.post("/admin/notices/send-again", data={"notice": notice.id, "csrf_token": token}).status_code == 404
    assert client.get("/admin/notices/send-again?notice=not-a-number").status_code == 404
    assert len(smtp_server.messages) == 1


def test_is_a_send_again_without_its_csrf_token_refused(app, session, client, smtp_server, site_admin):
    [amal] = learners(session, 1)
    notice = _refused_until_failed(session, smtp_server, amal)
    sign_in(client, site_admin.email)
    assert client.post("/admin/notices/send-again", data={"notice": notice.id}).status_code == 400
    session.expire_all()
    assert session.get(Notice, notice.id).status == "failed"


def test_with_nothing_failed_does_send_again_say_so(app, session, client, site_admin):
    sign_in(client, site_admin.email)
    answer = client.get("/admin/notices/send-again", follow_redirects=True).get_data(as_text=True)
    assert "No emails have failed: there is nothing to send again." in answer


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.PARTNERSHIP_LEAD, Role.TRAINER])
def test_is_the_notice_outbox_for_site_admins_only(app, session, client, role):
    with write_transaction(session):
        person = make_user(session, role=role)
    sign_in(client, person.email)
    assert client.get("/admin/notices").status_code == 403
    assert "/admin/notices" not in client.get("/admin/").get_data(as_text=True)


def test_does_the_page_warn_when_the_mail_settings_send_no_email(app, session, client, site_admin):
    app.config["MAIL_BACKEND"] = "log"
    sign_in(client, site_admin.email)
    page = client.get("/admin/notices").get_data(as_text=True)
    assert "No emails are being sent" in page and "LMS_MAIL_BACKEND" in page
    app.config["MAIL_BACKEND"] = "smtp"
    assert "No emails are being sent" not in client.get("/admin/notices").get_data(as_text=True)


def test_are_reminders_gathered_into_a_digest_not_counted_as_sent(app, session, client, site_admin):
    [amal] = learners(session, 1)
    [gathered] = written(session, [draft(amal)])
    with write_transaction(session):
        session.get(Notice, gathered.id).status = "in_digest"
    sign_in(client, site_admin.email)
    page = client.get("/admin/notices").get_data(as_text=True)
    sent_row = page[page.index(">Sent<"):page.index("Gathered into a weekly digest")]
    assert ">0<" in sent_row.replace(" ", "")


def test_is_an_email_that_failed_long_ago_sent_when_a_site_admin_sends_it_again(app, session, client, smtp_server, site_admin):
    """Send again makes it due now: the week-old rule for emails that waited untried must not cancel it."""
    [amal] = learners(session, 1)
    notice = _refused_until_failed(session, smtp_server, amal)
    with write_transaction(session):
        session.get(Notice, notice.id).created_at = utcnow() - dt.timedelta(days=30)
    smtp_server.accept(amal.email)
    sign_in(client, site_admin.email)
    page = client.get(f"/admin/notices/send-again?notice={notice.id}").get_data(as_text=True)
    client.post(f"/admin/notices/send-again?notice={notice.id}", data={"csrf_token": csrf_token(page)})
    assert deliver_due(session, settings=smtp_server.mail_config).sent == 1
    session.expire_all()
    assert session.get(Notice, notice.id).status == "sent" and len(smtp_server.to(amal.email)) == 1
