"""The lesson's own content on a lesson page, rendered once per process and reused.

What a lesson page shows inside its content area depends only on the published version's content, the
page, and the partnership whose details fill the placeholders: the same for every learner of that
partnership, never anything of the learner's own. So it is rendered once and kept (LRU), keyed by
everything it depends on: the version's content hash and id (its image URLs name the id), the page, the
partnership's id, name and settings, and the script root. A republish makes a new version with a new
id and hash, so its pages are new keys and show at once on every server; a partnership's changed
details make a new key on the next page. The per-request CSRF token is a mark in the kept HTML that each
request replaces. A knowledge check's answer (a POST) shows the learner's own feedback and is never kept.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import OrderedDict

from flask import render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from lms.services.assessment_draw import knowledge_check
from lms.services.lessons import Lesson, PageContent

CACHE_SIZE = 2048  # about 5 kB each: every page of the five modules for 40 partnerships in 10 MB
CSRF_MARK = f"sl-csrf-{secrets.token_hex(16)}"  # random per process: no lesson's content can contain it
TEMPLATE = "learn/_page_content.html"
_rendered: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()  # threaded servers share the cache


def _key(lesson: Lesson, number: int) -> tuple:
    partnership = current_user.organisation.partnership
    details = json.dumps(partnership.settings or {}, sort_keys=True)
    return (lesson.version.content_hash, lesson.version.id, number, partnership.id, partnership.name, details, request.script_root)


def _render(lesson: Lesson, page: PageContent, number: int, checked: dict | None, csrf_value: str) -> str:
    return render_template(TEMPLATE, lesson=lesson, page=page, number=number, checked=checked, csrf_value=csrf_value,
                           knowledge_check=knowledge_check)


def lesson_content(lesson: Lesson, page: PageContent, number: int, checked: dict | None) -> Markup:
    """The page's content area: kept HTML with this request's CSRF token, or rendered afresh with the learner's answer."""
    if checked is not None:
        return Markup(_render(lesson, page, number, checked, generate_csrf()))  # noqa: S704 - rendered by Jinja, autoescaped
    key = _key(lesson, number)
    with _lock:
        html = _rendered.get(key)
        if html is not None:
            _rendered.move_to_end(key)
    if html is None:
        html = _render(lesson, page, number, None, CSRF_MARK)
        with _lock:
            _rendered[key] = html
            while len(_rendered) > CACHE_SIZE:
                _rendered.popitem(last=False)
    if CSRF_MARK in html:
        html = html.replace(CSRF_MARK, generate_csrf())
    return Markup(html)  # noqa: S704 - rendered by Jinja, autoescaped
