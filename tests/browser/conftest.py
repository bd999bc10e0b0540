"""Real-browser fixtures: the app served over HTTP by werkzeug, driven by Debian's Chromium through Playwright.

The app comes from the root conftest's `app` fixture, so it runs on the same migrated test database
(SQLite, or PostgreSQL via LMS_TEST_DATABASE_URL) and every table is emptied after each test.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import HTTPServer
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms.models import User
from tests.builders import PASSWORD, make_join_code, make_organisation, make_partnership, make_user
from tests.conftest import ROOT

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # the browser fixture skips every test, saying what to install
    Browser = Page = expect = sync_playwright = None

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "build" / "screenshots"  # never docs/: the README's pictures are chosen from the page walk (scripts/refresh_screenshots.py)
CHROMIUM = os.environ.get("LMS_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 5_000  # every wait is bounded: a local page that takes longer than this is a failure
LEARNER_EMAIL = "learner@testville.example"
JOIN_CODE = "TESTVILLE-2026"
NEW_LEARNER = {"Full name": "Robin Patel", "Email address": "robin.patel@testville.example", "Join code (if you have one)": JOIN_CODE}
NEW_PASSWORD = "lantern meadow copper fox"


@pytest.fixture
def learner(session) -> User:
    partnership = make_partnership(session, "Safer Testville", {"hate_crime_reporting": "the Testville Hate Crime Hub"})
    return make_user(session, make_organisation(session, partnership, "Testville Council"), email=LEARNER_EMAIL)


class _PagesOnly(logging.Filter):
    """Keep werkzeug's request log (shown when a test fails) to the pages; drop the stylesheet requests."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "/static/" not in record.getMessage()


@pytest.fixture
def live_server(app, session, published, learner) -> Iterator[str]:
    """The app served for real on a free local port, in a daemon thread; yields the base URL."""
    session.commit()  # everything the browser will read must be committed before it asks
    request_log, pages_only = logging.getLogger("werkzeug"), _PagesOnly()
    request_log.addFilter(pages_only)
    try:
        with serving(make_server("127.0.0.1", 0, app, threaded=True)) as base_url:
            yield base_url
    finally:
        request_log.removeFilter(pages_only)
        session.rollback()  # end the test's read transaction before the root fixture empties the tables


@contextmanager
def serving(server: HTTPServer) -> Iterator[str]:
    """Run a local HTTP server (the app, or a folder) on a daemon thread for the block; yields its base URL."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def join_code(session, live_server, learner) -> str:
    """A join code for the learner's council, issued after the server started (so committed on its own)."""
    make_join_code(session, learner.organisation, JOIN_CODE)
    session.commit()
    return JOIN_CODE


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole run; each test gets its own context (cookies, storage)."""
    if sync_playwright is None:
        pytest.skip("browser tests need Playwright: pip install playwright")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set LMS_TEST_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        yield browser
        browser.close()


def new_page(browser: Browser, base_url: str, **options) -> Page:
    context = browser.new_context(base_url=base_url, viewport={"width": 1024, "height": 768}, **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    return context.new_page()


@pytest.fixture
def page(browser, live_server) -> Iterator[Page]:
    page = new_page(browser, live_server)
    yield page
    page.context.close()


# --- axe-core and screenshots ------------------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (1024, 320)
SERIOUS = ("serious", "critical")
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return {passes: results.passes.length, violations: results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary})),
  }))};
}"""


def axe_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(RUN_AXE, AXE_TAGS)
    assert results["passes"] > 0, f"axe checked nothing on {page.url}"
    return results["violations"]


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where a test's pictures go: LMS_SCREENSHOTS_DIR if set (to look at them), else a temporary folder."""
    folder = Path(os.environ.get("LMS_SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def look(page: Page, name: str, shots: Path, problems: dict[str, list]) -> None:
    """Photograph the page at each width and keep axe's serious and critical findings (the context needs bypass_csp)."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True, animations="disabled", caret="hide")
        serious = [v for v in axe_violations(page) if v["impact"] in SERIOUS]
        if serious:
            problems[f"{name} at {width}px"] = serious
    page.set_viewport_size({"width": 1024, "height": 800})


def sign_in(page: Page, email: str = LEARNER_EMAIL, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person would; lands anywhere but the sign-in page."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/sign-in"))


def fill_date(page: Page, legend: str, day: dt.date) -> None:
    """Type a date into the GOV.UK date input whose legend is `legend`, box by box, as a person would."""
    group = page.get_by_role("group", name=legend)
    for box, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        group.get_by_label(box).fill(str(value))
