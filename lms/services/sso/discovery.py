""""Test connection" and the metadata every sign-in uses: the provider's discovery document and signing keys,
fetched through fetching.py's limits, and what is wrong with them said in plain words.

It cannot prove the client secret (only a real sign-in does), so it says so; everything else a sign-in needs
from the provider is checked here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import SingleSignOn, utcnow
from lms.services.sso.fetching import FetchProblem, checked_url, fetch_json

WELL_KNOWN = "/.well-known/openid-configuration"
ENDPOINTS = (("authorization_endpoint", "sign-in address"), ("token_endpoint", "token address"),
             ("jwks_uri", "signing keys address"))


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


def _shown(value: object) -> str:
    return repr(value)[:200]


def _metadata_problems(issuer: str, metadata: dict) -> list[str]:
    problems = []
    if metadata.get("issuer") != issuer:
        entra = " (for Entra ID, use your tenant's URL, not \u201ccommon\u201d)" if "microsoftonline" in issuer else ""
        problems.append(f"The provider calls itself {_shown(metadata.get('issuer'))}, not {_shown(issuer)}: enter its issuer "
                        f"URL exactly as it gives it{entra}")
    for key, what in ENDPOINTS:
        value = metadata.get(key)
        if not value or not isinstance(value, str):
            problems.append(f"The provider's discovery document has no {what} ({key})")
            continue
        try:
            checked_url(value, what)
        except FetchProblem as problem:
            problems.append(str(problem))
    if "code" not in metadata.get("response_types_supported", ["code"]):
        problems.append("The provider does not offer the authorization code flow, which single sign-on here uses")
    methods = metadata.get("code_challenge_methods_supported")
    if methods is not None and "S256" not in methods:
        problems.append("The provider does not offer PKCE with S256, which single sign-on here requires")
    return problems


def _with_keys(metadata: dict) -> dict:
    keys = fetch_json(metadata["jwks_uri"], "signing keys")
    if not keys.get("keys"):
        raise FetchProblem("The provider publishes no signing keys, so its sign-ins cannot be verified")
    return {**metadata, "jwks": keys}


def provider_metadata(issuer: str) -> dict:
    """The discovery document with its signing keys (under "jwks"), checked; FetchProblem naming the first problem."""
    metadata = fetch_json(metadata_url(issuer), "discovery document")
    problems = _metadata_problems(issuer, metadata)
    if problems:
        raise FetchProblem(problems[0])
    return _with_keys(metadata)


def check_connection(issuer: str) -> Check:
    """Everything about the provider a sign-in needs, checked now."""
    check = Check()
    try:
        metadata = fetch_json(metadata_url(issuer), "discovery document")
        check.problems += _metadata_problems(issuer, metadata)
        if not check.problems:
            _with_keys(metadata)
    except FetchProblem as problem:
        check.problems.append(str(problem))
        return check
    check.notes.append("Signing out here also offers signing out at the provider." if metadata.get("end_session_endpoint")
                       else "The provider offers no sign-out address: signing out here ends only this site's session.")
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
