"""The report pages as a partnership lead and an organisation admin use them: does the summary show the
period's totals and the trend with its table, does each breakdown page show its table (rows of zeros folded
away, GOV.UK dates) with download links named for what they download and holding the same figures, is the
learner list searched and paged, and is bad filter input explained in GOV.UK style instead of failing?"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest

from lms.models import OrganisationType, Role
from tests.builders import make_assignment, make_completion, make_organisation, make_partnership, make_user
from tests.lms.reporting_builders import make_module, make_session_with_audience, signed_in


@pytest.fixture
def world(session):
    """A council (with an admin and a learner) and a police force in one partnership, a quiet charity with
    no training, a lead, and a module done by e-learning in May 2025 and face to face in June 2025."""
    partnership = make_partnership(session, "Home")
    council = make_organisation(session, partnership, "Council")
    police = make_organisation(session, partnership, "Police", OrganisationType.POLICE)
    make_organisation(session, partnership, "Quiet charity", OrganisationType.VOLUNTARY)
    module = make_module(session, "Hate crime", refresher_months=0)  # never needs a refresher: in date whatever today is
    make_completion(session, make_user(session, council, email="ana@council.example"), module, dt.datetime(2025, 5, 20, 10))
    make_session_with_audience(session, module, council, dt.date(2025, 6, 2), {council: 7, police: 3})
    make_assignment(session, module, council, due_on=dt.date(2025, 12, 31))
    make_user(session, council, Role.ORG_ADMIN, email="admin@council.example")
    make_user(session, police, Role.PARTNERSHIP_LEAD, email="lead@home.example")
    session.commit()
    return {"council": council, "police": police, "module": module}


class _Tables(HTMLParser):
    """The text of each table's cells, row by row, keyed by the table's id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_on(page: str, key: str) -> list[list[str]]:
    """The rows of the page's table (header row first)."""
    reader = _Tables()
    reader.feed(page)
    return reader.tables[f"table-{key}"]


def link(page: str, text: str) -> str:
    """The href of the link with exactly this text."""
    match = re.search(rf'<a class="govuk-link[^"]*" href="([^"]+)">{re.escape(text)}</a>', page)
    assert match, f"no link '{text}'"
    return match.group(1).replace("&amp;", "&")


def downloaded(client, href: str) -> list[list[str]]:
    """A CSV download's table: the rows after its heading (title, period, whose figures, when) and its blank line."""
    response = client.get(href)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    return rows[rows.index([]) + 1:]


def test_does_the_summary_show_the_periods_totals_the_trend_and_links_to_each_breakdown(app, world):
    client = signed_in(app, "lead@home.example")
    page = client.get("/reports/?period=2025-26-Q1").get_data(as_text=True)
    assert "Training delivered: Q1 2025/26" in page and "<title>Training report – Q1 2025/26" in page
    assert '<span class="govuk-heading-xl govuk-!-margin-bottom-0">3</span> sessions delivered' in page  # 1 e-learning, 2 audiences
    assert '<span class="govuk-heading-xl govuk-!-margin-bottom-0">11</span> people trained' in page
    assert '<svg viewBox="0 0 640 260" role="img" aria-labelledby="trend-title trend-desc"' in page
    assert ">11</text>" in page  # the bar's total
    assert table_on(page, "trend")[-1] == ["Q1 2025/26", "1", "1", "2", "10", "3", "11"]  # the bar's numbers, in its table
    for title in ("Sessions by organisation", "Sessions by organisation type", "Sessions by module", "Sessions by organisation and module",
                  "Compliance with assigned modules"):
        assert f">{title}</a>" in page, title
    assert "Learners and their modules" not in page  # a lead sees no one's name
    assert "2025-06-02" not in page and "2025-26-Q1" not in re.sub(r'(href|value)="[^"]*"', "", page)


CHANNELS = {"e-learning": "E-learning", "face-to-face": "Face to face"}
BREAKDOWNS = [  # page, table, link wording, and how a downloaded row lines up with the page's (the download adds ids)
    ("organisations", "organisations", "sessions by organisation", lambda row: row[1:]),
    ("organisation-types", "types", "sessions by organisation type", lambda row: row),
    ("modules", "modules", "sessions by module", lambda row: row),
    ("organisations-and-modules", "counts", "sessions by organisation and module",
     lambda row: [row[1], row[5], CHANNELS[row[6]], row[7], row[8]]),
]


def test_does_each_breakdown_page_download_the_same_figures_it_shows(app, world):
    client = signed_in(app, "lead@home.example")
    for slug, key, title, line_up in BREAKDOWNS:
        page = client.get(f"/reports/{slug}?period=2025-26-Q1").get_data(as_text=True)
        assert f"<h1 class=\"govuk-heading-l\">{title.capitalize()}</h1>" in page
        csv_href = link(page, f"Download {title} (CSV)")
        assert csv_href == f"/reports/export/{key}.csv?period=2025-26-Q1"
        assert link(page, f"Download {title} (XLSX)") == f"/reports/export/{key}.xlsx?period=2025-26-Q1"
        shown = [tuple(row) for row in table_on(page, key)[1:]]
        with_figures = [tuple(line_up(row)) for row in downloaded(client, csv_href)[1:] if set(row[-2:]) != {"0"}]
        assert shown == with_figures, slug
    organisations = client.get("/reports/organisations?period=2025-26-Q1").get_data(as_text=True)
    assert [row[0] for row in table_on(organisations, "organisations")[1:]] == ["Council", "Police"]
    assert "Show 1 organisation with no training recorded" in organisations and "<li>Quiet charity</li>" in organisations
    assert "Quiet charity" in client.get(link(organisations, "Download sessions by organisation (CSV)")).get_data(as_text=True)


def test_does_the_compliance_page_write_dates_the_gov_uk_way(app, world):
    client = signed_in(app, "admin@council.example")
    page = client.get("/reports/compliance").get_data(as_text=True)
    assert table_on(page, "compliance")[1] == ["Council Whole organisation", "Hate crime Mandatory, due by 31 December 2025",
                                               "2", "1", "0", "0", "1"]
    assert "2025-12-31" not in page
    rows = downloaded(signed_in(app, "admin@council.example"), link(page, "Download compliance with assigned modules (CSV)"))
    assert rows[1][:5] == ["Council", "Whole organisation", "Hate crime", "Mandatory", "2025-12-31"]  # a date a spreadsheet reads


def test_can_a_lead_narrow_the_figures_to_one_of_their_organisations(app, world):
    client = signed_in(app, "lead@home.example")
    summary = client.get("/reports/?period=2025-26-Q1").get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', summary)
    assert [name for _id, name in options] == ["Council", "Police", "Quiet charity"]
    police = client.get(f"/reports/?period=2025-26-Q1&organisation={world['police'].id}").get_data(as_text=True)
    assert '<span class="govuk-caption-l">Police</span>' in police
    assert '<span class="govuk-heading-xl govuk-!-margin-bottom-0">3</span> people trained' in police
    assert f'<option value="{world["police"].id}" selected>Police</option>' in police
    assert f"/reports/modules?period=2025-26-Q1&amp;organisation={world['police'].id}" in police  # breakdowns keep the choice
    assert client.get(f"/reports/modules?organisation={world['police'].id}&period=2025-26-Q1").status_code == 200
    assert client.get("/reports/learners").status_code == 404


def test_does_a_bookmark_from_before_the_date_boxes_still_work(app, world):
    page = signed_in(app, "admin@council.example").get("/reports/?period=custom&from=2025-05-01&to=2025-05-31").get_data(as_text=True)
    assert "Training delivered: 1 May 2025 to 31 May 2025" in page and 'name="from-month" type="text" inputmode="numeric" value="5"' in page


def test_are_custom_dates_typed_as_day_month_and_year_applied_to_the_day(app, world):
    client = signed_in(app, "admin@council.example")
    may = client.get("/reports/?period=custom&from-day=1&from-month=5&from-year=2025&to-day=31&to-month=5&to-year=2025").get_data(as_text=True)
    assert "Training delivered: 1 May 2025 to 31 May 2025" in may
    assert '<span class="govuk-heading-xl govuk-!-margin-bottom-0">1</span> person trained' in may
    assert '<option value="custom" selected>Custom dates</option>' in may and 'name="to-day" type="text" inputmode="numeric" value="31"' in may
    june = client.get("/reports/?period=custom&from-day=1&from-month=jun&from-year=2025&to-day=30&to-month=6&to-year=2025")
    page = june.get_data(as_text=True)
    assert '<span class="govuk-heading-xl govuk-!-margin-bottom-0">7</span> people trained' in page
    assert "/reports/export/trend.csv?period=2025-06-01..2025-06-30" in page
    assert "/reports/modules?period=2025-06-01..2025-06-30" in page  # a link back to the same dates
    assert "1 June 2025 to 30 June 2025" in client.get("/reports/modules?period=2025-06-01..2025-06-30").get_data(as_text=True)


CUSTOM = "/reports/{page}?period=custom"


@pytest.mark.parametrize(("query", "message", "target"), [
    ("&from-day=30&from-month=6&from-year=2025&to-day=1&to-month=6&to-year=2025", "End date must be the same as or after the start date", "to-day"),
    ("&from-day=yesterday&from-month=6&from-year=2025&to-day=1&to-month=7&to-year=2025", "Start date must be a real date", "from-day"),
    ("&from-day=31&from-month=2&from-year=2025&to-day=1&to-month=7&to-year=2025", "Start date must be a real date", "from-day"),
    ("&from-day=1&from-month=6&to-day=1&to-month=7&to-year=2025", "Start date must include a year", "from-year"),
    ("&from-day=1&from-month=6&from-year=25&to-day=1&to-month=7&to-year=2025", "Start date must have a year with 4 numbers, like 2026", "from-year"),
    ("", "Enter the start date", "from-day"),
    ("&from-day=1&from-month=6&from-year=1999&to-day=1&to-month=7&to-year=2025", "Start date must be between 1 April 2000 and 31 March 2100", "from-year"),
    ("&from-day=1&from-month=6&from-year=2025&to-day=1&to-month=7&to-year=2200", "End date must be between 1 April 2000 and 31 March 2100", "to-year"),
    ("&from-day=%D9%A1&from-month=6&from-year=2025&to-day=1&to-month=7&to-year=2025", "Start date must be a real date", "from-day"),
])
@pytest.mark.parametrize("page", ["", "organisations"])
def test_are_bad_custom_dates_explained_in_gov_uk_style(app, world, query, message, target, page):
    response = signed_in(app, "lead@home.example").get(CUSTOM.format(page=page) + query)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Error: " in html and "There is a problem" in html
    assert f'<li><a href="#{target}">{message}</a></li>' in html
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in html  # beside the boxes too
    assert "sessions delivered" not in html and "Download sessions" not in html  # no figures for a period nobody chose


@pytest.mark.parametrize(("period", "message"), [
    ("2025", "Select a period from the list"), ("2025-26-Q9", "Select a period from the list"), ("tomorrow", "Select a period from the list"),
    ("%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%95-26", "Select a period from the list"), ("2025-06-30..2025-06-01", "Select a period from the list"),
    ("1999-00", "Select a period from 2000/01 to 2099/00"), ("2025-04-01..9999-12-31", "Select a period from 2000/01 to 2099/00"),
])
def test_is_a_period_that_is_not_in_the_list_explained_in_gov_uk_style(app, world, period, message):
    client = signed_in(app, "admin@council.example")
    for path in ("/reports/", "/reports/modules", "/reports/compliance"):
        response = client.get(f"{path}?period={period}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<title>Error: " in html, path
        assert f'<li><a href="#period">{message}</a></li>' in html, path
    assert client.get(f"/reports/export/counts.csv?period={period}").status_code == 400


def test_is_the_learner_list_searched_and_paged(app, session, world):
    for number in range(30):
        make_user(session, world["council"], email=f"staff{number:02d}@council.example").full_name = f"Staff {number:02d}"
    session.commit()
    client = signed_in(app, "admin@council.example")
    summary = client.get("/reports/").get_data(as_text=True)
    first = client.get(link(summary, "Learners and their modules")).get_data(as_text=True)
    assert "Showing people 1 to 25 of 32" in first  # ana, the admin and 30 staff: each has the assigned module
    assert 'aria-label="Page 2"' in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/reports/learners?page=2").get_data(as_text=True)
    assert "Showing people 26 to 32 of 32" in second and 'aria-current="page">2</a>' in second and "Staff 29" in second
    assert "Staff 29" not in first and "Showing people 26 to 32" in client.get("/reports/learners?page=7").get_data(as_text=True)
    assert "Showing people 1 to 25" in client.get("/reports/learners?page=abc").get_data(as_text=True)
    found = client.get("/reports/learners?q=STAFF0").get_data(as_text=True)
    assert "10 people matching ‘STAFF0’" in found and "Staff 09" in found and "Staff 10" not in found and "ana@council.example" not in found
    assert "1 person matching ‘ana@’" in client.get("/reports/learners?q=ana@").get_data(as_text=True)
    nobody = client.get("/reports/learners?q=%3Cscript%3E").get_data(as_text=True)
    assert "No one with a module to report matches ‘&lt;script&gt;’" in nobody and "<script>" not in nobody.split("<main")[1]
    paged = client.get("/reports/learners?q=staff").get_data(as_text=True)
    assert "/reports/learners?page=2&amp;q=staff" in paged  # the search is kept from page to page
    rows = downloaded(client, link(first, "Download learners and their modules (CSV)"))
    assert len(rows) == 33 and rows[0][:2] == ["Name", "Email"]  # everyone, not just one page


def test_does_a_site_admin_see_one_organisations_learners_only_when_they_ask_for_it(app, session, world):
    make_user(session, world["council"], Role.SITE_ADMIN, email="site@home.example")
    session.commit()
    client = signed_in(app, "site@home.example")
    assert client.get("/reports/learners").status_code == 404
    page = client.get(f"/reports/learners?organisation={world['council'].id}").get_data(as_text=True)
    assert "ana@council.example" in page and f"/reports/export/learners.csv?organisation={world['council'].id}" in page
