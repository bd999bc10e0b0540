"""A real OpenID Connect provider for the single sign-on tests: oidc-provider run by Node on 127.0.0.1.

The app under test talks to it exactly as it would to an organisation's provider, so the tests prove
the sign-in against certified provider behaviour rather than against our own idea of OpenID Connect.
"""

from __future__ import annotations

import http.cookiejar
import json
import selectors
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "tests" / "lms" / "sso" / "provider.mjs"
CLIENT_ID = "safer-learning"
CLIENT_SECRET = "test-secret-1234567890"
PASSWORD = "provider-password-1"
START_TIMEOUT_SECONDS = 20.0


@dataclass
class OidcClient:
    """A client registered at the provider; the app under test signs in as one of these."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    token_endpoint_auth_method: str = "client_secret_basic"


@dataclass
class OidcUser:
    """Someone who can sign in at the provider, with the claims it will put in their ID token."""

    sub: str
    email: str
    email_verified: bool
    name: str
    given_name: str
    family_name: str
    password: str = PASSWORD
    tid: str | None = None
    extra_claims: dict[str, Any] = field(default_factory=dict)


def default_users() -> list[OidcUser]:
    """Amal (verified, York), Ben (York, email not verified) and Cara (verified, another domain)."""
    return [
        OidcUser("york-amal-0001", "amal@york.gov.uk", True, "Amal Hussain", "Amal", "Hussain"),
        OidcUser("york-ben-0002", "ben@york.gov.uk", False, "Ben Carter", "Ben", "Carter"),
        OidcUser("elsewhere-cara-0003", "cara@elsewhere.example", True, "Cara Jones", "Cara", "Jones"),
    ]


def default_client(redirect_uri: str, post_logout_redirect_uris: list[str] | None = None) -> OidcClient:
    """Safer Learning's registration; logout may return to the app's home page unless told otherwise."""
    origin = _origin(redirect_uri)
    return OidcClient(CLIENT_ID, CLIENT_SECRET, [redirect_uri], post_logout_redirect_uris or [f"{origin}/"])


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _json_without_nones(value: Any) -> Any:
    """Leave unset optional claims (a user without `tid`) out of the config instead of sending null."""
    if isinstance(value, dict):
        return {k: _json_without_nones(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_json_without_nones(v) for v in value]
    return value


class OidcProvider:
    """Start, use and stop one provider process; use as a context manager so it never outlives a test.

    Quirks: `clock_skew_seconds` runs the provider's clock off (negative: behind, so its ID tokens are
    already expired); `wrong_audience` (True or a client id) makes ID tokens name another client;
    `extra_claims` ({sub or email: {claim: value}}) adds claims such as `tid` or `xms_edov`.
    """

    def __init__(self, clients: list[OidcClient], users: list[OidcUser] | None = None, *,
                 clock_skew_seconds: int = 0, wrong_audience: bool | str = False,
                 extra_claims: dict[str, dict[str, Any]] | None = None) -> None:
        self.clients = clients
        self.users = default_users() if users is None else users
        self.quirks = {"clock_skew_seconds": clock_skew_seconds, "wrong_audience": wrong_audience,
                       "extra_claims": extra_claims or {}}
        self.issuer = ""
        self.discovery: dict[str, Any] = {}
        self._process: subprocess.Popen[str] | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def config(self) -> dict[str, Any]:
        """The JSON provider.mjs reads; port 0 lets the provider pick a free port itself."""
        return _json_without_nones({"port": 0, "clients": [asdict(c) for c in self.clients],
                                    "users": [asdict(u) for u in self.users], "quirks": self.quirks})

    def start(self) -> OidcProvider:
        """Write the config, start Node and wait until discovery answers; never a silent skip."""
        node = _node()
        self._folder = tempfile.TemporaryDirectory(prefix="oidc-provider-")
        folder = Path(self._folder.name)
        (folder / "config.json").write_text(json.dumps(self.config()), encoding="utf-8")
        stderr = (folder / "stderr.log").open("w", encoding="utf-8")
        self._process = subprocess.Popen([node, str(SCRIPT), str(folder / "config.json")], cwd=ROOT,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                                         text=True)
        stderr.close()
        try:
            self.issuer = self._wait_for_ready()
            self.discovery = _get_json(f"{self.issuer}/.well-known/openid-configuration")
        except Exception as error:
            message = f"the test OpenID provider did not start ({error}). Node said:\n{self._stderr()}"
            self.stop()
            raise RuntimeError(message) from error
        return self

    def _wait_for_ready(self) -> str:
        """Read stdout until the "READY <issuer>" line, giving up if Node exits or takes too long."""
        assert self._process is not None and self._process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if selector.select(timeout=0.1):
                    line = self._process.stdout.readline()
                    if line.startswith("READY "):
                        return line.split()[1]
                    if not line:
                        raise RuntimeError(f"node exited with status {self._process.wait()}")
        raise RuntimeError(f"no READY line within {START_TIMEOUT_SECONDS:.0f} seconds")

    def _stderr(self) -> str:
        if self._folder is None:
            return ""
        path = Path(self._folder.name) / "stderr.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def stop(self) -> None:
        """Stop Node (politely, then firmly) and remove the config folder."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            for pipe in (self._process.stdin, self._process.stdout):
                if pipe is not None:
                    pipe.close()
            self._process = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def sign_in(self, authorization_url: str, login: str, password: str = PASSWORD, *,
                consent: bool = True) -> str:
        """Sign in at the provider without a browser; returns the URL it sends back to the app.

        Follows the provider's redirects from the app's authorization URL, fills in the sign-in form,
        then presses Continue (or Cancel when `consent` is False, which gives error=access_denied).
        The returned URL is the app's redirect URI with `code`/`state` or `error` in its query.
        """
        return ProviderSession(self.issuer).sign_in(authorization_url, login, password, consent=consent)


def _node() -> str:
    """Node from PATH, plus the installed package; both missing things are errors, not skips."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH: install Node.js 20 or later to run the sign-on tests")
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError(f"oidc-provider is not installed: run `cd {ROOT} && npm install`")
    return node


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own 127.0.0.1 provider
        return json.load(response)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hand redirects back to the caller, so the last hop to the app is reported, not fetched."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _Forms(HTMLParser):
    """Collect each form's action and the label of its submit button, enough to drive our pages."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": values.get("action", ""), "button": ""})
        self._in_button = tag == "button"

    def handle_data(self, data: str) -> None:
        if getattr(self, "_in_button", False) and self.forms and not self.forms[-1]["button"]:
            self.forms[-1]["button"] = data.strip()


class ProviderSession:
    """A cookie-keeping HTTP client for the provider's pages, standing in for a person's browser."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects())

    def request(self, url: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """GET (or POST a form) and return status, Location header and body, without following."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(urllib.parse.urljoin(self.issuer, url), data=data, timeout=10) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    def follow(self, url: str, form: dict[str, str] | None = None) -> tuple[str, str]:
        """Follow redirects while they stay at the provider; returns (final URL, page body)."""
        url = urllib.parse.urljoin(self.issuer, url)
        status, location, body = self.request(url, form)
        while status in (302, 303) and location:
            url = urllib.parse.urljoin(url, location)
            if not url.startswith(self.issuer):
                return url, ""
            status, location, body = self.request(url)
        return url, body

    def press(self, body: str, button: str, fields: dict[str, str] | None = None) -> tuple[str, str]:
        """Submit the form whose button has this label, as a click would."""
        parser = _Forms()
        parser.feed(body)
        action = next((f["action"] for f in parser.forms if f["button"] == button), None)
        if action is None:
            raise AssertionError(f"no {button!r} button on the provider's page:\n{body}")
        return self.follow(action, fields or {})

    def sign_in(self, authorization_url: str, login: str, password: str, *, consent: bool = True) -> str:
        """Sign in and consent (or cancel); returns the URL the provider redirects the app to."""
        url, body = self.follow(authorization_url)
        if url.startswith(self.issuer) and "Sign in" in body:
            url, body = self.press(body, "Sign in", {"login": login, "password": password})
        if url.startswith(self.issuer) and "Continue" in body:
            url, body = self.press(body, "Continue" if consent else "Cancel")
        if url.startswith(self.issuer):
            raise AssertionError(f"the provider did not send the browser back to the app:\n{body}")
        return url
