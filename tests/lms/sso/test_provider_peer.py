"""Does the test OpenID provider behave like a real one? The sign-on tests lean on every claim here."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.lms.sso.conftest import StartProvider
from tests.lms.sso.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    OidcProvider,
    ProviderSession,
    default_client,
)

REDIRECT_URI = "http://127.0.0.1:9/sign-in/organisation/callback"
LOGOUT_URI = "http://127.0.0.1:9/"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    """One well-behaved provider for this module's quick checks."""
    with OidcProvider([default_client(REDIRECT_URI)]) as started:
        yield started


def authorization_url(provider: OidcProvider, verifier: str, **extra: str) -> str:
    """The URL an app sends the browser to: code flow, PKCE S256, openid email profile."""
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {"client_id": CLIENT_ID, "response_type": "code", "scope": "openid email profile",
             "redirect_uri": REDIRECT_URI, "state": "state-1", "nonce": "nonce-1",
             "code_challenge": challenge, "code_challenge_method": "S256", **extra}
    return f"{provider.discovery['authorization_endpoint']}?{urllib.parse.urlencode(query)}"


def callback_query(url: str) -> dict[str, str]:
    assert url.startswith(REDIRECT_URI), url
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def redeem(provider: OidcProvider, code: str, verifier: str) -> tuple[int, dict[str, Any]]:
    """Swap a code for tokens at the token endpoint, authenticating with client_secret_basic."""
    form = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code,
                                   "redirect_uri": REDIRECT_URI, "code_verifier": verifier}).encode()
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    headers = {"Authorization": f"Basic {basic}"}
    request = urllib.request.Request(provider.discovery["token_endpoint"], data=form, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local provider
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def claims_of(id_token: str) -> dict[str, Any]:
    """The ID token's payload, unverified: checking the signature is the app's job, not the peer's."""
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def sign_in_for_tokens(provider: OidcProvider, login: str = "amal@york.gov.uk") -> dict[str, Any]:
    verifier = secrets.token_urlsafe(48)
    code = callback_query(provider.sign_in(authorization_url(provider, verifier), login))["code"]
    status, tokens = redeem(provider, code, verifier)
    assert status == 200, tokens
    return tokens


def test_does_discovery_name_the_issuer_s256_and_the_logout_endpoint(provider: OidcProvider) -> None:
    assert provider.discovery["issuer"] == provider.issuer
    assert provider.discovery["code_challenge_methods_supported"] == ["S256"]
    assert provider.discovery["end_session_endpoint"] == f"{provider.issuer}/session/end"


def test_does_the_jwks_hold_an_rs256_signing_key(provider: OidcProvider) -> None:
    with urllib.request.urlopen(provider.discovery["jwks_uri"], timeout=10) as response:  # noqa: S310
        keys = json.load(response)["keys"]
    assert [(k["kty"], k["alg"], k["use"]) for k in keys] == [("RSA", "RS256", "sig")]
    assert "d" not in keys[0]


def test_does_a_code_flow_give_an_id_token_with_email_claims_for_our_client(provider: OidcProvider) -> None:
    verifier = secrets.token_urlsafe(48)
    query = callback_query(provider.sign_in(authorization_url(provider, verifier), "amal@york.gov.uk"))
    assert query["state"] == "state-1" and query["iss"] == provider.issuer
    status, tokens = redeem(provider, query["code"], verifier)
    claims = claims_of(tokens["id_token"])
    assert status == 200 and claims["aud"] == CLIENT_ID and claims["iss"] == provider.issuer
    assert (claims["sub"], claims["email"], claims["email_verified"]) == ("york-amal-0001", "amal@york.gov.uk", True)
    assert (claims["name"], claims["nonce"]) == ("Amal Hussain", "nonce-1")
    assert claims["exp"] > time.time()
    replayed_status, replayed = redeem(provider, query["code"], verifier)
    assert (replayed_status, replayed["error"]) == (400, "invalid_grant")


def test_can_people_sign_in_with_their_sub_and_is_unverified_email_reported(provider: OidcProvider) -> None:
    claims = claims_of(sign_in_for_tokens(provider, "york-ben-0002")["id_token"])
    assert (claims["email"], claims["email_verified"]) == ("ben@york.gov.uk", False)


def test_is_a_wrong_password_refused_on_the_sign_in_page(provider: OidcProvider) -> None:
    session = ProviderSession(provider.issuer)
    _, body = session.follow(authorization_url(provider, secrets.token_urlsafe(48)))
    url, body = session.press(body, "Sign in", {"login": "amal@york.gov.uk", "password": "wrong"})
    assert url.startswith(provider.issuer) and "Enter a correct email address" in body


def test_does_cancelling_consent_send_access_denied_to_the_app(provider: OidcProvider) -> None:
    url = provider.sign_in(authorization_url(provider, secrets.token_urlsafe(48)), "amal@york.gov.uk",
                           consent=False)
    assert callback_query(url)["error"] == "access_denied"


def test_is_pkce_required(provider: OidcProvider) -> None:
    url = authorization_url(provider, "unused")
    without_pkce = re.sub(r"&code_challenge(_method)?=[^&]*", "", url)
    final, _ = ProviderSession(provider.issuer).follow(without_pkce)
    assert callback_query(final)["error"] == "invalid_request"


def test_does_rp_initiated_logout_return_to_the_app(provider: OidcProvider) -> None:
    session = ProviderSession(provider.issuer)
    session.sign_in(authorization_url(provider, secrets.token_urlsafe(48)), "amal@york.gov.uk", PASSWORD)
    query = urllib.parse.urlencode({"client_id": CLIENT_ID, "post_logout_redirect_uri": LOGOUT_URI,
                                    "state": "bye"})
    _, body = session.follow(f"{provider.discovery['end_session_endpoint']}?{query}")
    action = re.search(r'<form[^>]*action="([^"]+)"', body)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', body)
    assert action and xsrf and "Yes, sign me out" in body
    url, _ = session.follow(action.group(1), {"xsrf": xsrf.group(1), "logout": "yes"})
    assert url == f"{LOGOUT_URI}?state=bye"


def test_does_clock_skew_issue_id_tokens_that_have_already_expired(start_oidc_provider: StartProvider) -> None:
    provider = start_oidc_provider(REDIRECT_URI, clock_skew_seconds=-7200)
    claims = claims_of(sign_in_for_tokens(provider)["id_token"])
    assert claims["exp"] < time.time()


def test_do_wrong_audience_and_extra_claims_change_the_id_token(start_oidc_provider: StartProvider) -> None:
    provider = start_oidc_provider(REDIRECT_URI, wrong_audience=True,
                                   extra_claims={"amal@york.gov.uk": {"tid": "york-tenant", "xms_edov": True}})
    claims = claims_of(sign_in_for_tokens(provider)["id_token"])
    assert claims["aud"] == "some-other-client"
    assert (claims["tid"], claims["xms_edov"]) == ("york-tenant", True)
