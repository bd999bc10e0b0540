"""The quarterly board report as a partnership lead downloads it: does every figure of every table reach the PDF,
the Word document, the CSV and the workbook, in order, and equal the dashboard's own tables for the quarter? Do
small numbers hide everywhere when asked, targets read "On track" or "Behind" at the rule's edges, and does the
page refuse a year or custom dates with a message rather than fail?"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from lms.models import AuditEvent, JointGroup, OrganisationType, ReportTarget, Role, User
from lms.services.board_report import cell
from lms.services.periods import parse_period
from lms.services.reports import ReportScope, headline, training_counts
from lms.services.reports.quarterly import FEWER_THAN_5, SMALL_NUMBERS_NOTE, quarterly_report, report_about, report_tables, shown
from lms.services.reports.targets import BEHIND, ON_TRACK, RULE_TEXT, set_targets
from tests.builders import make_completion, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token
from tests.lms.reporting_builders import make_module, make_session_with_audience, signed_in

QUARTER, KEY = 20252, "2025-26-Q2"  # July to September 2025
LEAD, OTHER_LEAD, ADMIN, JOINT_LEAD = "lead@york.example", "lead@selby.example", "admin@site.example", "joint@group.example"
FORMATS = ("pdf", "docx", "csv", "xlsx")
_learners = itertools.count(1)


def _pass(session, organisation, module, when: dt.datetime, locality=None) -> None:
    """A learner (who never signs in, so no password to hash) passing a module at a moment."""
    person = User(email=f"learner{next(_learners)}@example.org", full_name="Test Person", password_hash="!", organisation_id=organisation.id,
                  role=Role.LEARNER, locality_id=locality.id if locality else None)
    session.add(person)
    session.flush()
    make_completion(session, person, module, when)


@pytest.fixture
def york(session):
    """Safer York: a council, a charity, a police force serving York and Selby; e-learning in each month of Q2 2025/26,
    in Q1 (the year to date), and in Q2 of the two years before; a workshop; a target of 12 for hate crime.
    Selby's council and a Selby-based officer train in the same quarter and must never reach York's figures."""
    york, selby = make_partnership(session, "Safer York"), make_partnership(session, "Safer Selby")
    council = make_organisation(session, york, "City of York Council")
    charity = make_organisation(session, york, "York Mind", OrganisationType.VOLUNTARY)
    police = make_organisation(session, selby, "North Yorkshire Police", OrganisationType.POLICE)
    police.other_partnerships.append(york)
    selby_council = make_organisation(session, selby, "Selby Council")
    hate, prevent = make_module(session, "Hate crime awareness"), make_module(session, "Prevent awareness")
    for day, count in ((dt.date(2025, 7, 3), 6), (dt.date(2025, 8, 12), 2), (dt.date(2025, 9, 29), 7)):
        for n in range(count):
            _pass(session, council, hate, dt.datetime.combine(day, dt.time(10 + n % 8)))
    for n in range(3):
        _pass(session, police, prevent, dt.datetime(2025, 8, 20, 9 + n), locality=york)
        _pass(session, police, prevent, dt.datetime(2025, 8, 21, 9 + n), locality=selby)  # Selby's officers: not York's
        _pass(session, selby_council, hate, dt.datetime(2025, 8, 22, 9 + n))
    _pass(session, charity, hate, dt.datetime(2025, 5, 6, 10))  # Q1: in the year to date, not in the quarter
    for year, count in ((2024, 9), (2023, 4)):
        for n in range(count):
            _pass(session, council, hate, dt.datetime(year, 8, 1 + n, 10))
    make_session_with_audience(session, prevent, council, dt.date(2025, 9, 10), {council: 14, charity: 3})
    for email, organisation, role in ((LEAD, council, Role.PARTNERSHIP_LEAD), (OTHER_LEAD, selby_council, Role.PARTNERSHIP_LEAD),
                                      (ADMIN, council, Role.SITE_ADMIN)):
        make_user(session, organisation, role, email=email)
    set_targets(session, york.id, 2025, {hate.id: 30}, actor_id=None)
    session.commit()
    return {"york": york, "selby": selby, "council": council, "police": police, "hate": hate, "prevent": prevent}


def _pdf_text(body: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(body))
    return len(reader.pages), " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _docx_tables(body: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(body))
    return [p.text for p in document.paragraphs], [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def _xlsx_sheets(body: bytes) -> list[list[list[str]]]:
    workbook = load_workbook(io.BytesIO(body))
    return [[["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets]


def _downloads(client, small: bool) -> dict[str, bytes]:
    found = {}
    for fmt in FORMATS:
        response = client.get(f"/reports/quarterly/download.{fmt}?period={KEY}{'&small=1' if small else ''}")
        assert response.status_code == 200, fmt
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Disposition"] == f'attachment; filename="quarterly-report-safer-york-{KEY}.{fmt}"'
        found[fmt] = response.data
    return found


def _assert_every_cell_in_every_format(tables, files: dict[str, bytes]) -> None:
    """Each table's title, columns and rows, in order, in each format, as that format writes a value."""
    pages, text = _pdf_text(files["pdf"])
    assert pages == 1
    at = 0
    for table in tables:
        for line in (table.title, " ".join(table.columns), *(" ".join(cell(v) for v in row if cell(v)) for row in table.rows)):
            found = text.find(line, at)
            assert found >= 0, f"PDF: {line!r} missing after {text[at:at + 80]!r}"
            at = found + len(line)
    paragraphs, word_tables = _docx_tables(files["docx"])
    assert [p for p in paragraphs if p in {t.title for t in tables}] == [t.title for t in tables]
    assert word_tables == [[list(t.columns), *[[cell(v) for v in row] for row in t.rows]] for t in tables]
    rows = _csv_rows(files["csv"])
    sheets = _xlsx_sheets(files["xlsx"])
    assert len(sheets) == len(tables)
    for table, sheet in zip(tables, sheets, strict=True):
        block = [list(table.columns), *[["" if v is None else str(v) for v in row] for row in table.rows]]
        start = rows.index([table.title])
        assert rows[start + 1:start + 3] == [["Period", "Q2 2025/26"], ["Covers", "Safer York"]] and rows[start + 3][0] == "Generated (UTC)"
        assert rows[start + 5:start + 5 + len(block)] == block
        assert sheet[0] == [table.title] + [""] * (len(sheet[0]) - 1)
        assert [r[:len(table.columns)] for r in sheet[5:5 + len(block)]] == block


def _dashboard(client, period: str) -> dict[str, list[list[str]]]:
    """The dashboard's modules and types tables for a period, from its own CSV downloads (their rows under the heading)."""
    tables = {}
    for key in ("modules", "types"):
        rows = _csv_rows(client.get(f"/reports/export/{key}.csv?period={period}").data)
        tables[key] = rows[rows.index(next(r for r in rows if r and r[0] in ("Module", "Organisation type"))) + 1:]
    return tables


def _totals(types_rows: list[list[str]]) -> list[str]:
    """The headline: every organisation type added up, as the summary's totals are."""
    return [str(sum(int(r[i]) for r in types_rows)) for i in range(1, 7)]


def test_does_every_figure_reach_all_four_formats_and_equal_the_dashboard(app, session, york):
    client = signed_in(app, LEAD)
    tables = report_tables(quarterly_report(session, ReportScope("Safer York", partnership_id=york["york"].id), QUARTER))
    _assert_every_cell_in_every_format(tables, _downloads(client, small=False))
    months, years, modules, types = ([[str(v) for v in row] for row in t.rows] for t in tables)
    dashboard = _dashboard(client, KEY)
    assert types == dashboard["types"]
    assert months[-1][1:] == years[0][1:] == _totals(dashboard["types"]) == ["18", "18", "2", "17", "20", "35"]
    for month, dates in zip(months[:3], ("2025-07-01..2025-07-31", "2025-08-01..2025-08-31", "2025-09-01..2025-09-30"), strict=True):
        assert month[1:] == _totals(_dashboard(client, dates)["types"]), month[0]
    assert years[1][1:] == _totals(_dashboard(client, "2024-25-Q2")["types"]) and years[1][1] == "9"
    assert years[2][1:] == _totals(_dashboard(client, "2023-24-Q2")["types"]) and years[2][1] == "4"
    assert [row[:7] for row in modules] == dashboard["modules"]
    assert modules[0] == ["Hate crime awareness", "15", "15", "0", "0", "15", "15", "16", "30", "15", ON_TRACK]
    assert modules[1][7:] == ["5", "", "", ""]  # no target set for Prevent


def test_do_small_numbers_read_fewer_than_5_in_the_page_and_every_download(app, session, york):
    client = signed_in(app, LEAD)
    tables = report_tables(quarterly_report(session, ReportScope("Safer York", partnership_id=york["york"].id), QUARTER), True)
    files = _downloads(client, small=True)
    _assert_every_cell_in_every_format(tables, files)
    small = re.compile(r"^[1-4]$")
    _, text = _pdf_text(files["pdf"])
    figures = text[text.index(tables[0].title):text.index(RULE_TEXT[:30])]
    assert FEWER_THAN_5 in figures and not re.search(r"(?<![\w/,.-])[1-4](?![\w/,.])", figures)
    assert SMALL_NUMBERS_NOTE in text
    paragraphs, word_tables = _docx_tables(files["docx"])
    assert SMALL_NUMBERS_NOTE in paragraphs
    cells = [c for t in word_tables for row in t for c in row] + [c for row in _csv_rows(files["csv"]) for c in row]
    cells += [c for sheet in _xlsx_sheets(files["xlsx"]) for row in sheet for c in row]
    assert FEWER_THAN_5 in cells and not [c for c in cells if small.match(c)]
    page = client.get(f"/reports/quarterly?period={KEY}&small=1").get_data(as_text=True)
    shown = re.findall(r'<td class="govuk-table__cell[^"]*">([^<]*)</td>', page)
    assert FEWER_THAN_5 in shown and not [c for c in shown if small.match(c.strip())]
    assert "Counts from 1 to 4 are shown as" in page and 'name="small" type="checkbox" value="1"' in page
    assert f"download.pdf?period={KEY}&amp;small=1" in page


def test_is_every_download_audited_and_free_of_personal_data(app, session, york):
    client = signed_in(app, LEAD)
    files = _downloads(client, small=False)
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "report.exported")).all()
    assert sorted(e.detail["format"] for e in events) == sorted(FORMATS)
    assert {(e.subject, e.detail["period"], e.detail["scope"]) for e in events} == {("report:quarterly", KEY, "Safer York")}
    _, text = _pdf_text(files["pdf"])
    everything = text + " ".join(_docx_tables(files["docx"])[0]) + files["csv"].decode()
    assert "@" not in everything and "Test Person" not in everything


def test_does_the_pdf_stay_on_one_page_with_five_modules_and_a_joint_groups_long_name(app, session, york):
    group = JointGroup(slug="joint", name="York and North Yorkshire joint coordination group for hate crime and community cohesion",
                       partnerships=[york["york"], york["selby"]])
    session.add(group)
    session.flush()
    lead = make_user(session, york["council"], Role.PARTNERSHIP_LEAD, email=JOINT_LEAD)
    lead.joint_group_id = group.id
    for title in ("Domestic abuse risk assessment and safety planning", "Serious and organised crime", "Prevent for City of London businesses"):
        _pass(session, york["council"], make_module(session, title), dt.datetime(2025, 8, 5, 10))
    session.commit()
    response = signed_in(app, JOINT_LEAD).get(f"/reports/quarterly/download.pdf?period={KEY}")
    pages, text = _pdf_text(response.data)
    assert pages == 1 and group.name in text
    assert text.count("Serious and organised crime") == 1 and "Domestic abuse risk assessment and safety planning" in text


# --- the rule at its edges ---------------------------------------------------------------------------

@pytest.mark.parametrize(("target", "expected", "status"), [(32, 16, ON_TRACK), (34, 17, BEHIND), (31, 16, ON_TRACK), (33, 17, BEHIND)])
def test_is_a_module_on_track_exactly_at_the_expected_number_and_behind_one_short(session, york, target, expected, status):
    """16 hate-crime sessions by the end of Q2 (15 this quarter, 1 in Q1); by Q2 half the target is expected, rounded up."""
    set_targets(session, york["york"].id, 2025, {york["hate"].id: target}, actor_id=None)
    report = quarterly_report(session, ReportScope("Safer York", partnership_id=york["york"].id), QUARTER)
    line = next(m for m in report.modules if m.module == "Hate crime awareness")
    assert (line.year_to_date, line.target, line.expected, line.status) == (16, target, expected, status)


def _targets_page(client, query: str = "") -> str:
    response = client.get(f"/reports/targets{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_can_a_lead_set_and_clear_targets_for_a_year(app, session, york):
    client = signed_in(app, LEAD)
    page = _targets_page(client, "?year=2025-26")
    assert "Sessions to deliver in 2025/26" in page and 'value="30"' in page
    response = client.post("/reports/targets", data={"csrf_token": csrf_token(page), "year": "2025-26",
                                                     f"target-{york['hate'].id}": "", f"target-{york['prevent'].id}": " 1,200 "})
    assert response.status_code == 302
    saved = {t.module_id: t.sessions for t in session.scalars(select(ReportTarget).where(ReportTarget.financial_year == 2025))}
    assert saved == {york["prevent"].id: 1200}
    assert "Targets for 2025/26 saved: 2 changed." in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(("typed", "message"), [
    ("forty", "Enter the number of sessions to deliver for Prevent awareness as a whole number, like 40"),
    ("-3", "Enter the number of sessions to deliver for Prevent awareness as a whole number, like 40"),
    ("2.5", "Enter the number of sessions to deliver for Prevent awareness as a whole number, like 40"),
    ("1000001", "The number of sessions to deliver for Prevent awareness must be 1,000,000 or fewer"),
    ("99999999999999999999", "The number of sessions to deliver for Prevent awareness must be 1,000,000 or fewer"),
])
def test_is_a_wrong_target_named_by_its_module_and_nothing_saved(app, session, york, typed, message):
    client = signed_in(app, LEAD)
    page = _targets_page(client, "?year=2025-26")
    response = client.post("/reports/targets", data={"csrf_token": csrf_token(page), "year": "2025-26",
                                                     f"target-{york['hate'].id}": "50", f"target-{york['prevent'].id}": typed})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in body and message in body
    assert f'href="#target-{york["prevent"].id}"' in body and f'value="{typed}"' in body
    assert {t.sessions for t in session.scalars(select(ReportTarget))} == {30}


@pytest.mark.parametrize("tampered", [{"target-999999": "5"}, {"target-abc": "5"}, {"year": "2025-27"}, {"year": "1999-00"}])
def test_is_a_tampered_form_refused_with_a_message_not_an_error(app, session, york, tampered):
    client = signed_in(app, LEAD)
    page = _targets_page(client, "?year=2025-26")
    response = client.post("/reports/targets", data={"csrf_token": csrf_token(page), "year": "2025-26", **tampered})
    assert response.status_code == 200 and "There is a problem" in response.get_data(as_text=True)
    assert {t.sessions for t in session.scalars(select(ReportTarget))} == {30}


def test_may_only_a_partnerships_own_lead_or_a_site_admin_set_its_targets(app, session, york):
    other = signed_in(app, OTHER_LEAD)
    assert other.get(f"/reports/targets?partnership={york['york'].slug}").status_code == 404
    page = _targets_page(other, "?year=2025-26")
    assert "Safer Selby" in page and 'value="30"' not in page  # their own partnership's boxes, empty
    other.post("/reports/targets", data={"csrf_token": csrf_token(page), "year": "2025-26", f"target-{york['hate'].id}": "7"})
    assert {(t.partnership_id, t.sessions) for t in session.scalars(select(ReportTarget))} == {(york["york"].id, 30), (york["selby"].id, 7)}
    group = JointGroup(slug="joint", name="Joint group", partnerships=[york["york"], york["selby"]])
    session.add(group)
    session.flush()
    make_user(session, york["council"], Role.PARTNERSHIP_LEAD, email=JOINT_LEAD).joint_group_id = group.id
    session.commit()
    assert signed_in(app, JOINT_LEAD).get("/reports/targets").status_code == 403
    admin = signed_in(app, ADMIN)
    assert "Choose a partnership to set its targets." in _targets_page(admin)
    assert 'value="30"' in _targets_page(admin, f"?partnership={york['york'].slug}&year=2025-26")


# --- the period and the scope ------------------------------------------------------------------------

@pytest.mark.parametrize("period", ["2025-26", "2025-07-01..2025-08-31", "custom", "2025-26-Q9", "nonsense"])
def test_does_a_year_or_dates_give_a_message_on_the_page_and_a_refusal_for_downloads(app, york, period):
    client = signed_in(app, LEAD)
    response = client.get(f"/reports/quarterly?period={period}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in body and "<table" not in body
    if period in ("2025-26", "2025-07-01..2025-08-31"):
        assert "Choose a quarter: the quarterly report covers one quarter" in body
    assert client.get(f"/reports/quarterly/download.pdf?period={period}").status_code == 400
    assert client.get(f"/reports/quarterly/download.doc?period={KEY}").status_code == 404


def test_does_the_york_lead_see_york_only(app, session, york):
    client = signed_in(app, LEAD)
    page = client.get(f"/reports/quarterly?period={KEY}").get_data(as_text=True)
    assert "Safer York" in page and "July to September 2025" in page and "Safer Selby" not in page
    rows = _csv_rows(client.get(f"/reports/quarterly/download.csv?period={KEY}").data)
    prevent = next(r for r in rows if r and r[0] == "Prevent awareness")
    assert prevent[1:3] == ["3", "3"]  # the three York-based officers, not the three in Selby
    selby = quarterly_report(session, ReportScope("Safer Selby", partnership_id=york["selby"].id), QUARTER)
    assert selby.total.elearning_sessions == 6  # Selby's council and Selby's officers, counted there instead
    assert client.get(f"/reports/quarterly?period={KEY}&organisation={york['police'].id}").status_code == 200
    police_only = client.get(f"/reports/quarterly/download.csv?period={KEY}&organisation={york['police'].id}")
    assert next(r for r in _csv_rows(police_only.data) if r and r[0] == "Covers") == ["Covers", "North Yorkshire Police in Safer York"]
    assert headline(training_counts(session, parse_period(KEY), scope=ReportScope("", partnership_id=york["york"].id))).sessions == 20


def test_can_no_hidden_number_be_worked_out_by_subtracting_shown_ones(session, york):
    """With small numbers hidden, every other count is rounded to 5: 20 people of whom 17 face to face no longer gives 3."""
    report = quarterly_report(session, ReportScope("Safer York", partnership_id=york["york"].id), QUARTER)
    tables = report_tables(report, small_numbers=True)
    counts = [cell for table in tables for row in table.rows for cell in row[1:7] + (row[7:8] if table.key == "quarter-modules" else ())]
    assert FEWER_THAN_5 in counts
    assert all(cell in (0, "", FEWER_THAN_5) or (isinstance(cell, int) and cell % 5 == 0) for cell in counts), counts
    assert shown(7, True) == 5 and shown(8, True) == 10 and shown(5, True) == 5 and shown(4, True) == FEWER_THAN_5 and shown(0, True) == 0
    assert shown(7, False) == 7


def test_is_a_status_that_would_tell_a_hidden_count_left_out(session, york):
    """'Behind' against 8 expected beside 'fewer than 5' delivered narrows the hidden count: it is left out when hidden."""
    report = quarterly_report(session, ReportScope("Safer York", partnership_id=york["york"].id), 20251)  # Q1: the charity's one pass
    line = next(line for line in report.modules if line.module_slug == york["hate"].slug)
    assert (line.year_to_date, line.status) == (1, BEHIND)
    hidden = next(r for r in report_tables(report, True)[2].rows if r[0] == "Hate crime awareness")
    assert hidden[7] == FEWER_THAN_5 and hidden[-1] == ""
    assert next(r for r in report_tables(report, False)[2].rows if r[0] == "Hate crime awareness")[-1] == BEHIND


def test_does_the_report_say_whose_figures_and_whether_the_quarter_is_over(session, york):
    group = JointGroup(slug="yorkshire", name="Yorkshire group", partnerships=[york["york"], york["selby"]])
    session.add(group)
    session.commit()
    joint = quarterly_report(session, ReportScope(group.name, joint_group_id=group.id, area_ids=(york["york"].id, york["selby"].id)), QUARTER,
                             today=dt.date(2025, 8, 15))
    about = report_about(joint)
    assert about[0] == "Yorkshire group covers Safer Selby and Safer York: its figures and targets are theirs added together."
    assert about[1] == "Q2 2025/26 is not over: these are its figures up to 15 August 2025, and a status of Behind may still change."
    york_report = quarterly_report(session, ReportScope("Safer York", partnership_id=york["york"].id), QUARTER, today=dt.date(2025, 10, 1))
    assert report_about(york_report)[0].startswith("Partner agencies that also serve another partnership count here only")
    assert not any("is not over" in sentence for sentence in report_about(york_report))


def test_is_a_quarter_that_has_not_started_refused(app, york):
    client = signed_in(app, LEAD)
    page = client.get("/reports/quarterly?period=2099-00-Q4")
    assert page.status_code == 200 and "has not started yet: choose" in page.get_data(as_text=True)
    assert client.get("/reports/quarterly/download.pdf?period=2099-00-Q4").status_code == 400
