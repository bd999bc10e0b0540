"""Are exports safe to open in a spreadsheet, headed with their period, free of personal data where they
count, written to the audit log, and do the CLI, the dashboard and the JSON API give the same numbers?"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.models import ApiToken, AuditEvent, Module, Role, utcnow
from lms.services.api_tokens import create_token, token_hash
from lms.services.exports import table_csv, table_xlsx
from lms.services.periods import govuk_date, parse_period
from lms.services.reports import Table
from tests.builders import make_assignment, make_completion, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token
from tests.lms.reporting_builders import make_module, make_session_with_audience, signed_in

NASTY = ["=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]


def test_does_no_text_cell_start_a_formula_in_csv_or_xlsx():
    table = Table("counts", "Counts", ("Organisation", "People"), [(text, 3) for text in NASTY])
    period = parse_period("2025-26-Q3")
    rows = list(csv.reader(io.StringIO(table_csv(table, period, dt.datetime(2026, 1, 5, 9, 30)))))
    assert rows[:3] == [["Counts"], ["Period", "Q3 2025/26"], ["Generated (UTC)", "2026-01-05 09:30"]]
    assert [r[0] for r in rows[5:]] == ["'" + text for text in NASTY] and all(r[1] == "3" for r in rows[5:])
    sheet = load_workbook(io.BytesIO(table_xlsx(table, period, dt.datetime(2026, 1, 5, 9, 30)))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    assert [sheet.cell(row=r, column=1).value for r in range(6, 6 + len(NASTY))] == list(NASTY)  # text cells: no apostrophe needed
    assert sheet.cell(row=6, column=2).value == 3 and sheet.cell(row=2, column=2).value == "Q3 2025/26"


@pytest.fixture
def data(session):
    """A partnership whose organisation has a formula-like name, with e-learning and face-to-face training."""
    partnership = make_partnership(session, "Home")
    council = make_organisation(session, partnership, "=Council")
    police = make_organisation(session, partnership, "Police")
    elsewhere = make_organisation(session, make_partnership(session, "Away"), "Elsewhere")
    module = make_module(session, "Hate crime")
    for organisation in (council, council, police, elsewhere):
        make_completion(session, make_user(session, organisation), module, dt.datetime(2025, 10, 20, 10))
    make_session_with_audience(session, module, council, dt.date(2025, 11, 3), {council: 9, police: 6})
    lead = make_user(session, council, Role.PARTNERSHIP_LEAD, email="lead@home.example")
    make_user(session, council, Role.ORG_ADMIN, email="admin@home.example")
    session.commit()
    return partnership, lead


def counts_from_csv(text: str) -> set[tuple]:
    rows = list(csv.reader(io.StringIO(text)))
    start = next(i for i, row in enumerate(rows) if {"organisation", "Organisation"} & set(row))
    header = rows[start]
    index = {name: header.index(name) for name in header}
    organisation = index.get("organisation", index.get("Organisation"))
    module, channel = index.get("module", index.get("Module")), index.get("channel", index.get("Channel"))
    sessions, people = index.get("sessions_delivered", index.get("Sessions delivered")), index.get("people_trained", index.get("People trained"))
    return {(r[organisation], r[module], r[channel], int(r[sessions]), int(r[people])) for r in rows[start + 1:]}


def test_do_the_cli_the_dashboard_and_the_api_agree(app, session, data):
    partnership, lead = data
    cli = app.test_cli_runner().invoke(args=["report", "export", "--period", "2025-26-Q3", "--format", "csv",
                                             "--partnership", partnership.slug])
    assert cli.exit_code == 0, cli.output
    from_cli = counts_from_csv(cli.output)
    client = signed_in(app, lead.email)
    from_dashboard = counts_from_csv(client.get("/reports/export/counts.csv?period=2025-26-Q3").get_data(as_text=True))
    plain, _token = create_token(session, "BI", partnership=partnership)
    response = client.get("/api/v1/counts?period=2025-26-Q3", headers={"Authorization": f"Bearer {plain}"})
    from_api = {(r["organisation"], r["module"], r["channel"], r["sessions_delivered"], r["people_trained"]) for r in response.json["rows"]}
    expected = {("'=Council", "Hate crime", "e-learning", 2, 2), ("'=Council", "Hate crime", "face-to-face", 1, 9),
                ("Police", "Hate crime", "e-learning", 1, 1), ("Police", "Hate crime", "face-to-face", 1, 6)}
    assert from_cli == from_dashboard == expected
    assert {(o.lstrip("'"), *rest) for o, *rest in from_api} == {(o.lstrip("'"), *rest) for o, *rest in expected}
    page = client.get("/reports/?period=2025-26-Q3").get_data(as_text=True)
    assert "<span class=\"govuk-heading-xl govuk-!-margin-bottom-0\">5</span> sessions delivered" in page
    assert "<span class=\"govuk-heading-xl govuk-!-margin-bottom-0\">18</span> people trained" in page


def test_does_the_cli_write_xlsx_to_a_file(app, data, tmp_path):
    out = tmp_path / "counts.xlsx"
    result = app.test_cli_runner().invoke(args=["report", "export", "--period", "2025-26-Q3", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    assert sheet.cell(row=2, column=2).value == "Q3 2025/26" and sheet.cell(row=5, column=1).value == "organisation_id"
    refused = app.test_cli_runner().invoke(args=["report", "export", "--format", "xlsx"])
    assert refused.exit_code != 0 and "--out FILE" in refused.output
    unknown = app.test_cli_runner().invoke(args=["report", "export", "--partnership", "nowhere"])
    assert unknown.exit_code != 0 and "no partnership has the slug 'nowhere'" in unknown.output


def test_do_counts_exports_hold_no_personal_data(app, session, data):
    _partnership, lead = data
    client = signed_in(app, lead.email)
    for table in ("organisations", "counts", "types", "modules", "trend", "compliance"):
        for fmt in ("csv", "xlsx"):
            body = client.get(f"/reports/export/{table}.{fmt}?period=2025-26-Q3").data
            assert b"@example.org" not in body and b"Test Person" not in body, (table, fmt)


def test_are_dates_stored_as_dates_and_is_the_learner_list_for_an_organisations_own_admins(app, session, data):
    _partnership, lead = data
    council = lead.organisation
    make_assignment(session, session.scalar(select(Module)), council, due_on=dt.date(2026, 3, 31))
    session.commit()
    admin = signed_in(app, "admin@home.example")
    sheet = load_workbook(io.BytesIO(admin.get("/reports/export/compliance.xlsx").data)).active
    assert [sheet.cell(row=r, column=2).value for r in (2, 3)] == [govuk_date(utcnow()), "=Council"]  # standing on; covers (as text)
    assert [c.value for c in sheet[6]][:5] == ["Organisation", "Department", "Module", "Assignment", "Due by"]
    assert sheet.cell(row=7, column=5).value == dt.datetime(2026, 3, 31)  # a real date cell, which a spreadsheet can sort
    learners = admin.get("/reports/export/learners.csv").get_data(as_text=True)
    assert "@example.org" in learners and "Elsewhere" not in learners
    assert signed_in(app, lead.email).get("/reports/export/learners.csv").status_code == 404
    assert admin.get("/reports/export/learners.csv?organisation=999999").status_code == 404


def test_is_every_export_written_to_the_audit_log(app, session, data):
    _partnership, lead = data
    client = signed_in(app, lead.email)
    client.get("/reports/export/types.xlsx?period=2025-26")
    app.test_cli_runner().invoke(args=["report", "export", "--period", "2025-26-Q3", "--format", "json"])
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "report.exported").order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.subject, e.detail["format"], e.detail["period"], e.detail["via"]) for e in events] == [
        (lead.id, "report:types", "xlsx", "2025-26", "dashboard"), (None, "report:counts", "json", "2025-26-Q3", "cli")]
    assert events[0].occurred_at is not None


def test_is_the_api_token_checked_scoped_and_stored_only_as_a_hash(app, session, data):
    partnership, lead = data
    plain, token = create_token(session, "BI", partnership=partnership, created_by_id=lead.id)
    assert session.scalar(select(ApiToken.token_hash).where(ApiToken.id == token.id)) == token_hash(plain) != plain
    client = app.test_client()
    assert client.get("/api/v1/counts").status_code == 401
    assert client.get("/api/v1/counts", headers={"Authorization": "Bearer slr_wrong"}).status_code == 401
    assert client.get("/api/v1/counts", headers={"Authorization": f"Basic {plain}"}).status_code == 401
    bad_period = client.get("/api/v1/counts?period=2025", headers={"Authorization": f"Bearer {plain}"})
    assert bad_period.status_code == 400 and "write a financial year" in bad_period.json["error"]
    ok = client.get("/api/v1/counts?period=2025-26-Q3", headers={"Authorization": f"Bearer {plain}"})
    assert ok.status_code == 200 and "Elsewhere" not in ok.get_data(as_text=True) and json.loads(ok.data)["period"] == "Q3 2025/26"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "report.exported"))
    assert event.detail["via"] == f"api_token:{token.id}" and event.actor_id == lead.id


def test_is_a_revoked_token_refused_and_can_leads_manage_tokens_in_the_admin_pages(app, session, data):
    partnership, lead = data
    client = signed_in(app, lead.email)
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    created = client.post("/admin/api-tokens", data={"csrf_token": csrf_token(page), "name": "Power BI",
                                                     "scope": f"partnership:{partnership.id}"}).get_data(as_text=True)
    plain = created.split('<code class="sl-token">')[1].split("</code>")[0]
    assert client.get("/api/v1/counts", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    token = session.scalar(select(ApiToken).where(ApiToken.name == "Power BI"))
    client.post(f"/admin/api-tokens/{token.id}/revoke", data={"csrf_token": csrf_token(created)})
    assert client.get("/api/v1/counts", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("api_token.%"))).all()
    assert sorted(actions) == ["api_token.created", "api_token.revoked"]


def test_can_the_cli_create_a_token_that_the_api_accepts(app, session, data):
    partnership, _lead = data
    result = app.test_cli_runner().invoke(args=["api-token", "create", "Nightly BI", "--partnership", partnership.slug])
    assert result.exit_code == 0, result.output
    plain = result.output.strip().splitlines()[-1]
    assert app.test_client().get("/api/v1/counts", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    assert app.test_cli_runner().invoke(args=["api-token", "create", "Both"]).exit_code != 0


@pytest.fixture
def twins(session):
    """Two partnerships, each with an organisation called "Community Safety Team", and one module."""
    first, second = make_partnership(session, "North"), make_partnership(session, "South")
    north, south = make_organisation(session, first, "Community Safety Team"), make_organisation(session, second, "Community Safety Team")
    module = make_module(session, "Hate crime")
    for organisation, people in ((north, 2), (south, 3)):
        for _ in range(people):
            make_completion(session, make_user(session, organisation), module, dt.datetime(2025, 10, 20, 10))
    make_user(session, north, Role.SITE_ADMIN, email="site@north.example")
    session.commit()
    return north, south, module


def test_do_two_organisations_with_the_same_name_stay_apart_in_every_export(app, session, twins):
    north, south, module = twins
    expected = {(str(north.id), module.slug, "2"), (str(south.id), module.slug, "3")}
    client = signed_in(app, "site@north.example")
    for source in ("dashboard", "cli"):
        if source == "dashboard":
            text = client.get("/reports/export/counts.csv?period=2025-26-Q3").get_data(as_text=True)
            header = ["Organisation ID", "Module slug", "People trained"]
        else:
            text = app.test_cli_runner().invoke(args=["report", "export", "--period", "2025-26-Q3", "--format", "csv"]).output
            header = ["organisation_id", "module_slug", "people_trained"]
        rows = list(csv.reader(io.StringIO(text)))
        start = next(i for i, row in enumerate(rows) if header[0] in row)
        index = [rows[start].index(name) for name in header]
        assert {tuple(row[i] for i in index) for row in rows[start + 1:]} == expected, source
    sheet = load_workbook(io.BytesIO(client.get("/reports/export/counts.xlsx?period=2025-26-Q3").data)).active
    assert [c.value for c in sheet[6]][:5] == ["Organisation ID", "Organisation", "Organisation type", "Type group", "Module slug"]
    assert sorted((r[0], r[4]) for r in sheet.iter_rows(min_row=7, values_only=True)) == [(north.id, module.slug), (south.id, module.slug)]
    plain, _token = create_token(session, "BI", partnership=south.partnership)
    api = app.test_client().get("/api/v1/counts?period=2025-26-Q3", headers={"Authorization": f"Bearer {plain}"}).json
    assert [(r["organisation_id"], r["organisation"], r["module_slug"], r["people_trained"]) for r in api["rows"]] == [
        (south.id, "Community Safety Team", module.slug, 3)]


def test_does_renaming_an_organisation_keep_its_id_in_the_api(app, session, twins):
    north, _south, _module = twins
    plain, _token = create_token(session, "BI", organisation=north)
    client = app.test_client()
    before = client.get("/api/v1/counts?period=2025-26-Q3", headers={"Authorization": f"Bearer {plain}"}).json["rows"]
    north.name = "North Safer Communities"
    session.commit()
    after = client.get("/api/v1/counts?period=2025-26-Q3", headers={"Authorization": f"Bearer {plain}"}).json["rows"]
    assert [r["organisation_id"] for r in before] == [r["organisation_id"] for r in after] == [north.id]
    assert after[0]["organisation"] == "North Safer Communities" and set(after[0]) == {
        "organisation_id", "organisation", "organisation_type", "module_slug", "module", "channel", "sessions_delivered",
        "people_trained", "type_group"}  # ids and names of organisations and modules, counts: nobody's personal data
