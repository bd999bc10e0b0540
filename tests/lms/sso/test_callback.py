"""The callback and sign-out pages, driven with Flask's test client against the real provider (over plain HTTP, as
tests/lms/sso/oidc_provider.py's ProviderSession signs in there), for what a browser test cannot easily set up:
a sign-in left for over an hour, a session that ended elsewhere, a provider's sign-out address we will not link to."""

from __future__ import annotations

import datetime as dt
import html
import re
import time

import pytest
from sqlalchemy import select

from lms.models import SingleSignOn, User
from lms.services.sso import settings as sso_settings
from lms.services.sso.client import CALLBACK_PATH
from tests.builders import make_email_domain, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token, sign_in
from tests.lms.sso.oidc_provider import CLIENT_ID, CLIENT_SECRET

SITE = "http://localhost"


@pytest.fixture
def provider(app, session, start_oidc_provider):
    """City of York Council with single sign-on at a real provider that knows this test client's redirect URI."""
    app.config.update(SITE_URL=SITE, SSO_ALLOW_HTTP_LOOPBACK=True)
    council = make_organisation(session, make_partnership(session), "City of York Council")
    make_email_domain(session, council, "york.gov.uk")
    admin = make_user(session, council, email="it.admin@york.gov.uk")
    session.commit()
    started = start_oidc_provider(SITE + CALLBACK_PATH, post_logout_redirect_uris=[SITE + "/sign-in"])
    sso_settings.save(session, council, sso_settings.Changes(started.issuer, CLIENT_ID, CLIENT_SECRET, "", ["york.gov.uk"],
                                                             True, False), admin)
    return started


def _callback(client, provider, email: str = "amal@york.gov.uk") -> str:
    """Our sign-in page, then the provider's: the path (and query) the provider sends the browser back to."""
    page = client.get("/sign-in").get_data(as_text=True)
    moving_on = client.post("/sign-in", data={"email": email, "with_organisation": "y", "csrf_token": csrf_token(page)})
    url = html.unescape(re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', moving_on.get_data(as_text=True))[1])
    return provider.sign_in(url, email).removeprefix(SITE)


def test_the_whole_sign_in_works_with_any_client_that_keeps_the_cookie(client, provider):
    assert client.get(_callback(client, provider)).headers["Location"].endswith("/my-training")
    assert client.get("/my-training").status_code == 200


def test_a_sign_in_left_for_over_an_hour_starts_again(client, provider, monkeypatch):
    callback = _callback(client, provider)
    later = time.time() + 3601
    monkeypatch.setattr("lms.auth.sso_views.time.time", lambda: later)
    page = client.get(callback)
    assert page.status_code == 400 and "Your sign-in could not be finished" in page.get_data(as_text=True)


def test_signing_out_offers_the_providers_sign_out_only_if_it_is_a_public_https_address(app, client, provider):
    client.get(_callback(client, provider))
    app.config["SSO_ALLOW_HTTP_LOOPBACK"] = False  # the provider's sign-out address is now one we will not link to
    page = client.get("/my-training").get_data(as_text=True)
    signed_out = client.post("/sign-out", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    text = signed_out.get_data(as_text=True)
    assert "You have signed out of Safer Learning" in text and "Sign out of your City of York Council account" not in text


def test_a_later_password_session_in_the_same_browser_is_not_taken_for_a_single_sign_on(client, session, provider):
    client.get(_callback(client, provider))
    amal = session.scalar(select(User).where(User.email == "amal@york.gov.uk"))
    amal.session_generation += 1  # her session ended on another server
    session.commit()
    sign_in(client, "it.admin@york.gov.uk")
    page = client.get("/my-training").get_data(as_text=True)
    assert client.post("/sign-out", data={"csrf_token": csrf_token(page)}).headers["Location"].endswith("/sign-in")


def test_changed_settings_are_tried_at_once_after_the_provider_failed(client, session, provider):
    """A provider that could not be read is left alone for a minute, unless an admin changes its settings."""
    saved = session.scalar(select(SingleSignOn))
    issuer, saved.issuer = saved.issuer, "https://127.0.0.1:1"
    session.commit()
    page = client.get("/sign-in").get_data(as_text=True)
    refused = client.post("/sign-in", data={"email": "amal@york.gov.uk", "with_organisation": "y", "csrf_token": csrf_token(page)})
    assert refused.status_code == 502
    saved.issuer, saved.updated_at = issuer, saved.updated_at + dt.timedelta(seconds=1)  # as settings.save does
    session.commit()
    assert client.get(_callback(client, provider)).headers["Location"].endswith("/my-training")
