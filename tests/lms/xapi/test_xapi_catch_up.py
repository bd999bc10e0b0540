"""A site admin catching up with a real LRS (Ralph): records from before statements were kept are built and
sent by `lms xapi send` itself, statements held back by a wrong password go at once with `--now` once it is
fixed, and the LRS's refusals of our settings say which setting to check."""

from __future__ import annotations

from sqlalchemy import delete

from lms.models import XapiOutbox
from lms.services import xapi
from tests.lms.xapi.test_xapi_ralph import six_statements, use
from tests.lms.xapi.xapi_builders import outbox
from tests.lms.xapi.xapi_ralph import PASSWORD, USERNAME


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["xapi", *args])


def test_are_older_records_without_a_statement_built_and_sent_by_send_itself(app, session, version, people, ralph):
    use(app, ralph)
    six_statements(session, version, people)
    session.execute(delete(XapiOutbox))  # as on a site upgraded from before statements were kept
    session.commit()
    assert xapi.outbox_status(session).unkept == 6
    status = cli(app, "status")
    assert "older records without a statement yet: 6" in status.output
    sent = cli(app, "send")
    assert sent.exit_code == 0, sent.output
    assert "built the statements of 6 older record(s)" in sent.output and "sent 6" in sent.output
    assert len(ralph.held_once()) == 6 and xapi.outbox_status(session).unkept == 0
    again = cli(app, "send")
    assert "older record" not in again.output and "sent 0" in again.output
    assert len(ralph.held_once()) == 6


def test_does_send_now_deliver_at_once_what_a_wrong_password_held_back(app, session, version, people, ralph):
    app.config.update(XAPI_ENDPOINT=ralph.endpoint, XAPI_USERNAME=USERNAME, XAPI_PASSWORD="not-the-password")
    six_statements(session, version, people)
    refused = cli(app, "send")
    assert refused.exit_code == 1 and "check LMS_XAPI_USERNAME and LMS_XAPI_PASSWORD" in refused.output
    app.config.update(XAPI_PASSWORD=PASSWORD)
    assert "next try:" in cli(app, "status").output
    assert "sent 0" in cli(app, "send").output  # still waiting out its backoff
    now = cli(app, "send", "--now")
    assert now.exit_code == 0, now.output
    assert "6 statement(s) waiting after a failed try are due now" in now.output and "sent 6" in now.output
    assert len(ralph.held_once()) == 6 and all(row.sent_at is not None for row in outbox(session))


def test_does_an_address_without_the_xapi_path_say_to_check_the_endpoint(app, session, version, people, ralph):
    app.config.update(XAPI_ENDPOINT=ralph.endpoint.removesuffix("/xAPI"), XAPI_USERNAME=USERNAME, XAPI_PASSWORD=PASSWORD)
    six_statements(session, version, people)
    result = cli(app, "send")
    assert result.exit_code == 1 and "HTTP 404" in result.output
    assert "check LMS_XAPI_ENDPOINT: it is the LRS's xAPI address, which usually ends /xAPI or /xapi" in result.output
    assert all(row.dead_at is None for row in outbox(session))  # our address, not the statements
