"""Absolute links to the site's pages in emails, from SITE_URL, as the site's other emails build them.

The worker plans and words messages in an app context with no request (and usually no SERVER_NAME), where
url_for cannot build a URL; the app's URL map builds the same path there.
"""

from __future__ import annotations

from flask import current_app, has_request_context, url_for


def path_for(endpoint: str, **values: object) -> str:
    """url_for's path, also in the worker, which has an app context but no request (and no SERVER_NAME)."""
    if has_request_context():
        return url_for(endpoint, **values)
    current_app.inject_url_defaults(endpoint, values)
    return current_app.url_map.bind("localhost", script_name="/").build(endpoint, values)  # a path: the host is not used


def site_link(endpoint: str, **values: object) -> str:
    """An absolute link to a page of the site: SITE_URL and the page's path."""
    return current_app.config["SITE_URL"].rstrip("/") + path_for(endpoint, **values)
