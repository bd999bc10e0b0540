"""Talking to a learning record store over HTTP: one request at a time, each with a wall-clock limit.

- Redirects are never followed: a POST followed as a GET would deliver nothing while looking sent, and
  the credentials would go to the other address. A 3xx is a failure that names where it points.
- An answer is read to at most ANSWER_LIMIT bytes, and the whole request (connecting, sending, reading)
  is cut off after `Lrs.deadline` seconds, however slowly the other side drips its answer.
- A 2xx to a POST counts only if it is an xAPI answer: a JSON array of the statement ids stored, in the
  order sent. Ralph leaves out ids it already held unchanged (and answers 204 when it held them all),
  so the answer may be fewer ids, never others.
- Email addresses in an answer (Ralph's 422 quotes the refused statement) are replaced before the
  answer is kept, shown or logged.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from urllib.parse import urlsplit

from lms.services.xapi.statements import XAPI_VERSION

TEMPORARY = {408, 429}
NOT_THE_STATEMENTS = {401, 403, 404, 405}  # the address or the credentials are wrong, not the statements
SETTINGS_ADVICE = {
    401: "check LMS_XAPI_USERNAME and LMS_XAPI_PASSWORD",
    403: "the LRS knows these credentials but does not let them write statements: check their rights in the LRS",
    404: "check LMS_XAPI_ENDPOINT: it is the LRS's xAPI address, which usually ends /xAPI or /xapi",
    405: "check LMS_XAPI_ENDPOINT: it is the LRS's xAPI address, which usually ends /xAPI or /xapi",
}
ANSWER_EXCERPT = 300
ANSWER_LIMIT = 64 * 1024  # bytes of an answer read at most
EMAIL = re.compile(r"(?:mailto:)?[\w.%+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
NOT_XAPI = "the LRS's answer was not an xAPI answer — check LMS_XAPI_ENDPOINT"


@dataclass(frozen=True)
class Lrs:
    """A learning record store to forward statements to, with its basic-auth credentials and time limits."""

    endpoint: str
    username: str = ""
    password: str = ""
    timeout: float = 10.0  # seconds for connecting and for each read
    deadline: float = 30.0  # seconds for a whole request and its answer

    @classmethod
    def from_config(cls, config) -> Lrs | None:
        """The configured LRS (LMS_XAPI_ENDPOINT, LMS_XAPI_USERNAME, LMS_XAPI_PASSWORD), or None."""
        endpoint = str(config.get("XAPI_ENDPOINT") or "").strip()
        if not endpoint:
            return None
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"XAPI_ENDPOINT '{endpoint}' must start with https:// (or http:// for a local test LRS) and name a host")
        return cls(endpoint.rstrip("/"), str(config.get("XAPI_USERNAME") or ""), str(config.get("XAPI_PASSWORD") or ""))

    def headers(self) -> dict[str, str]:
        credentials = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return {"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION, "Authorization": f"Basic {credentials}"}


def redact(text: str) -> str:
    """An LRS's answer without email addresses (mailto: or bare), so no learner's address is kept or logged from it."""
    return EMAIL.sub("[email address]", text)


@dataclass(frozen=True)
class Answer:
    """What the LRS said: its HTTP status (None when it could not be reached), the start of its answer (no
    email addresses), and whether a 2xx was an xAPI answer."""

    status: int | None
    text: str = ""
    understood: bool = True

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and self.understood

    @property
    def permanent(self) -> bool:
        """A refusal of the statements themselves: sending them again unchanged cannot help."""
        return self.status is not None and 400 <= self.status < 500 and self.status not in TEMPORARY | NOT_THE_STATEMENTS

    def describe(self) -> str:
        if self.status is None:
            return f"the LRS could not be reached ({self.text})"
        if not self.understood:
            return f"{NOT_XAPI} (HTTP {self.status})"
        advice = SETTINGS_ADVICE.get(self.status, "")
        return f"the LRS answered HTTP {self.status}" + (f" ({advice})" if advice else "") + (f": {self.text}" if self.text else "")


def _excerpt(data: bytes) -> str:
    return redact(" ".join(data[:ANSWER_EXCERPT * 4].decode("utf-8", "replace").split()))[:ANSWER_EXCERPT]


def _cut_off(sockets: list[socket.socket], fired: threading.Event) -> None:
    """At the deadline: end the request by shutting its socket, which wakes a read that is waiting.
    (The socket is held here: http.client hands it to the response and forgets it once the answer starts.)"""
    fired.set()
    for sock in sockets:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _answer(response: http.client.HTTPResponse, data: bytes) -> Answer:
    if 300 <= response.status < 400:
        where = redact(response.getheader("Location") or "an address it did not give")[:ANSWER_EXCERPT]
        return Answer(response.status, f"it points to {where}: set LMS_XAPI_ENDPOINT to that address (redirects are not followed)")
    if response.status >= 400:
        return Answer(response.status, _excerpt(data) or response.reason)
    return Answer(response.status)


def exchange(lrs: Lrs, method: str, target: str, data: bytes | None = None) -> tuple[Answer, bytes]:
    """One request to the LRS (`target` is after the endpoint, e.g. '/statements'), within its deadline; never raises."""
    parts = urlsplit(lrs.endpoint)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=lrs.timeout)
    fired, sockets = threading.Event(), []
    watchdog = threading.Timer(lrs.deadline, _cut_off, (sockets, fired))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.connect()
        sockets.append(connection.sock)
        if fired.is_set():  # the deadline passed while connecting
            raise TimeoutError("connecting took too long")
        connection.request(method, parts.path + target, body=data, headers=lrs.headers())
        response = connection.getresponse()
        body = response.read(ANSWER_LIMIT)
        answer = _answer(response, body)
    except (OSError, http.client.HTTPException) as error:
        answer, body = Answer(None, redact(str(getattr(error, "reason", error)) or type(error).__name__)[:ANSWER_EXCERPT]), b""
    finally:
        watchdog.cancel()
        connection.close()
    if fired.is_set():
        return Answer(None, f"no whole answer within {lrs.deadline:g} seconds"), b""
    return answer, body


def _ids_in_order(data: bytes, ids: list[str]) -> bool:
    try:
        answered = json.loads(data)
    except ValueError:
        return False
    sent = iter(ids)
    return isinstance(answered, list) and all(isinstance(i, str) and i.lower() in sent for i in answered)


def post_statements(lrs: Lrs, bodies: list[str]) -> Answer:
    """POST kept statements to the LRS as one JSON array of their exact text; a 2xx that is not an xAPI answer is not 'ok'."""
    data = ("[" + ",".join(bodies) + "]").encode("utf-8")
    answer, answered = exchange(lrs, "POST", "/statements", data)
    if answer.status is not None and 200 <= answer.status < 300:
        ids = [json.loads(body)["id"].lower() for body in bodies]
        if not (_ids_in_order(answered, ids) if answer.status != 204 else not answered.strip()):
            return Answer(answer.status, _excerpt(answered), understood=False)
    return answer


def held_identically(lrs: Lrs, body: str) -> bool:
    """Whether the LRS holds this statement as we sent it (it may add `stored`, `authority` and `version`)."""
    ours = json.loads(body)
    answer, data = exchange(lrs, "GET", "/statements?" + urllib.parse.urlencode({"statementId": ours["id"]}))
    try:
        theirs = json.loads(data) if answer.ok else {}
    except ValueError:
        return False
    return isinstance(theirs, dict) and all(theirs.get(key) == value for key, value in ours.items())


def speaks_xapi(lrs: Lrs) -> bool:
    """Whether the endpoint answers a statements query as an LRS does (a StatementResult), to tell an LRS
    that refuses statements from something else that refuses everything."""
    answer, data = exchange(lrs, "GET", "/statements?limit=1")
    try:
        result = json.loads(data) if answer.ok else None
    except ValueError:
        return False
    return isinstance(result, dict) and isinstance(result.get("statements"), list)
