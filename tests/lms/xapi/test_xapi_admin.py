"""The site admin's xAPI page: what waits, what the LRS refused and its answer, and sending a refused
statement again through the confirmation page (GET asks, POST with its CSRF token acts)."""

from __future__ import annotations

from sqlalchemy import select

from lms.db import write_transaction
from lms.models import AuditEvent, Installation, Role, XapiOutbox, utcnow
from lms.services import xapi
from tests.builders import make_user, take_assessment
from tests.conftest import csrf_token
from tests.lms.reporting_builders import signed_in
from tests.lms.xapi.xapi_builders import outbox

ANSWER = "the LRS answered HTTP 422: {\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",0,\"actor\"]}]}"




def refused(session, version, people) -> tuple[XapiOutbox, XapiOutbox]:
    """A learner's pass: its 'passed' statement refused for good, its 'completed' one waiting."""
    take_assessment(session, people[0], version, True)
    first, second = outbox(session)
    with write_transaction(session):
        row = session.get(XapiOutbox, first.id)
        row.dead_at, row.last_error, row.tries = utcnow(), ANSWER, 1
    return first, second


def admin_client(app, session, people):
    admin = make_user(session, people[0].organisation, Role.SITE_ADMIN, email="site.admin@testville.example")
    session.commit()
    return signed_in(app, admin.email)


def test_does_the_page_show_the_counts_and_each_refused_statement_with_the_lrs_answer(app, session, version, people):
    dead, _waiting = refused(session, version, people)
    client = admin_client(app, session, people)
    assert "Statements for the learning record store (xAPI)" in client.get("/admin/").get_data(as_text=True)
    page = client.get("/admin/xapi").get_data(as_text=True)
    assert "No LRS is set up" in page and "1 (1 due now, 0 waiting after a failed try)" in page
    assert dead.statement_id in page and "passed: Tiny module (version 1)" in page
    assert "the LRS answered HTTP 422: {&#34;detail&#34;" in page  # the answer, escaped as text
    assert f'href="/admin/xapi/retry?statement={dead.statement_id}"' in page and "Send every refused statement again" in page


def test_does_send_again_ask_first_then_put_the_statement_back_in_the_queue(app, session, version, people):
    dead, _waiting = refused(session, version, people)
    client = admin_client(app, session, people)
    ask = client.get(f"/admin/xapi/retry?statement={dead.statement_id}").get_data(as_text=True)
    assert f"Send the statement {dead.statement_id} (passed: Tiny module (version 1)) again?" in ask
    assert outbox(session)[0].dead_at is not None  # asking changes nothing
    done = client.post("/admin/xapi/retry", data={"csrf_token": csrf_token(ask), "statement": dead.statement_id})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/xapi")
    row = outbox(session)[0]
    assert row.dead_at is None and row.tries == 0 and xapi.outbox_status(session).due == 2
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "xapi.retried")).detail == {"count": 1, "via": "web"}
    assert "1 statement will be sent again" in client.get("/admin/xapi").get_data(as_text=True)


def test_is_a_retry_without_its_csrf_token_refused(app, session, version, people):
    dead, _waiting = refused(session, version, people)
    client = admin_client(app, session, people)
    assert client.post("/admin/xapi/retry", data={"statement": dead.statement_id}).status_code == 400
    assert outbox(session)[0].dead_at is not None


def test_is_a_retry_of_a_statement_that_is_not_refused_not_found(app, session, version, people):
    _dead, waiting = refused(session, version, people)
    client = admin_client(app, session, people)
    for value in (waiting.statement_id, "00000000-0000-4000-8000-000000000000", "not-an-id", "' OR 1=1 --"):
        assert client.get("/admin/xapi/retry", query_string={"statement": value}).status_code == 404


def test_does_send_all_again_with_nothing_refused_say_so(app, session, version, people):
    client = admin_client(app, session, people)
    response = client.get("/admin/xapi/retry", follow_redirects=True).get_data(as_text=True)
    assert "No statements are dead-lettered" in response and "The LRS has refused no statements." in response


def test_is_the_page_not_for_other_staff(app, session, version, people):
    lead = make_user(session, people[0].organisation, Role.PARTNERSHIP_LEAD, email="lead@testville.example")
    session.commit()
    client = signed_in(app, lead.email)
    assert client.get("/admin/xapi").status_code == 403
    assert "learning record store" not in client.get("/admin/").get_data(as_text=True)


def test_does_the_page_say_when_no_statement_can_be_built(app, session, version, people):
    with write_transaction(session):
        xapi.namespace(session)
        session.execute(Installation.__table__.update().values(statement_namespace="not-a-uuid"))
    page = admin_client(app, session, people).get("/admin/xapi").get_data(as_text=True)
    assert "No statement can be built" in page and "&#39;not-a-uuid&#39; is not a UUID" in page and "Passes are still recorded" in page


def test_does_the_page_say_when_the_next_try_is_and_how_many_older_records_wait_for_a_statement(app, session, version, people):
    take_assessment(session, people[0], version, True)
    take_assessment(session, people[1], version, False)
    first, *_rest, last = outbox(session)
    with write_transaction(session):
        backing_off = session.get(XapiOutbox, first.id)
        backing_off.tries, backing_off.next_try_at = 1, utcnow().replace(year=utcnow().year + 1)
        session.delete(session.get(XapiOutbox, last.id))  # as if recorded before statements were kept
    html = admin_client(app, session, people).get("/admin/xapi").get_data(as_text=True)
    assert "Next try" in html and "lms xapi send --now" in html
    assert "Older records without a statement yet" in html and "1: recorded before statements were kept" in html
    assert "builds up to 1,000 of them" in html
