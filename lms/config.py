"""Configuration: defaults, then instance/config.py, then LMS_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret

# What the footer's pages (lms/site_pages) say: who runs the service and how people reach them. Set them
# for each installation (LMS_ORGANISATION_NAME=..., LMS_CONTACT_EMAIL=...). With no contact email, people
# are sent to their own organisation's administrator, who can always help.
SITE_INFORMATION: dict[str, object] = {
    "ORGANISATION_NAME": "the Safer Learning partnership",
    "CONTACT_EMAIL": "",
    "CONTACT_PHONE": "",
    "CONTACT_HOURS": "Monday to Friday, 9am to 5pm (except bank holidays)",
    "RESPONSE_DAYS": 5,  # working days to reply to a message or an accessibility problem
    "ACCESSIBILITY_PREPARED_ON": "2 December 2026",
    "ACCESSIBILITY_REVIEWED_ON": "2 December 2026",
    "ACCESSIBILITY_KNOWN_ISSUES": [
        "Certificates are PDF files, which may not work well with some screen readers. The certificate's "
        "details can also be checked on its web page, using the verification code printed on it.",
        "Videos, documents and websites that a lesson links to are not part of this service and may not "
        "meet the standard. Ask us for another format if you cannot use one.",
        "Spreadsheet downloads (CSV and Excel) from the reports have not been tested with assistive "
        "technology. The same figures are shown in tables on the reports pages.",
        "On a narrow screen (320 pixels wide, or zoomed to 400%), wide tables on the administration and "
        "report pages scroll sideways inside their own box, so some columns are out of view until you "
        "scroll the table. The rest of each page reflows.",
        "The labels of the report's trend chart are small on a phone. The table under the chart gives the "
        "same figures.",
    ],
}


def configure(app: Flask, test_config: dict | None = None) -> None:
    """Fill app.config; later sources win. A missing secret key is generated once into instance/."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{instance / 'lms.sqlite3'}",
        SITE_NAME="Safer Learning",
        SITE_URL="http://127.0.0.1:5000",
        COURSES_DIR=str(Path(app.root_path).parent / "courses"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        # Request sizes (enforced in lms.limits). A file upload, the largest being a 1 MB people CSV, may be 2 MB in all;
        # any other body (a url-encoded form) 128 KB, far above the longest field (20,000 characters of attendees);
        # a text part of a multipart form 128 KB, and at most 1,000 parts; a query string 4 KB. Werkzeug also holds
        # each 64 KB chunk of an upload to MAX_FORM_MEMORY_SIZE while it looks for the next boundary, so at 64 KB
        # any file over about 128 KB was refused: it must stay above the 64 KB chunk.
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        MAX_FORM_SIZE=128 * 1024,
        MAX_FORM_MEMORY_SIZE=128 * 1024,
        MAX_FORM_PARTS=1000,
        MAX_QUERY_LENGTH=4096,
        # Single sign-on (lms/services/sso): the Fernet key client secrets are encrypted with (derived from SECRET_KEY
        # when empty), older keys still read, whether an http:// issuer on loopback is allowed (the tests' provider), and
        # whether a provider on a private network address may be asked (one on the installation's own network).
        SSO_SECRET_KEY="",
        SSO_OLD_SECRET_KEYS="",
        SSO_ALLOW_HTTP_LOOPBACK=False,
        SSO_ALLOW_PRIVATE_ADDRESSES=False,
        **SITE_INFORMATION,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("LMS")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _stored_secret_key(instance / SECRET_KEY_FILE)
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "SSO_ALLOW_HTTP_LOOPBACK", "SSO_ALLOW_PRIVATE_ADDRESSES"):
        if isinstance(app.config[name], str):
            app.config[name] = app.config[name].lower() not in ("0", "false", "no", "off")


def _stored_secret_key(path: Path) -> str:
    """Read the instance's secret key, creating it (readable by its owner only) the first time."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_hex(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker created it first
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
