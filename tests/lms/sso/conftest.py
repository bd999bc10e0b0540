"""Fixtures for the single sign-on tests: a real OpenID provider started per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.lms.sso.oidc_provider import OidcProvider, OidcUser, default_client

StartProvider = Callable[..., OidcProvider]


@pytest.fixture
def start_oidc_provider() -> Iterator[StartProvider]:
    """Start a provider that knows the app's exact redirect URI (the live server's port changes per test).

    Call it as `start_oidc_provider(redirect_uri, users=None, post_logout_redirect_uris=None,
    token_endpoint_auth_method="client_secret_basic", clock_skew_seconds=0, wrong_audience=False,
    extra_claims=None)`; every provider started is stopped when the test ends.
    """
    started: list[OidcProvider] = []

    def start(redirect_uri: str, *, users: list[OidcUser] | None = None,
              post_logout_redirect_uris: list[str] | None = None,
              token_endpoint_auth_method: str = "client_secret_basic",  # noqa: S107 - a method name
              **quirks: Any) -> OidcProvider:
        client = default_client(redirect_uri, post_logout_redirect_uris)
        client.token_endpoint_auth_method = token_endpoint_auth_method
        provider = OidcProvider([client], users, **quirks)
        started.append(provider)
        return provider.start()

    yield start
    for provider in started:
        provider.stop()
