"""xAPI: statements for passes, fails and completions, checked by an independent validator; built once and
kept as the exact text that is exported and sent. The forwarder's answers to failures a real LRS cannot be
made to give are in test_xapi_forwarding.py; delivery to a real LRS (Ralph) is in test_xapi_ralph.py."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import uuid

from sqlalchemy import func, select

from lms.db import write_transaction
from lms.models import AuditEvent, Channel, Completion, ModuleVersion, XapiOutbox
from lms.services import completions, xapi
from lms.services.periods import current_period, fy_quarter
from tests.builders import answer_form, make_training_session, take_assessment
from tests.conftest import ROOT
from tests.lms.xapi.xapi_builders import outbox

VALIDATOR = ROOT / "tests" / "lms" / "xapi" / "validate_xapi.js"
SITE = "http://127.0.0.1:5000"




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
    attempt = submission.attempt
    passed = next(s for s in export(app) if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed")
    assert passed["id"] == str(uuid.uuid5(xapi.namespace(session), f"attempt:{attempt.id}"))
    assert passed["object"]["id"] == f"{SITE}/modules/tiny-module/versions/1"
    assert passed["result"] == {"completion": True, "success": True, "duration": xapi.duration(attempt.started_at, attempt.submitted_at),
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


def export_text(app) -> str:
    result = app.test_cli_runner().invoke(args=["xapi", "export"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_does_a_statement_stay_as_it_was_built_when_names_and_the_site_address_change_later(app, session, version, people):
    learner, sharer = people
    answer(session, learner, version, right=True)
    answer(session, sharer, version, right=True)
    kept = [r.body for r in outbox(session)]
    first = export_text(app)
    with session.begin():
        learner.organisation.name, learner.organisation.partnership.name = "Renamed Council", "Renamed Partnership"
        sharer.email, sharer.organisation.xapi_shares_email = "moved@elsewhere.example", False
        learner.public_id = str(uuid.uuid4())
    app.config.update(SITE_URL="https://moved.example", SITE_NAME="Another name")
    assert export_text(app) == first == "".join(body + "\n" for body in sorted(kept, key=lambda b: first.index(b)))
    assert "Renamed" not in first and "moved" not in first and "shared.learner@testville.example" in first


def test_is_a_record_from_before_statements_were_kept_built_once_on_first_export_then_kept(app, session, version, people):
    learner, _ = people
    answer(session, learner, version, right=True)
    with write_transaction(session):
        session.execute(XapiOutbox.__table__.delete())  # as a pass recorded before 0007 left nothing kept
    first = export_text(app)
    assert len(outbox(session)) == 2 and first.count("\n") == 2
    with write_transaction(session):
        learner.organisation.name = "Renamed Council"
    assert export_text(app) == first and len(outbox(session)) == 2


def test_is_the_installation_namespace_made_once_random_and_kept(app, session, version, people):
    from lms.models import Installation

    assert session.scalar(select(func.count(Installation.id))) == 0
    space = xapi.namespace(session)
    session.commit()
    assert space.version == 4 and space != uuid.UUID("6f1c2b0e-3d55-4c1e-9a53-2b7f0c1d8e41")  # the old fixed namespace
    submission = answer(session, people[0], version, right=True)
    assert xapi.namespace(session) == space and session.scalar(select(func.count(Installation.id))) == 1
    assert outbox(session)[0].statement_id == str(uuid.uuid5(space, f"attempt:{submission.attempt.id}"))


# --- queueing and forwarding ----------------------------------------------------------------------

def test_is_a_pass_kept_but_not_sent_when_no_lrs_is_configured(app, session, version, people):
    answer(session, people[0], version, right=True)
    rows = outbox(session)
    assert len(rows) == 2 and all(r.sent_at is None and r.tries == 0 for r in rows)
    exported = app.test_cli_runner().invoke(args=["xapi", "export"]).stdout
    assert sorted(xapi.to_json_lines([r.body for r in rows])) == sorted(exported.splitlines(keepends=True))  # the kept text, byte for byte
    status = app.test_cli_runner().invoke(args=["xapi", "status"])
    assert "none configured" in status.output and "waiting:        2" in status.output


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
    assert [r.statement_id for r in rows] == [xapi.statement_id(xapi.namespace(session), "completion", attendance.id)]
    statement = rows[0].statement
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert statement["actor"]["account"]["name"] == learner.public_id and "duration" not in statement["result"]


def test_are_durations_written_in_iso_8601():
    start = dt.datetime(2025, 10, 1, 9, 0)
    assert xapi.duration(start, start + dt.timedelta(hours=1, minutes=2, seconds=3, milliseconds=250)) == "PT1H2M3.25S"
    assert xapi.duration(start, start + dt.timedelta(seconds=40)) == "PT40S"
    assert xapi.duration(start, start) == "PT0S"
