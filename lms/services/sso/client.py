"""The Authlib client for one organisation's provider: Authorization Code with PKCE (S256), state and nonce.

Authlib keeps each sign-in's state, nonce and PKCE verifier in Flask's signed session cookie, so the
browser can come back to any app server. It checks the ID token's signature against the provider's
published keys, and its issuer, audience, expiry and nonce. The provider's discovery document and keys
are fetched here, through fetching.py's limits, and handed to Authlib; a client is rebuilt when its
settings change and at least hourly, and a provider that just failed is not asked again for a minute,
so people pressing "Continue" while it is down cannot tie up every worker. It is a per-process cache, not state.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app, session

from lms.models import SingleSignOn
from lms.services.sso.discovery import provider_metadata
from lms.services.sso.fetching import TIMEOUT_SECONDS, FetchProblem, checked_url
from lms.services.sso.secret_box import unseal

CALLBACK_PATH = "/sign-in/organisation/callback"
SCOPES = "openid email profile"
REBUILD_SECONDS = 3600
RETRY_AFTER_FAILURE_SECONDS = 60
_clients: dict[int, tuple[tuple[dt.datetime, str], float, FlaskOAuth2App]] = {}  # provider id: (settings, built at, client)
_failed_at: dict[int, tuple[tuple[dt.datetime, str], float]] = {}  # provider id: (settings, when reading them failed)
_lock = threading.Lock()  # a server's threads share the cache


def redirect_uri() -> str:
    """The one redirect URI every provider is given: on the site's public address, whichever server answers."""
    return current_app.config["SITE_URL"].rstrip("/") + CALLBACK_PATH


def signed_out_uri() -> str:
    """Where a provider sends people back after signing them out there too (RP-initiated logout)."""
    return current_app.config["SITE_URL"].rstrip("/") + "/sign-in"


def client_name(provider: SingleSignOn) -> str:
    return f"sso{provider.id}"


def _build(provider: SingleSignOn, settings: tuple[dt.datetime, str]) -> FlaskOAuth2App:
    """A client with the provider's documents read now; not tried again for a minute after a failure (changed
    settings are tried at once)."""
    failed = _failed_at.get(provider.id)
    if failed is not None and failed[0] == settings and time.monotonic() - failed[1] < RETRY_AFTER_FAILURE_SECONDS:
        raise FetchProblem("the provider failed less than a minute ago")
    try:
        metadata = provider_metadata(provider.issuer)
    except FetchProblem:
        _failed_at[provider.id] = (settings, time.monotonic())
        raise
    _failed_at.pop(provider.id, None)
    name = client_name(provider)
    app = FlaskOAuth2App(FlaskIntegration(name), name, client_id=provider.client_id,
                         client_secret=unseal(provider.client_secret_encrypted),
                         client_kwargs={"scope": SCOPES, "code_challenge_method": "S256", "default_timeout": TIMEOUT_SECONDS})
    app.server_metadata.update(metadata, _loaded_at=time.time())  # Authlib then fetches neither again
    return app


def client_for(provider: SingleSignOn) -> FlaskOAuth2App:
    """The provider's client, built afresh when its settings changed or an hour has passed; FetchProblem if the
    provider cannot be read."""
    settings = (provider.updated_at, provider.issuer)
    with _lock:
        built = _clients.get(provider.id)
    if built is not None and built[0] == settings and time.monotonic() - built[1] <= REBUILD_SECONDS:
        return built[2]
    try:
        app = _build(provider, settings)
    except FetchProblem:
        if built is not None and built[0] == settings:  # the hourly refresh failed: the documents read before still serve
            return built[2]
        raise
    with _lock:
        _clients[provider.id] = (settings, time.monotonic(), app)
    return app


def authorisation_url(provider: SingleSignOn, login_hint: str) -> str:
    """Where to send the browser; only what the callback needs is kept in the session (state, nonce, verifier),
    and an earlier unfinished sign-in's is dropped, so abandoned attempts never grow the cookie."""
    sso_client = client_for(provider)
    found = sso_client.create_authorization_url(redirect_uri(), login_hint=login_hint)
    for stale in [key for key in session if key.startswith("_state_sso")]:
        session.pop(stale)
    sso_client.save_authorize_data(redirect_uri=redirect_uri(), state=found["state"], nonce=found["nonce"],
                                   code_verifier=found["code_verifier"])
    return found["url"]


def _fetchable(url: object) -> str | None:
    """The URL if it is a public https address (as the provider's other addresses must be), else None."""
    if not isinstance(url, str) or not url:
        return None
    try:
        return checked_url(url, "sign-out")
    except FetchProblem:
        return None


def logout_url(provider: SingleSignOn) -> str | None:
    """Where to end the person's session at the provider (RP-initiated logout), or None if it offers none (or a
    sign-out address that is not a public https one: it becomes a link on our pages)."""
    sso_client = client_for(provider)
    if _fetchable(sso_client.load_server_metadata().get("end_session_endpoint")) is None:
        return None
    return sso_client.create_logout_url(post_logout_redirect_uri=signed_out_uri(), client_id=provider.client_id)["url"]
