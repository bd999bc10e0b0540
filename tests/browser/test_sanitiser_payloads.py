"""Does any script-injection payload in a notebook run in a learner's real browser?

Every payload from the sanitiser's corpus (and a few that set a flag instead of opening a dialog) goes
into a module, on a lesson page and in a knowledge check and its feedback. The module is bundled
without the authoring checks (which already refuse some of these), so this tests the sanitiser itself,
and Chromium runs with the Content-Security-Policy switched off, so the CSP cannot hide a payload
that got through. A dialog, the flag, an event-handler attribute, a javascript: URL or a request to
another host fails the test. (It lives beside the other browser tests to share their one Chromium.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from authoring import load
from authoring.bundle import write_bundle
from lms.services.publishing import publish
from tests.authoring.test_sanitise import PAYLOADS
from tests.browser.conftest import TIMEOUT_MS, serving
from tests.builders import QUESTION, settings_cell, write_notebook
from tests.security.conftest import USER_AGENT, signed_client

pytestmark = pytest.mark.browser

FLAG_PAYLOADS = [
    '<img src=x onerror="window.__pwned=1">',
    '<svg><animate onbegin="window.__pwned=1" attributeName=x dur=1s></svg>',
    '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
    '<a id="pwn" href="javascript:window.__pwned=1">a link</a>',
    '<div onmouseover="window.__pwned=1" style="position:fixed;inset:0">cover</div>',
    "<style>body{background:url(https://evil.example/x)}</style>",
]
ALL_PAYLOADS = PAYLOADS + FLAG_PAYLOADS

FIND_DANGER = """() => {
  const found = [];
  for (const el of document.querySelectorAll('main *')) {
    for (const attr of el.attributes) {
      const value = attr.value.trim().toLowerCase();
      if (attr.name.startsWith('on')) found.push(`${el.tagName} ${attr.name}`);
      if (['href', 'src', 'action', 'formaction', 'data', 'srcdoc'].includes(attr.name)
          && (value.startsWith('javascript:') || value.startsWith('data:text/html') || attr.name === 'srcdoc')) found.push(`${el.tagName} ${attr.name}=${value}`);
    }
    if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'BASE', 'META', 'LINK', 'STYLE', 'TEMPLATE'].includes(el.tagName)) found.push(el.tagName);
  }
  return found;
}"""


@pytest.fixture
def payload_server(app, session, tmp_path, learner) -> Iterator[str]:
    """A module holding every payload, published and served over HTTP on a free local port."""
    cells = []
    for number, payload in enumerate(ALL_PAYLOADS, start=1):
        cells.append(f"# Page {number}\n\n{payload}\n\nText after the payload.")
        cells.append(f"### Knowledge check\n\n{payload} Which?\n\n- [x] {payload} Yes\n  > {payload} Feedback\n- [ ] No\n  > {payload} More")
    cells += ["# Assessment\n\nAnswer the question.", QUESTION]  # a module needs an assessment to be built at all
    notebook = write_notebook(tmp_path / "payloads.ipynb", *cells, settings=settings_cell(id="payloads", title="Payloads"))
    write_bundle(load(notebook), tmp_path / "bundles")
    publish(session, tmp_path / "bundles")
    session.commit()
    try:
        with serving(make_server("127.0.0.1", 0, app, threaded=True)) as base_url:
            yield base_url
    finally:
        session.rollback()


def test_does_no_payload_run_in_a_real_browser(app, learner, browser, payload_server):
    client, _token = signed_client(app, learner.id)
    cookie = client.get_cookie("session").value
    context = browser.new_context(base_url=payload_server, bypass_csp=True, user_agent=USER_AGENT)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": "session", "value": cookie, "url": payload_server}])
    page = context.new_page()
    dialogs, elsewhere, problems = [], [], []
    page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: (elsewhere.append(route.request.url), route.abort()))
    try:
        for number, payload in enumerate(ALL_PAYLOADS, start=1):
            response = page.goto(f"/modules/payloads/pages/{number}")
            assert response.status == 200, f"page {number}"
            page.mouse.move(500, 400)  # hover over whatever survived
            for link in page.locator("main a#pwn").all():
                link.click()
            if page.get_by_role("radio").count() == 0:
                problems.append(f"page {number} {payload!r}: the page around the payload was broken")
                continue
            page.get_by_role("radio").first.check()
            page.get_by_role("button", name="Check my answer").click()  # the feedback, with the payload in it
            page.wait_for_load_state()
            page.mouse.move(400, 300)
            danger = page.evaluate(FIND_DANGER)
            if page.evaluate("() => window.__pwned === 1") or danger:
                problems.append(f"page {number} {payload!r}: {danger or 'window.__pwned was set'}")
    finally:
        context.close()
    assert dialogs == []
    assert elsewhere == []
    assert problems == []
