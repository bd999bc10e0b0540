"""What every request and response must carry: CSRF tokens on every state-changing route, session
cookies that scripts and other sites cannot use, and security headers on every kind of response."""

from __future__ import annotations

import io

import pytest
from flask import url_for

from lms.config import configure
from tests.builders import PASSWORD, make_organisation, make_user
from tests.conftest import csrf_token
from tests.security.conftest import World, api_token, signed_client
from tests.security.test_authorisation import _argument

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
TOKEN_AUTH_ROUTES: set[str] = set()  # API routes authenticated by a bearer token instead of a cookie (none change state yet)
CSRF_REFUSAL = "Your session has expired"


def _state_changing_paths(app, world: World) -> list[tuple[str, str, str]]:
    paths = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & STATE_CHANGING):
            with app.test_request_context():
                path = url_for(rule.endpoint, **{name: _argument(name, world, "site_admin", "own") for name in rule.arguments})
            paths.append((rule.endpoint, method, path))
    return paths


def test_is_every_state_changing_route_refused_without_a_csrf_token(app, world):
    paths = _state_changing_paths(app, world)
    assert len(paths) >= 20  # the URL map really was read
    wrong = []
    for role in ("anonymous", "learner", "site_admin"):
        client, _token = signed_client(app, world.users.get(role))
        for endpoint, method, path in paths:
            if endpoint in TOKEN_AUTH_ROUTES:
                continue
            for data in ({}, {"csrf_token": "forged"}):
                response = client.open(path, method=method, data=data)
                if response.status_code != 400 or CSRF_REFUSAL not in response.get_data(as_text=True):
                    wrong.append(f"{role} {method} {path} with {data or 'no token'}: {response.status_code}")
    assert wrong == []


def test_is_a_token_from_another_session_refused(app, world):
    _client, learners_token = signed_client(app, world.users["learner"])
    trainer, _token = signed_client(app, world.users["trainer"])
    response = trainer.post("/sign-out", data={"csrf_token": learners_token})
    assert response.status_code == 400 and CSRF_REFUSAL in response.get_data(as_text=True)


def test_are_the_cookie_defaults_secure_without_any_configuration(tmp_path, monkeypatch):
    from flask import Flask

    monkeypatch.delenv("LMS_SESSION_COOKIE_SECURE", raising=False)
    bare = Flask("lms", instance_path=str(tmp_path))
    configure(bare)
    assert bare.config["SESSION_COOKIE_SECURE"] is True and bare.config["REMEMBER_COOKIE_SECURE"] is True
    assert bare.config["SESSION_COOKIE_HTTPONLY"] is True and bare.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert bare.config["SESSION_COOKIE_SAMESITE"] == "Lax" and bare.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("remember", [False, True])
def test_do_sign_in_cookies_carry_secure_httponly_and_samesite(app, session, remember):
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)  # as deployed (the tests turn them off)
    make_user(session, make_organisation(session), email="cookie@testville.example")
    session.commit()
    session.close()
    client = app.test_client()
    https = {"base_url": "https://lms.example", "headers": {"Referer": "https://lms.example/sign-in"}}
    page = client.get("/sign-in", **https).get_data(as_text=True)
    form = {"email": "cookie@testville.example", "password": PASSWORD, "csrf_token": csrf_token(page)}
    if remember:
        form["remember"] = "y"
    response = client.post("/sign-in", data=form, **https)
    assert response.status_code == 302 and "/sign-in" not in response.headers["Location"]
    cookies = response.headers.getlist("Set-Cookie")
    names = {c.split("=", 1)[0] for c in cookies}
    assert "session" in names and (("sl_remember" in names) == remember)
    for cookie in cookies:
        flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
        assert "secure" in flags and "httponly" in flags, cookie
        assert flags.get("samesite", "").lower() == "samesite=lax", cookie


HEADERS = {
    "Content-Security-Policy": ("default-src 'self'", "default-src 'none'"),  # assets get the stricter one
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def test_does_every_kind_of_response_carry_the_security_headers(app, world):
    app.add_url_rule("/test-only/broken", "broken", lambda: 1 / 0)  # an unexpected error, for the 500 page
    learner, token = signed_client(app, world.users["learner"])
    admin, _token = signed_client(app, world.users["org_admin"])
    anonymous, _token = signed_client(app, None)
    responses = {
        "html page": learner.get("/my-training"),
        "redirect": anonymous.get("/my-training"),
        "not found": learner.get("/no-such-page"),
        "forbidden": learner.get("/admin/"),
        "csrf refusal": learner.post("/sign-out", data={}),
        "server error": learner.get("/test-only/broken"),
        "stylesheet": anonymous.get("/static/site.css"),
        "image asset": learner.get(f"/content/{world.version_id}/assets/{world.asset_name}"),
        "pdf certificate": learner.get(f"/certificates/{world.certificates['learner']}.pdf"),
        "csv export": admin.get("/reports/export/counts.csv"),
        "xlsx export": admin.get("/reports/export/counts.xlsx"),
        "json api refusal": anonymous.get("/api/v1/counts"),
        "json api": anonymous.get("/api/v1/counts", headers={"Authorization": f"Bearer {api_token(1)}"}),
    }
    wrong = []
    for kind, response in responses.items():
        for name, start in HEADERS.items():
            if not response.headers.get(name, "").startswith(start):  # a str or a tuple of allowed beginnings
                wrong.append(f"{kind} ({response.status_code}): {name} is {response.headers.get(name)!r}")
        if response.mimetype == "text/html" and response.headers.get("Cache-Control") != "no-store":
            wrong.append(f"{kind}: an HTML page may be cached: {response.headers.get('Cache-Control')!r}")
        if response.status_code >= 500 and "Traceback" in response.get_data(as_text=True):
            wrong.append(f"{kind}: a traceback reached the user")
    assert [r.status_code for r in responses.values()] == [200, 302, 404, 403, 400, 500, 200, 200, 200, 200, 200, 401, 200]
    assert wrong == []


FOUR_MB = "a" * (4 * 1024 * 1024)
TOO_LONG = "What you sent is too long"


@pytest.mark.parametrize("path", ["/sign-in", "/register", "/forgot-password"])
def test_is_a_4_mb_email_field_refused_at_once_with_a_page_that_fits_a_form(app, path):
    client = app.test_client()
    token = csrf_token(client.get(path).get_data(as_text=True))
    response = client.post(path, data={"email": FOUR_MB + "@example.org", "password": "x", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and TOO_LONG in page and "Shorten what you typed in the form" in page
    assert FOUR_MB[:1000] not in page


def test_is_a_large_body_refused_before_the_csrf_check_reads_it(app):
    response = app.test_client().post("/sign-in", data={"email": FOUR_MB})  # no CSRF token: the size is refused first
    assert response.status_code == 413 and TOO_LONG in response.get_data(as_text=True)


def test_is_a_large_text_part_of_a_multipart_form_refused(app, world):
    client, token = signed_client(app, world.users["site_admin"])
    response = client.post(f"/admin/organisations/{world.own.organisation_id}/people/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "only_valid": "y" * (200 * 1024)})
    assert response.status_code == 413 and TOO_LONG in response.get_data(as_text=True)


def test_is_a_people_csv_of_5000_rows_accepted_though_it_is_over_128_kb(app, world):
    """Werkzeug held the file's chunks to the text-part limit: a 240 KB CSV was refused as too long."""
    client, token = signed_client(app, world.users["site_admin"])
    rows = "".join(f"new.starter{n:04d}@council1.example,New Starter {n}\n" for n in range(5000))
    response = client.post(f"/admin/organisations/{world.own.organisation_id}/people/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(f"email,full_name\n{rows}".encode()), "people.csv")})
    assert len(rows) > 200 * 1024 and response.status_code == 200
    assert "5000 people imported" in response.get_data(as_text=True)


def test_is_a_4_mb_query_string_refused_with_a_clear_page(app, world):
    for user in (None, world.users["site_admin"]):
        client, _token = signed_client(app, user)
        for path in ("/sign-in", "/reports/", "/admin/sessions"):
            response = client.get(path, query_string={"next": FOUR_MB, "period": FOUR_MB})
            assert response.status_code == 414 and "The web address is too long" in response.get_data(as_text=True), path


def test_are_request_size_limits_set_deliberately(app):
    config = app.config
    assert config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024 and config["MAX_FORM_SIZE"] == 128 * 1024
    assert config["MAX_FORM_MEMORY_SIZE"] == 128 * 1024 and config["MAX_FORM_PARTS"] == 1000 and config["MAX_QUERY_LENGTH"] == 4096


@pytest.mark.parametrize("path", ["/modules/%00", "/verify/AB%00CD", "/sign-in?next=%00", "/admin/organisations/1/people?q=a%00b"])
def test_is_a_nul_byte_anywhere_in_a_request_refused_with_a_400_that_says_why(client, path):
    """PostgreSQL cannot store NUL, so a NUL that reached a query was a 500 there (found by the fuzz test on PostgreSQL)."""
    response = client.get(path)
    assert response.status_code == 400 and "NUL byte" in response.get_data(as_text=True)


def test_is_a_nul_byte_in_a_form_field_refused(client):
    page = client.get("/sign-in").get_data(as_text=True)
    response = client.post("/sign-in", data={"email": "a\x00@example.org", "password": "x", "csrf_token": csrf_token(page)})
    assert response.status_code == 400 and "NUL byte" in response.get_data(as_text=True)
