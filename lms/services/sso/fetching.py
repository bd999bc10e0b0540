"""Fetching a provider's published documents (discovery, signing keys) with limits an admin's typo or a hostile
provider cannot get round: https only, no private network addresses, no redirects, at most MAX_BYTES, and
DEADLINE_SECONDS in all (a per-read timeout alone lets a provider that sends a byte at a time hold a worker).

An installation whose provider lives on its own network (AD FS on premises, say) sets
LMS_SSO_ALLOW_PRIVATE_ADDRESSES; the tests' provider on 127.0.0.1 needs LMS_SSO_ALLOW_HTTP_LOOPBACK.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from urllib.parse import urlsplit

import requests
from flask import current_app

TIMEOUT_SECONDS = 10
DEADLINE_SECONDS = 15
MAX_BYTES = 512 * 1024  # a discovery document or key set is a few KB; anything near this is not one
CHUNK = 16 * 1024


class FetchProblem(Exception):
    """Why a document could not be fetched, in words an admin can act on."""


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in socket.getaddrinfo(host, None)]
    except (socket.gaierror, UnicodeError, ValueError):
        return []


def checked_url(url: str, what: str) -> str:
    """The URL if it may be fetched; FetchProblem saying why not."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or not host:
        raise FetchProblem(f"The provider's {what} address {url!r} is not a web address")
    config = current_app.config
    addresses = _addresses(host)
    loopback_ok = config.get("SSO_ALLOW_HTTP_LOOPBACK", False) and addresses and all(a.is_loopback for a in addresses)
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback_ok):
        raise FetchProblem(f"The provider's {what} address {url} must start with https://")
    if not addresses:
        raise FetchProblem(f"Could not find the provider's {what} host {host}: check the issuer URL")
    private = [a for a in addresses if not a.is_global]
    if private and not (loopback_ok or config.get("SSO_ALLOW_PRIVATE_ADDRESSES", False)):
        raise FetchProblem(f"The provider's {what} address {url} is on a private network address, which this "
                           "installation does not reach (an installation can allow it with LMS_SSO_ALLOW_PRIVATE_ADDRESSES)")
    return url


def _read(response: requests.Response, started: float) -> bytes:
    body = b""
    for chunk in response.iter_content(CHUNK):
        body += chunk
        if len(body) > MAX_BYTES or time.monotonic() - started > DEADLINE_SECONDS:
            raise FetchProblem("too large or too slow")
    return body


def fetch_json(url: str, what: str) -> dict:
    """A JSON object the provider publishes at `url`, or FetchProblem in plain words."""
    checked_url(url, what)
    started = time.monotonic()
    try:
        with requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False, stream=True) as response:
            status, body = response.status_code, _read(response, started)
    except requests.RequestException as error:
        raise FetchProblem(f"Could not reach the provider's {what} at {url}. Check the issuer URL, and that this "
                           "server can reach the provider (a firewall or proxy may block it)") from error
    except FetchProblem as error:
        raise FetchProblem(f"The provider's {what} at {url} is far larger, or came far more slowly, than one "
                           "should: check the issuer URL") from error
    if status != 200:
        raise FetchProblem(f"The provider answered {status} for its {what} at {url}: check the issuer URL "
                           "(for Microsoft Entra ID it ends in /v2.0)")
    try:
        found = json.loads(body)
    except ValueError:
        found = None
    if not isinstance(found, dict):
        raise FetchProblem(f"The provider's {what} at {url} is not a JSON document: check the issuer URL")
    return found
