"""The Authlib client for one organisation's provider: Authorization Code with PKCE (S256), state and nonce.

Authlib keeps each sign-in's state, nonce and PKCE verifier in Flask's signed session cookie, so the
browser can come back to any app server. It checks the ID token's signature against the provider's
published keys, and its issuer, audience, expiry and nonce. A client is rebuilt when its settings change,
and at least hourly, so a changed discovery document is read again; it is a per-process cache, not state.
"""

from __future__ import annotations

import datetime as dt
import time

from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app

from lms.models import SingleSignOn
from lms.services.sso.discovery import TIMEOUT_SECONDS, metadata_url
from lms.services.sso.secret_box import unseal

CALLBACK_PATH = "/sign-in/organisation/callback"
SCOPES = "openid email profile"
REBUILD_SECONDS = 3600
_clients: dict[tuple[int, dt.datetime, str], tuple[float, FlaskOAuth2App]] = {}


def redirect_uri() -> str:
    """The one redirect URI every provider is given: on the site's public address, whichever server answers."""
    return current_app.config["SITE_URL"].rstrip("/") + CALLBACK_PATH


def client_name(provider: SingleSignOn) -> str:
    return f"sso{provider.id}"


def client_for(provider: SingleSignOn) -> FlaskOAuth2App:
    """The provider's client, built afresh when its settings changed or an hour has passed."""
    key = (provider.id, provider.updated_at, provider.issuer)
    built = _clients.get(key)
    if built is None or time.monotonic() - built[0] > REBUILD_SECONDS:
        name = client_name(provider)
        app = FlaskOAuth2App(FlaskIntegration(name), name, client_id=provider.client_id,
                             client_secret=unseal(provider.client_secret_encrypted),
                             server_metadata_url=metadata_url(provider.issuer),
                             client_kwargs={"scope": SCOPES, "code_challenge_method": "S256",
                                            "default_timeout": TIMEOUT_SECONDS})
        for stale in [k for k in _clients if k[0] == provider.id]:
            del _clients[stale]
        built = _clients[key] = (time.monotonic(), app)
    return built[1]


def logout_url(provider: SingleSignOn, after: str) -> str | None:
    """Where to end the person's session at the provider (RP-initiated logout), or None if it offers none."""
    client = client_for(provider)
    if not client.load_server_metadata().get("end_session_endpoint"):
        return None
    return client.create_logout_url(post_logout_redirect_uri=after, client_id=provider.client_id)["url"]
