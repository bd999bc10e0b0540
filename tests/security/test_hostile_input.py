"""Is bad input answered with a clear message or a 400/404 page, never a 500: `?next=` with control
characters, reporting periods at the edges of the calendar, non-ASCII digits and huge numbers in ids?"""

from __future__ import annotations

import io
import re

import pytest

from lms.models import Role
from lms.parsing import parse_id
from lms.services import user_import
from lms.services.api_tokens import create_token
from lms.services.periods import FIRST_YEAR, LAST_YEAR, custom_period, parse_period
from tests.builders import date_boxes, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token
from tests.lms.reporting_builders import signed_in
from tests.security.conftest import signed_client

HOSTILE_NEXT = [
    "/ok\r\nSet-Cookie: x=1", "/ok\nLocation: https://evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
    "/%0d%0aSet-Cookie:x=1", "/\x00", "/\t/evil.example", "//evil.example", "https://evil.example", "/" + "a" * 3000,
    "/\u2028", "/\x7f", "javascript:alert(1)", " //evil.example",
]


@pytest.fixture
def person(session):
    user = make_user(session, make_organisation(session), email="next@testville.example")
    session.commit()
    return user


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_does_sign_in_with_a_hostile_next_stay_on_the_site(app, person, target):
    client = app.test_client()
    if "\x00" in target:  # refused before any page is drawn (lms.limits), so it can lead nowhere
        assert client.get("/sign-in", query_string={"next": target}).status_code == 400
        return
    page = client.get("/sign-in", query_string={"next": target}).get_data(as_text=True)
    response = client.post("/sign-in", query_string={"next": target},
                           data={"email": person.email, "password": "correct horse battery staple", "csrf_token": csrf_token(page)})
    location = response.headers.get("Location", "")
    assert response.status_code == 302, response.status_code
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert not any(ord(c) < 32 or c in "\\\x7f" for c in location), location
    if "\r" in target or "\\" in target or len(target) > 2000 or target.startswith(("//", "http", "javascript", " ")):
        assert location == "/my-training"


def test_is_an_ordinary_next_path_kept(app, person):
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    response = client.post("/sign-in?next=/modules/tiny-module%3Fx%3D1",
                           data={"email": person.email, "password": "correct horse battery staple", "csrf_token": csrf_token(page)})
    assert response.headers["Location"] == "/modules/tiny-module?x=1"


@pytest.mark.parametrize("text", ["0001-02-Q1", "0001-02", "9999-00-Q4", "9999-00", "1999-00-Q4", "2100-01",
                                  "0001-01-01..0001-01-02", "9999-12-30..9999-12-31", "2025-04-01..9999-12-31"])
def test_is_a_period_outside_the_supported_years_refused_with_a_message(text):
    with pytest.raises(ValueError, match=f"from {FIRST_YEAR}"):
        parse_period(text)


def test_are_the_first_and_last_supported_years_usable():
    first, last = parse_period(f"{FIRST_YEAR}-{(FIRST_YEAR + 1) % 100:02d}"), parse_period(f"{LAST_YEAR}-{(LAST_YEAR + 1) % 100:02d}-Q4")
    assert first.moments[0].year == FIRST_YEAR and last.moments[1].year == LAST_YEAR + 1
    assert custom_period(first.bounds[0], last.bounds[1]).key == f"{FIRST_YEAR}-04-01..{LAST_YEAR + 1}-03-31"


@pytest.fixture
def lead(session):
    partnership = make_partnership(session, "Edge")
    user = make_user(session, make_organisation(session, partnership), email="lead@edge.example", role=Role.PARTNERSHIP_LEAD)
    plain, _token = create_token(session, "BI", partnership=partnership)
    session.commit()
    return user, plain


EDGE_QUERIES = ["period=0001-02-Q1", "period=9999-00-Q4", "period=9999-00", "period=custom&from=0001-01-01&to=0001-01-02",
                "period=custom&from=2025-04-01&to=9999-12-31", "period=0001-01-01..0001-01-03", "period=2025-04-01..9999-12-31"]


EXPLAINS_RANGE = re.compile(r"2000\S*( to |\sand\s)\S*\s?\S*\s?(2099|2100)")  # "from 2000/01 to 2099/00", "between 1 April 2000 and 31 March 2100"


@pytest.mark.parametrize("query", EDGE_QUERIES)
def test_is_a_period_at_the_calendars_edge_explained_on_the_dashboard_and_refused_by_exports(app, lead, query):
    user, plain = lead
    client = signed_in(app, user.email)
    dashboard = client.get(f"/reports/?{query}")
    assert dashboard.status_code == 200 and EXPLAINS_RANGE.search(dashboard.get_data(as_text=True))
    export = client.get(f"/reports/export/counts.csv?{query}")
    assert export.status_code == 400 and EXPLAINS_RANGE.search(export.get_data(as_text=True))
    if "custom" not in query:
        api = client.get(f"/api/v1/counts?{query}", headers={"Authorization": f"Bearer {plain}"})
        assert api.status_code == 400 and "from 2000" in api.json["error"]


@pytest.mark.parametrize("period", ["0001-02-Q1", "9999-00-Q4", "0001-01-01..0001-01-02", "2025-04-01..9999-12-31", "\x00"])
def test_does_the_cli_refuse_a_period_at_the_calendars_edge_clearly(app, period):
    result = app.test_cli_runner().invoke(args=["report", "export", "--period", period])
    assert result.exit_code == 2 and "Invalid value for --period" in result.output.replace("'", ""), result.output
    assert "\x00" not in result.output


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), ("0", 0), ("١٢", None), ("²", None), ("１２", None), (" 12", None), ("12 ", None), ("+12", None), ("-1", None),
    ("1_000", None), ("", None), (None, None), ("9" * 30, None), (str(2**31 - 1), 2**31 - 1), (str(2**31), None),
])
def test_does_parse_id_accept_only_ascii_digits_in_range(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize("path", ["/admin/organisations/%D9%A1", "/admin/organisations/%EF%BC%91", "/admin/organisations/99999999999999999999999",
                                  "/admin/organisations/9223372036854775808/people", "/attempts/%D9%A1%D9%A2", "/attempts/99999999999999999999",
                                  "/content/99999999999999999999999/assets/a.png", "/modules/tiny-module/pages/%D9%A1",
                                  "/modules/tiny-module/pages/99999999999999999999"])
def test_are_non_ascii_or_huge_numbers_in_paths_not_found(app, world, path):
    client, _token = signed_client(app, world.users["site_admin"])
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("value", ["١", "²", "９", "99999999999999999999999", "-1", "1\x00"])
def test_is_a_hostile_organisation_in_the_reports_query_not_found(app, world, value):
    client, _token = signed_client(app, world.users["site_admin"])
    assert client.get("/reports/", query_string={"organisation": value}).status_code == (400 if "\x00" in value else 404)


@pytest.mark.parametrize("count", ["²", "--5", "١٢", "1e3", "99999999"])
def test_is_a_hostile_attendee_number_explained(app, world, count):
    client, token = signed_client(app, world.users["site_admin"])
    response = client.post("/admin/sessions/new", data={"csrf_token": token, f"audience-{world.own.organisation_id}": count,
                                                        "venue": "Hall", **date_boxes("delivered_on", "2025-06-01")})
    assert response.status_code == 200 and "whole numbers" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["module", "delivering_organisation"])
@pytest.mark.parametrize("value", ["²", "١", "99999999999999999999999"])
def test_is_a_hostile_choice_refused_as_a_form_error(app, world, field, value):
    client, token = signed_client(app, world.users["site_admin"])
    response = client.post("/admin/sessions/new", data={"csrf_token": token, field: value, "venue": "Hall", **date_boxes("delivered_on", "2025-06-01")})
    assert response.status_code == 200


def test_is_an_overlong_email_in_an_import_file_refused_before_it_is_validated(app, world, monkeypatch):
    validated = []
    monkeypatch.setattr(user_import, "validate_email", lambda email, **_: validated.append(email))
    client, token = signed_client(app, world.users["site_admin"])
    csv_file = ("email,full_name\n" + "a" * 100_000 + "@council1.example,Long Address\n").encode()
    response = client.post(f"/admin/organisations/{world.own.organisation_id}/people/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(csv_file), "people.csv")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "longer than 320 characters" in page
    assert validated == []
