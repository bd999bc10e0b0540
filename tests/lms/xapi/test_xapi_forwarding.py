"""The forwarder's answers to what a real LRS (Ralph, in test_xapi_ralph.py) cannot be made to say: 503,
429 and 408 (wait and try again), refused credentials (wait: not the statements' fault), a 409 for a
statement the LRS holds unchanged (sent), through a small local stand-in LRS; and `lms xapi retry`'s
answers to retries that name nothing it can retry."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from lms.db import write_transaction
from lms.models import ModuleVersion, XapiOutbox
from lms.services import xapi
from tests.builders import take_assessment
from tests.lms.xapi.xapi_builders import outbox

LRS_USER, LRS_PASSWORD = "lrs-user", "lrs-pass"




def answer(session, user, version: ModuleVersion, right: bool):
    return take_assessment(session, user, version, right)


class LocalLrs:
    """A stand-in LRS for answers Ralph cannot be made to give: it refuses the first `failures` requests with
    `status` (503, 429...), then stores statements by id; with `conflicts`, it answers 409 to an id it holds
    even when the statement is the same (as some LRSs do), and shows what it holds at GET ?statementId=."""

    def __init__(self, failures: int, status: int = 503, conflicts: bool = False) -> None:
        self.failures, self.status, self.conflicts, self.requests, self.stored, self.received = failures, status, conflicts, 0, {}, []
        self.expected_auth = "Basic " + base64.b64encode(f"{LRS_USER}:{LRS_PASSWORD}".encode()).decode()
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                lrs.requests += 1
                if self.path != "/xapi/statements" or self.headers["X-Experience-API-Version"] != "1.0.3":
                    return self._answer(400)
                if self.headers["Authorization"] != lrs.expected_auth:
                    return self._answer(401)
                if lrs.requests <= lrs.failures:
                    return self._answer(lrs.status)
                statements = json.loads(body)
                if lrs.conflicts and any(s["id"] in lrs.stored for s in statements):
                    return self._answer(409, b'{"detail": "already held"}')
                for statement in statements:
                    lrs.received.append(statement["id"])
                    lrs.stored.setdefault(statement["id"], statement)  # as an LRS does: one statement per id
                return self._answer(200, json.dumps([s["id"] for s in statements]).encode())

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                wanted = self.path.partition("statementId=")[2]
                held = lrs.stored.get(wanted)
                if held is None:
                    return self._answer(404)
                return self._answer(200, json.dumps({**held, "stored": "2030-01-01T09:00:00Z", "authority": {"mbox": "mailto:lrs@x.example"}}).encode())

            def _answer(self, status: int, body: bytes = b"") -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}/xapi"

    def __enter__(self) -> LocalLrs:
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def test_lrs() -> Iterator[LocalLrs]:
    with LocalLrs(failures=3) as lrs:
        yield lrs


def test_does_the_forwarder_deliver_everything_once_through_an_lrs_that_fails_then_recovers(app, session, version, people, test_lrs):
    app.config.update(XAPI_ENDPOINT=test_lrs.endpoint, XAPI_USERNAME=LRS_USER, XAPI_PASSWORD=LRS_PASSWORD)
    learner, sharer = people
    answer(session, learner, version, right=False)
    answer(session, learner, version, right=True)
    answer(session, sharer, version, right=True)
    queued = [r.statement_id for r in outbox(session)]
    assert len(queued) == 5
    lrs = xapi.Lrs.from_config(app.config)
    start = dt.datetime(2030, 1, 1, 9, 0)

    first = xapi.send_due(session, lrs, now=start, batch_size=2)
    assert (first.sent, first.failed) == (0, 2) and "503" in first.error
    rows = outbox(session)
    assert [r.tries for r in rows] == [1, 1, 0, 0, 0] and rows[0].next_try_at == start + dt.timedelta(minutes=1)

    later = xapi.send_due(session, lrs, now=start + dt.timedelta(seconds=30), batch_size=2)
    assert (later.sent, later.failed) == (0, 2)  # the first two wait their turn; the next two are tried, and fail
    assert [r.tries for r in outbox(session)] == [1, 1, 1, 1, 0] and test_lrs.requests == 2

    again = xapi.send_due(session, lrs, now=start + dt.timedelta(minutes=1), batch_size=2)
    assert again.failed == 2 and outbox(session)[0].next_try_at == start + dt.timedelta(minutes=3)  # the wait doubled

    recovered = xapi.send_due(session, lrs, now=start + dt.timedelta(minutes=2), batch_size=2)
    assert (recovered.sent, recovered.failed, recovered.error) == (3, 0, "")
    assert [r.sent_at is not None for r in outbox(session)] == [False, False, True, True, True]
    assert xapi.send_due(session, lrs, now=start + dt.timedelta(minutes=3), batch_size=2).sent == 2
    assert sorted(test_lrs.stored) == sorted(queued)
    assert all(r.sent_at is not None and r.last_error == "" for r in outbox(session))
    assert xapi.send_due(session, lrs, now=start + dt.timedelta(hours=1)).sent == 0  # nothing is sent twice

    with session.begin():  # the LRS stored a batch but its answer was lost: the rows are sent again
        for row in session.scalars(select(XapiOutbox).limit(2)):
            row.sent_at = None
    assert xapi.send_due(session, lrs, now=start + dt.timedelta(hours=2)).sent == 2
    assert len(test_lrs.received) == 7 and sorted(test_lrs.stored) == sorted(queued)  # a resend adds no statement


def test_are_statements_kept_when_the_lrs_refuses_the_credentials(app, session, version, people, test_lrs):
    app.config.update(XAPI_ENDPOINT=test_lrs.endpoint, XAPI_USERNAME=LRS_USER, XAPI_PASSWORD="wrong")
    answer(session, people[0], version, right=True)
    result = app.test_cli_runner().invoke(args=["xapi", "send"])
    assert result.exit_code == 1 and "401" in result.output and "tried again later" in result.output
    assert test_lrs.stored == {}
    assert all(r.sent_at is None and r.dead_at is None and "401" in r.last_error for r in outbox(session))  # not the statements' fault


def test_does_send_say_what_to_configure_when_there_is_no_lrs(app):
    result = app.test_cli_runner().invoke(args=["xapi", "send"])
    assert result.exit_code == 1 and "set LMS_XAPI_ENDPOINT" in result.output


def test_is_an_lrs_address_that_is_not_web_refused(app):
    app.config["XAPI_ENDPOINT"] = "file:///etc/passwd"
    result = app.test_cli_runner().invoke(args=["xapi", "send"])
    assert result.exit_code == 1 and "must start with https://" in result.output


def test_does_the_wait_between_tries_double_up_to_six_hours():
    assert [xapi.retry_delay(n) for n in (1, 2, 3, 4)] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert xapi.retry_delay(30) == dt.timedelta(hours=6)


def test_is_the_number_waiting_counted(app, session, version, people):
    answer(session, people[0], version, right=False)
    assert xapi.outbox_waiting(session) == session.scalar(select(func.count(XapiOutbox.id))) == 1


@pytest.mark.parametrize("status", [429, 503, 408])
def test_does_a_busy_lrs_make_the_batch_wait_not_dead_letter_it(app, session, version, people, status):
    answer(session, people[0], version, right=True)
    with LocalLrs(failures=1, status=status) as lrs_server:
        lrs = xapi.Lrs(lrs_server.endpoint, LRS_USER, LRS_PASSWORD)
        start = dt.datetime(2030, 1, 1, 9, 0)
        busy = xapi.send_due(session, lrs, now=start)
        assert (busy.sent, busy.dead, busy.failed) == (0, 0, 2) and f"HTTP {status}" in busy.error
        assert xapi.outbox_status(session, start + dt.timedelta(seconds=30)).backing_off == 2
        assert xapi.send_due(session, lrs, now=start + dt.timedelta(minutes=1)).sent == 2
    assert len(lrs_server.stored) == 2


def test_does_a_409_for_a_statement_the_lrs_holds_unchanged_count_as_sent(app, session, version, people):
    """Ralph answers 204 to a repeat; an LRS that answers 409 instead is asked what it holds."""
    answer(session, people[0], version, right=True)
    with LocalLrs(failures=0, conflicts=True) as lrs_server:
        lrs = xapi.Lrs(lrs_server.endpoint, LRS_USER, LRS_PASSWORD)
        assert xapi.send_due(session, lrs).sent == 2
        with write_transaction(session):
            session.execute(XapiOutbox.__table__.update().values(sent_at=None))  # the answer was lost: sent again
        again = xapi.send_due(session, lrs)
        assert (again.sent, again.dead) == (2, 0) and lrs_server.requests == 1 + 1 + 2  # the first send; then the batch, and each alone
        with write_transaction(session):
            row = session.scalar(select(XapiOutbox).order_by(XapiOutbox.id))
            row.sent_at, row.body = None, row.body.replace('"raw":100', '"raw":99')  # the LRS holds something else under the id
        changed = xapi.send_due(session, lrs)
    assert (changed.sent, changed.dead) == (0, 1)
    assert "HTTP 409" in outbox(session)[0].last_error and "holds a different statement" in outbox(session)[0].last_error


@pytest.mark.parametrize(("args", "says"), [
    ([], "give one statement id, or --all"),
    (["--all", "3f1c0000-0000-4000-8000-000000000001"], "give one statement id, or --all"),
    (["not-a-statement"], "'not-a-statement' is not a statement id"),
    (["3f1c0000-0000-4000-8000-000000000001"], "no dead-lettered statement has the id 3f1c0000-0000-4000-8000-000000000001"),
])
def test_is_a_retry_that_names_nothing_it_can_retry_refused_with_a_fix(app, args, says):
    result = app.test_cli_runner().invoke(args=["xapi", "retry", *args])
    assert result.exit_code != 0 and says in result.output and "Traceback" not in result.output


def test_does_retry_all_with_nothing_dead_lettered_say_so(app):
    result = app.test_cli_runner().invoke(args=["xapi", "retry", "--all"])
    assert result.exit_code == 0 and "0 statement(s) will be sent again" in result.output
