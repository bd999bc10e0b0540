""""Test connection": fetch the provider's discovery document and keys, and say in plain words what is wrong.

It cannot prove the client secret (only a real sign-in does), so it says so; everything else a sign-in needs
from the provider is checked here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import requests
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import SingleSignOn, utcnow

TIMEOUT_SECONDS = 10
MAX_BYTES = 512 * 1024  # a discovery document or key set is a few KB; anything near this is not one
WELL_KNOWN = "/.well-known/openid-configuration"


@dataclass
class Check:
    """What a test of the connection found: problems stop sign-in; notes are for information."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def report(self) -> str:
        return "\n".join([*self.problems, *self.notes])


def metadata_url(issuer: str) -> str:
    return issuer.rstrip("/") + WELL_KNOWN


def _fetch_json(url: str, what: str, check: Check) -> dict | None:
    try:
        with requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False, stream=True) as response:
            body = response.raw.read(MAX_BYTES + 1, decode_content=True)
    except requests.RequestException:
        check.problems.append(f"Could not reach the provider's {what} at {url}. Check the issuer URL, and that this "
                              "server can reach the provider (a firewall or proxy may block it)")
        return None
    if response.status_code != 200:
        check.problems.append(f"The provider answered {response.status_code} for its {what} at {url}: "
                              "check the issuer URL (it often ends in /v2.0 for Microsoft Entra ID)")
        return None
    if len(body) > MAX_BYTES:
        check.problems.append(f"The provider's {what} at {url} is far larger than one should be: check the issuer URL")
        return None
    try:
        found = json.loads(body)
    except ValueError:
        found = None
    if not isinstance(found, dict):
        check.problems.append(f"The provider's {what} at {url} is not a JSON document: check the issuer URL")
        return None
    return found


def _check_metadata(issuer: str, metadata: dict, check: Check) -> None:
    if metadata.get("issuer") != issuer:
        check.problems.append(f"The provider calls itself {metadata.get('issuer')!r}, not {issuer!r}: enter its issuer URL "
                              "exactly as it gives it (for Entra ID, use your tenant's URL, not \u201ccommon\u201d)")
    for key, what in (("authorization_endpoint", "sign-in address"), ("token_endpoint", "token address"),
                      ("jwks_uri", "signing keys address")):
        if not metadata.get(key):
            check.problems.append(f"The provider's discovery document has no {what} ({key})")
    if "code" not in metadata.get("response_types_supported", ["code"]):
        check.problems.append("The provider does not offer the authorization code flow, which single sign-on here uses")
    methods = metadata.get("code_challenge_methods_supported")
    if methods is not None and "S256" not in methods:
        check.problems.append("The provider does not offer PKCE with S256, which single sign-on here requires")
    check.notes.append("Signing out here also offers signing out at the provider." if metadata.get("end_session_endpoint")
                       else "The provider offers no sign-out address: signing out here ends only this site's session.")


def _check_keys(metadata: dict, check: Check) -> None:
    keys = _fetch_json(metadata["jwks_uri"], "signing keys", check)
    if keys is not None and not keys.get("keys"):
        check.problems.append("The provider publishes no signing keys, so its sign-ins cannot be verified")


def check_connection(issuer: str) -> Check:
    """Everything about the provider a sign-in needs, checked now."""
    check = Check()
    metadata = _fetch_json(metadata_url(issuer), "discovery document", check)
    if metadata is not None:
        _check_metadata(issuer, metadata, check)
        if metadata.get("jwks_uri"):
            _check_keys(metadata, check)
    if check.passed:
        check.notes.insert(0, "The provider answered and publishes what sign-in needs. The client ID and secret are "
                              "checked only when someone signs in: try it with your own account.")
    return check


def record_check(session: Session, provider: SingleSignOn) -> Check:
    """Test the saved provider and keep the result on its settings page."""
    check = check_connection(provider.issuer)
    with write_transaction(session):
        provider.checked_at, provider.check_passed, provider.check_report = utcnow(), check.passed, check.report()
    return check
