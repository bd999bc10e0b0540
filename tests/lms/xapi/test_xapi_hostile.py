"""What the sender does when the address it is given is not a well-behaved LRS, through a scripted stand-in
(no real LRS answers like this): a redirect, a 200 web page, a broken or endless answer, a proxy that
refuses everything. In each case nothing may look sent that was not delivered, the run must not crash,
and the error must say what to check."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lms.services import xapi
from tests.builders import take_assessment
from tests.lms.xapi.xapi_builders import outbox, two_learners

Script = Callable[[BaseHTTPRequestHandler, bytes], None]


class Scripted:
    """A local HTTP server that answers every request with `script(handler, body)` and remembers each request."""

    def __init__(self, script: Script) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                peer.requests.append((self.command, self.path, dict(self.headers)))
                script(self, body)

            do_GET = do_POST = _handle  # noqa: N815 - the http.server API

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}/xapi"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)



@pytest.fixture
def waiting(session, version) -> int:
    """A pass of a pseudonymous learner and one of a learner whose address is shared: four statements waiting."""
    learner, sharer = two_learners(session)
    take_assessment(session, learner, version, True)
    take_assessment(session, sharer, version, True)
    return len(outbox(session))


@pytest.fixture
def peers() -> Iterator[Callable[[Script], Scripted]]:
    started: list[Scripted] = []

    def start(script: Script) -> Scripted:
        started.append(Scripted(script))
        return started[-1]

    yield start
    for peer in started:
        peer.close()


def send(app, peer: Scripted) -> tuple[int, str]:
    app.config.update(XAPI_ENDPOINT=peer.endpoint, XAPI_USERNAME="u", XAPI_PASSWORD="p")
    result = app.test_cli_runner().invoke(args=["xapi", "send"])
    return result.exit_code, result.output


def nothing_sent(session, error: str) -> bool:
    rows = outbox(session)
    return all(r.sent_at is None and r.dead_at is None and r.tries == 1 and error in r.last_error for r in rows)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_is_a_redirect_refused_so_nothing_looks_sent_and_the_credentials_stay_here(app, session, waiting, peers, status):
    elsewhere = peers(lambda h, body: reply(h, 200, b"[]"))
    moved = peers(lambda h, body: reply(h, status, b"moved", {"Location": elsewhere.endpoint + "/statements"}))
    code, said = send(app, moved)
    assert code == 1 and f"HTTP {status}" in said and f"it points to {elsewhere.endpoint}/statements" in said
    assert "set LMS_XAPI_ENDPOINT to that address" in said
    assert elsewhere.requests == []  # neither the statements nor the Basic credentials went to the other host
    assert nothing_sent(session, f"HTTP {status}")


@pytest.mark.parametrize("page", [b"<html><body>Welcome to our intranet</body></html>", b"", b'{"ok": true}',
                                  b'["00000000-0000-4000-8000-000000000000"]'])
def test_is_a_2xx_that_is_not_an_xapi_answer_a_failure_not_sent(app, session, waiting, peers, page):
    code, said = send(app, peers(lambda h, body: reply(h, 200, page, {"Content-Type": "text/html"})))
    assert code == 1 and "the LRS's answer was not an xAPI answer — check LMS_XAPI_ENDPOINT" in said
    assert nothing_sent(session, "not an xAPI answer")


def test_is_an_answer_of_the_ids_sent_accepted(app, session, waiting, peers):
    peer = peers(lambda h, body: reply(h, 200, json.dumps([s["id"] for s in json.loads(body)]).encode()))
    assert send(app, peer) == (0, f"sent {waiting}; dead-lettered 0; still waiting 0\n")
    assert all(r.sent_at is not None for r in outbox(session)) and len(peer.requests) == 1


def _bad_status_line(handler: BaseHTTPRequestHandler, body: bytes) -> None:
    handler.wfile.write(b"NOT HTTP AT ALL\r\n\r\n")
    handler.close_connection = True


def _cut_short(handler: BaseHTTPRequestHandler, body: bytes) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    handler.wfile.write(b'["')
    handler.close_connection = True


def _silent(handler: BaseHTTPRequestHandler, body: bytes) -> None:
    handler.close_connection = True


@pytest.mark.parametrize("script", [_bad_status_line, _cut_short, _silent])
def test_is_a_broken_answer_a_failure_to_retry_not_a_crash(app, session, waiting, peers, script):
    code, said = send(app, peers(script))
    assert code == 1 and "will be tried again later" in said
    rows = outbox(session)
    assert all(r.sent_at is None and r.dead_at is None and r.tries == 1 and r.last_error for r in rows)


def test_is_an_answer_dripped_a_byte_at_a_time_cut_off_at_the_deadline(app, session, waiting, peers):
    stop = threading.Event()

    def drip(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        while not stop.is_set():
            try:
                handler.wfile.write(b" ")
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)

    peer = peers(drip)
    app.config.update(XAPI_ENDPOINT=peer.endpoint)
    lrs = dataclasses.replace(xapi.Lrs.from_config(app.config), timeout=5, deadline=1)  # each byte comes well within `timeout`
    report = xapi.send_due(session, lrs)
    stop.set()
    assert (report.sent, report.failed) == (0, waiting) and "no whole answer within 1 seconds" in report.error
    assert nothing_sent(session, "no whole answer within 1 seconds")


def test_is_a_huge_refusal_kept_as_a_short_excerpt(app, session, waiting, peers):
    code, said = send(app, peers(lambda h, body: reply(h, 503, b"x" * 5_000_000)))
    assert code == 1 and "HTTP 503" in said
    assert all(len(r.last_error) < 400 for r in outbox(session))


def test_does_a_proxy_that_refuses_everything_dead_letter_nothing(app, session, waiting, peers):
    """400 to every statement, alone or not, from an address that does not answer as an LRS: its fault, not theirs."""
    peer = peers(lambda h, body: reply(h, 400, b"Bad request (proxy)") if h.command == "POST" else reply(h, 200, b"<html>hi</html>"))
    code, said = send(app, peer)
    assert code == 1 and f"the LRS refused each of {waiting} statements on its own" in said and "check LMS_XAPI_ENDPOINT" in said
    assert "none was dead-lettered" in said
    assert nothing_sent(session, "its address does not answer as an LRS")
    assert [r[0] for r in peer.requests].count("POST") == 2 * waiting - 1  # halved down to each statement once


def test_is_a_lone_refused_statement_still_dead_lettered(app, session, waiting, peers):
    """With batches of one the rule above does not apply: the refusal is about that statement."""
    app.config.update(XAPI_ENDPOINT=peers(lambda h, body: reply(h, 400, b"bad statement")).endpoint)
    report = xapi.send_due(session, xapi.Lrs.from_config(app.config), batch_size=1)
    assert (report.dead, report.failed) == (waiting, 0)


def test_does_sending_one_at_a_time_set_aside_what_a_write_only_lrs_refuses(app, session, waiting, peers):
    """An LRS that refuses every statement of a batch and will not let us read: the message says how to set them aside."""
    peer = peers(lambda h, body: reply(h, 400, b"invalid statement") if h.command == "POST" else reply(h, 403, b"no read scope"))
    code, said = send(app, peer)
    assert code == 1 and "`lms xapi send --batch-size 1` sets the refused ones aside" in said
    later = outbox(session)[0].next_try_at  # when the batch is due again, sent one at a time
    report = xapi.send_due(session, xapi.Lrs.from_config(app.config), now=later, batch_size=1)
    assert (report.dead, report.failed, report.error) == (waiting, 0, "")
    assert all(r.dead_at is not None and "invalid statement" in r.last_error for r in outbox(session))
