"""Do pages and cookies carry the protections the issue asks for: CSP without inline script, secure cookies, no framing?"""

from __future__ import annotations

from flask import Flask

from lms.config import configure
from tests.builders import PASSWORD, make_user
from tests.conftest import csrf_token

PAGES = ["/", "/sign-in", "/register", "/forgot-password", "/verify/NOSUCHCODE23", "/reset-password/broken"]


def test_does_every_learner_page_forbid_inline_script_framing_and_sniffing(client):
    for path in PAGES:
        headers = client.get(path).headers
        csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
        assert csp["script-src"] == "'self'" and csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'", path
        assert "unsafe-inline" not in headers["Content-Security-Policy"], path
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY", path
        assert headers["Cache-Control"] == "no-store", path


def test_are_session_and_remember_cookies_secure_and_http_only_by_default(tmp_path):
    app = Flask("lms", instance_path=str(tmp_path / "instance"))
    configure(app)
    for name in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        assert app.config[f"{name}_SECURE"] is True and app.config[f"{name}_HTTPONLY"] is True
        assert app.config[f"{name}_SAMESITE"] == "Lax"


def test_do_the_cookies_a_browser_receives_carry_secure_and_http_only(app, client, session):
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    make_user(session, email="amal@example.org")
    session.commit()
    page = client.get("/sign-in", base_url="https://localhost").get_data(as_text=True)
    response = client.post("/sign-in", base_url="https://localhost", headers={"Referer": "https://localhost/sign-in"},
                           data={"email": "amal@example.org", "password": PASSWORD, "remember": "y", "csrf_token": csrf_token(page)})
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "sl_remember"):
        assert "Secure" in cookies[name] and "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name], cookies[name]


def test_is_a_certificate_pdf_also_covered_by_the_headers(client, session):
    response = client.get("/certificates/NOSUCHCODE23.pdf")
    assert response.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in response.headers
