"""xAPI: statements for passes, fails and completions, checked by an independent validator, and the
forwarder delivering them through a local test LRS that fails and then recovers."""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from authoring import build
from lms.models import AuditEvent, Channel, Completion, Module, ModuleVersion, XapiOutbox
from lms.services import completions, xapi
from lms.services.periods import current_period, fy_quarter
from tests.builders import answer_form, make_organisation, make_partnership, make_training_session, make_user, take_assessment
from tests.conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny-module"
VALIDATOR = ROOT / "tests" / "lms" / "validate_xapi.js"
SITE = "http://127.0.0.1:5000"
LRS_USER, LRS_PASSWORD = "lrs-user", "lrs-pass"


@pytest.fixture
def version(session, tmp_path: Path) -> ModuleVersion:
    from lms.services.publishing import publish

    report = build([TINY], tmp_path / "build")
    assert report.built and not report.failed
    publish(session, tmp_path / "build")
    module = session.scalar(select(Module).where(Module.slug == "tiny-module"))
    return session.get(ModuleVersion, module.current_version_id)


@pytest.fixture
def people(session):
    """A learner whose organisation keeps them pseudonymous, and one whose organisation shares emails."""
    partnership = make_partnership(session, "Safer Testville")
    private = make_organisation(session, partnership, "Testville Council")
    sharing = make_organisation(session, partnership, "Testville Police")
    sharing.xapi_shares_email = True
    learner = make_user(session, private, email="private.learner@testville.example")
    sharer = make_user(session, sharing, email="shared.learner@testville.example")
    session.commit()
    return learner, sharer


def answer(session, user, version: ModuleVersion, right: bool) -> completions.Submission:
    """Sit the assessment, choosing the key's options (right) or, for every question, a wrong one."""
    return take_assessment(session, user, version, right)


def export(app, period: str | None = None) -> list[dict]:
    result = app.test_cli_runner().invoke(args=["xapi", "export", *(["--period", period] if period else [])])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def validator_warnings(statements: list[dict]) -> dict[str, list[str]]:
    """Every statement through LearningLocker's xapi-validation (npm), run by node."""
    lines = "".join(json.dumps(s) + "\n" for s in statements)
    result = subprocess.run(["node", str(VALIDATOR)], input=lines, capture_output=True, text=True, timeout=60, check=True)
    return {r["id"]: r["warnings"] for r in map(json.loads, result.stdout.splitlines())}


def test_does_every_exported_statement_pass_an_independent_xapi_validator(app, session, version, people, tmp_path):
    learner, sharer = people
    answer(session, learner, version, right=False)
    answer(session, learner, version, right=True)
    answer(session, sharer, version, right=True)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with session.begin():
        session.add(Completion(user_id=sharer.id, organisation_id=sharer.organisation_id, module_id=version.module_id, version_id=None,
                               channel=Channel.FACE_TO_FACE, sequence=2, completed_at=now, fy_quarter=fy_quarter(now)))
    out = tmp_path / "statements.jsonl"
    result = app.test_cli_runner().invoke(args=["xapi", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    statements = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    assert sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in statements) == ["completed", "completed", "completed", "failed", "passed", "passed"]
    warnings = validator_warnings(statements)
    assert len(warnings) == len(statements)
    assert all(found == [] for found in warnings.values()), warnings
    assert "6 statement(s)" in result.output
    session.rollback()
    assert session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "report.exported"))["format"] == "jsonl"


def test_does_the_validator_refuse_a_broken_statement():
    """The validator really checks: a statement with a bad duration and score is reported."""
    broken = {"id": str(uuid.uuid4()), "actor": {"mbox": "not-an-address"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
              "object": {"id": f"{SITE}/modules/x"}, "result": {"duration": "an hour", "score": {"scaled": 2}}}
    found = validator_warnings([broken])[broken["id"]]
    assert any("actor.mbox" in w for w in found) and any("duration" in w for w in found) and any("scaled" in w for w in found)


def test_is_a_learner_named_by_pseudonym_unless_their_organisation_opts_in(app, session, version, people):
    learner, sharer = people
    answer(session, learner, version, right=True)
    answer(session, sharer, version, right=True)
    statements = export(app)
    mine = [s for s in statements if "account" in s["actor"]]
    assert mine and all(s["actor"] == {"objectType": "Agent", "account": {"homePage": SITE, "name": learner.public_id}} for s in mine)
    assert learner.email not in json.dumps(statements)
    shared = [s for s in statements if "mbox" in s["actor"]]
    assert shared and all(s["actor"] == {"objectType": "Agent", "mbox": "mailto:shared.learner@testville.example"} for s in shared)


def test_does_a_pass_carry_the_version_result_duration_and_context(app, session, version, people):
    learner, _ = people
    submission = answer(session, learner, version, right=True)
    with session.begin():
        submission.attempt.started_at = submission.attempt.submitted_at - dt.timedelta(minutes=12, seconds=5, milliseconds=500)
    passed = next(s for s in export(app) if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed")
    assert passed["id"] == str(uuid.uuid5(xapi.STATEMENT_NAMESPACE, f"attempt:{submission.attempt.id}"))
    assert passed["object"]["id"] == f"{SITE}/modules/tiny-module/versions/1"
    assert passed["result"] == {"completion": True, "success": True, "duration": "PT12M5.5S",
                                "score": {"scaled": 1.0, "raw": 100, "min": 0, "max": 100}}
    grouping = {a["id"]: a["definition"]["name"]["en-GB"] for a in passed["context"]["contextActivities"]["grouping"]}
    organisation = learner.organisation
    assert grouping == {f"{SITE}/organisations/{organisation.slug}": "Testville Council",
                        f"{SITE}/partnerships/{organisation.partnership.slug}": "Safer Testville"}
    assert passed["timestamp"] == submission.attempt.submitted_at.isoformat(timespec="milliseconds") + "Z"


def test_does_a_fail_say_failed_with_its_score_and_no_completion(app, session, version, people):
    learner, _ = people
    answer(session, learner, version, right=False)
    (failed,) = export(app)
    assert failed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert (failed["result"]["success"], failed["result"]["completion"], failed["result"]["score"]["raw"]) == (False, False, 0)


def test_are_statement_ids_stable_so_that_a_resend_is_harmless(app, session, version, people):
    learner, sharer = people
    answer(session, learner, version, right=False)
    answer(session, sharer, version, right=True)
    first, second = export(app), export(app)
    assert [s["id"] for s in first] == [s["id"] for s in second]
    assert len({s["id"] for s in first}) == len(first) == 3
    assert all(uuid.UUID(s["id"]).version == 5 for s in first)


def test_does_an_export_for_another_period_leave_this_one_out(app, session, version, people):
    learner, _ = people
    answer(session, learner, version, right=True)
    this_year = current_period().first_quarter // 10
    assert export(app, f"{this_year - 2}-{(this_year - 1) % 100:02d}") == []
    assert len(export(app, f"{this_year}-{(this_year + 1) % 100:02d}")) == 2


def test_is_a_period_that_cannot_be_read_refused_with_a_fix(app):
    result = app.test_cli_runner().invoke(args=["xapi", "export", "--period", "last summer"])
    assert result.exit_code != 0 and "financial year like 2025-26" in result.output


# --- queueing and forwarding ----------------------------------------------------------------------

def outbox(session) -> list[XapiOutbox]:
    session.rollback()
    return session.scalars(select(XapiOutbox).order_by(XapiOutbox.id)).all()


def test_is_nothing_queued_when_no_lrs_is_configured(app, session, version, people):
    answer(session, people[0], version, right=True)
    assert outbox(session) == []


def test_are_a_passs_statements_queued_once_in_the_same_transaction(app, session, version, people):
    app.config["XAPI_ENDPOINT"] = "http://127.0.0.1:9/xapi"
    learner, _ = people
    submission = answer(session, learner, version, right=True)
    rows = outbox(session)
    assert [r.statement["verb"]["id"].rsplit("/", 1)[1] for r in rows] == ["passed", "completed"]
    assert [r.statement_id for r in rows] == [r.statement["id"] for r in rows]
    assert all(r.sent_at is None for r in rows)

    completions.submit_attempt(session, submission.attempt.id, learner, answer_form(session, submission.attempt))  # a double click
    assert len(outbox(session)) == 2


def test_is_a_named_face_to_face_attendance_queued_as_completed(app, session, version, people):
    app.config["XAPI_ENDPOINT"] = "http://127.0.0.1:9/xapi"
    learner, _ = people
    workshop = make_training_session(session, version.module, learner.organisation, dt.date(2025, 11, 4))
    attendance = completions.record_attendance(session, learner, workshop)
    session.commit()
    rows = outbox(session)
    assert [r.statement_id for r in rows] == [xapi.statement_id("completion", attendance.id)]
    statement = rows[0].statement
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert statement["actor"]["account"]["name"] == learner.public_id and "duration" not in statement["result"]


class LocalLrs:
    """A local LRS: refuses the first `failures` requests with 503, then stores statements by id."""

    def __init__(self, failures: int) -> None:
        self.failures, self.requests, self.stored, self.received = failures, 0, {}, []
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
                    return self._answer(503)
                statements = json.loads(body)
                for statement in statements:
                    lrs.received.append(statement["id"])
                    lrs.stored.setdefault(statement["id"], statement)  # as an LRS does: one statement per id
                return self._answer(200, json.dumps([s["id"] for s in statements]).encode())

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
    assert all(r.sent_at is None and "401" in r.last_error for r in outbox(session))


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


def test_are_durations_written_in_iso_8601():
    start = dt.datetime(2025, 10, 1, 9, 0)
    assert xapi.duration(start, start + dt.timedelta(hours=1, minutes=2, seconds=3, milliseconds=250)) == "PT1H2M3.25S"
    assert xapi.duration(start, start + dt.timedelta(seconds=40)) == "PT40S"
    assert xapi.duration(start, start) == "PT0S"


def test_is_the_number_waiting_counted(app, session, version, people):
    app.config["XAPI_ENDPOINT"] = "http://127.0.0.1:9/xapi"
    answer(session, people[0], version, right=False)
    assert xapi.outbox_waiting(session) == session.scalar(select(func.count(XapiOutbox.id))) == 1
