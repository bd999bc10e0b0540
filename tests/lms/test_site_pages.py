"""Can anyone, signed in or not, find the accessibility statement, privacy notice, cookies, help and contact
pages from every page's footer, each saying what this installation's settings say?"""

from __future__ import annotations

import html
import re

import pytest

from lms import create_app
from lms.security import CSP
from lms.signing_in import REMEMBER_COOKIE

PAGES = {"/help": "Help using", "/contact": "Contact us", "/accessibility": "Accessibility statement for",
         "/privacy": "Privacy notice", "/cookies": "Cookies"}


def text_of(response) -> str:
    return " ".join(html.unescape(response.get_data(as_text=True)).split())


@pytest.mark.parametrize("path", ["/", "/sign-in", "/register", *PAGES])
def test_does_every_page_link_to_the_site_information_pages_and_keep_the_999_line(client, path):
    page = text_of(client.get(path))
    footer = page[page.index("<footer"):]
    for link in PAGES:
        assert f'href="{link}"' in footer, f"{path}: no footer link to {link}"
    assert "If someone is in immediate danger, call 999." in " ".join(footer.split())
    assert re.search(r'govuk-phase-banner__content__tag">Beta<', page)
    assert 'Help us improve it: <a class="govuk-link" href="/contact">contact us</a>' in page


@pytest.mark.parametrize(("path", "heading"), PAGES.items())
def test_is_each_site_information_page_open_to_everyone(client, path, heading):
    response = client.get(path)
    assert response.status_code == 200 and heading in text_of(response)


def test_does_the_accessibility_statement_cover_what_public_bodies_must_publish(client):
    page = text_of(client.get("/accessibility"))
    for part in ("Web Content Accessibility Guidelines version 2.2", "AA standard", "How accessible this website is",
                 "Reporting accessibility problems", "Enforcement procedure", "Equality and Human Rights Commission",
                 "Equality Advisory and Support Service", "This statement was prepared on", "Certificates are PDF files"):
        assert part in page, part


def test_do_the_pages_say_what_this_installations_settings_say(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "ORGANISATION_NAME": "Safer Yorkshire Partnership",
                      "CONTACT_EMAIL": "training@safer-yorkshire.example", "CONTACT_PHONE": "01904 000000",
                      "ACCESSIBILITY_KNOWN_ISSUES": ["The map on the venues page has no text version."]})
    client = app.test_client()
    contact = text_of(client.get("/contact"))
    assert "run by Safer Yorkshire Partnership" in contact
    assert 'href="mailto:training@safer-yorkshire.example"' in contact and "01904 000000" in contact
    statement = text_of(client.get("/accessibility"))
    assert "The map on the venues page has no text version." in statement and "Certificates are PDF" not in statement


def test_without_a_contact_address_are_people_sent_to_their_own_administrator(client):
    page = text_of(client.get("/contact"))
    assert "mailto:" not in page and "your organisation's administrator" in page


def test_does_the_cookies_page_list_only_the_essential_cookies_the_service_sets(app, client):
    page = text_of(client.get("/cookies"))
    assert app.config.get("SESSION_COOKIE_NAME", "session") in page and REMEMBER_COOKIE in page
    assert "only uses essential cookies" in page and "30 days" in page


def test_is_gov_uk_frontend_loaded_as_a_module_with_no_inline_script(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert re.findall(r"<script[^>]*>", page) == ['<script type="module" src="/static/init.js">']
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    module = client.get("/static/init.js")
    assert module.status_code == 200 and module.mimetype == "text/javascript"
    assert 'from "./dist/govuk-frontend.min.js"' in module.get_data(as_text=True)
