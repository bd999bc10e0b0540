"""Does the dashboard show the chosen period's figures, a chart with the same numbers as its table,
and explain a bad period instead of failing?"""

from __future__ import annotations

import datetime as dt

import pytest

from lms.models import Role
from tests.builders import make_completion, make_organisation, make_partnership, make_user
from tests.lms.reporting_builders import make_module, make_session_with_audience, signed_in


@pytest.fixture
def admin(session):
    council = make_organisation(session, make_partnership(session, "Home"), "Council")
    module = make_module(session, "Hate crime")
    make_completion(session, make_user(session, council, email="ana@council.example"), module, dt.datetime(2025, 5, 20, 10))
    make_session_with_audience(session, module, council, dt.date(2025, 6, 2), {council: 7})
    admin = make_user(session, council, Role.ORG_ADMIN, email="admin@council.example")
    session.commit()
    return admin


def test_are_custom_dates_applied_to_the_day(app, admin):
    client = signed_in(app, admin.email)
    may = client.get("/reports/?period=custom&from=2025-05-01&to=2025-05-31").get_data(as_text=True)
    assert "Training delivered: 1 May 2025 to 31 May 2025" in may
    assert '<span class="govuk-heading-xl govuk-!-margin-bottom-0">1</span> people trained' in may
    june = client.get("/reports/?period=custom&from=2025-06-01&to=2025-06-30").get_data(as_text=True)
    assert '<span class="govuk-heading-xl govuk-!-margin-bottom-0">7</span> people trained' in june
    assert "/reports/export/counts.csv?period=2025-06-01..2025-06-30" in june


@pytest.mark.parametrize(("query", "message"), [
    ("period=custom&from=2025-06-30&to=2025-06-01", "The end date must be the same as or after the start date"),
    ("period=custom&from=yesterday", "Enter a start and end date like 2025-04-01"),
    ("period=2025", "write a financial year like 2025-26"),
])
def test_is_a_bad_period_explained_on_the_page(app, admin, query, message):
    response = signed_in(app, admin.email).get(f"/reports/?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page and message in page and 'href="#period"' in page


def test_does_the_chart_sit_beside_a_table_of_the_same_numbers(app, admin):
    page = signed_in(app, admin.email).get("/reports/?period=2025-26-Q1").get_data(as_text=True)
    assert '<svg viewBox="0 0 640 260" role="img" aria-labelledby="trend-title trend-desc"' in page
    assert 'id="table-trend"' in page and "<th scope=\"row\" class=\"govuk-table__header\">Q1 2025/26</th>" in page
    assert ">8</text>" in page  # the bar's total: one e-learning and seven face to face
    assert "ana@council.example" in page  # the organisation admin's learner-level list
