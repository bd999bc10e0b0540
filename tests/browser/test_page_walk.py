"""Every page, as every role meets it: the walk opens each route of the authorisation matrix that a role may
see, on a busy council's data (the demo partnerships, the five modules, more people than one page holds)
and on an empty organisation's, then submits each page's form empty to see its error state.

For each page state it fails on any axe-core finding (WCAG 2.0 to 2.2 A and AA, and best practice), on
markup shown as text (a button reading `Deactivate<span ...>`), and on a page that scrolls sideways at
320 CSS pixels outside a table's own scrolling container; it saves full-page screenshots (JPEG) at 1024 and
320 px under build/page-walk/<role>/ so people can look at every page (docs/screenshots is refreshed from
there by hand, from pictures someone has looked at)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, url_for

from authoring import build
from tests.browser.conftest import AXE, expect, new_page, serving, sign_in
from tests.browser.walk_world import EMPTY_ADMIN, WalkWorld, build_walk_world
from tests.conftest import ROOT
from tests.security.test_authorisation import EXPECTED, OK, OWN, QUERY_SCOPED

pytestmark = pytest.mark.browser

SHOTS = ROOT / "build" / "page-walk"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
LAYOUT_RULES = ["target-size", "scrollable-region-focusable", "meta-viewport"]
SCREENSHOT_MS = 30_000  # a tall page at 320 px takes a while to capture on a busy machine
ROLES = ("anonymous", "learner", "trainer", "org_admin", "partnership_lead", "site_admin")
NOT_WALKED = {"auth.logout"}  # ends the walk's own session; tested in tests/security
ESCAPED_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>")
RUN_AXE = """async (runOnly) => {
  const results = await axe.run(document, {runOnly});
  return results.violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}"""
WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const scrolls = (el) => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(el).overflowX);
  const clipped = (el) => { for (let p = el.parentElement; p; p = p.parentElement) if (scrolls(p)) return true; return false; };
  return [...document.body.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > width + 1 && !clipped(el))
    .slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''));
}"""
DATA_ENTRY_FORMS = ("main form[method=post i]:has(input:not([type=hidden]):not([type=submit]):not([type=checkbox])"
                    ":not([type=radio])), main form[method=post i]:has(textarea), main form[method=post i]:has(input[type=radio])")


@pytest.fixture(scope="module")
def course_build(tmp_path_factory) -> Path:
    """The five shipped modules and the tiny test module (for passes), built once for the walk."""
    out = tmp_path_factory.mktemp("walk-courses")
    report = build([*sorted((ROOT / "courses").glob("*.ipynb")), ROOT / "tests" / "data" / "tiny-module"], out)
    assert report.built and not report.failed, report.problems
    return out


@pytest.fixture
def walk(app: Flask, session, course_build) -> WalkWorld:
    return build_walk_world(app, course_build)


@pytest.fixture
def walk_server(app: Flask, walk):
    from werkzeug.serving import make_server

    with serving(make_server("127.0.0.1", 0, app, threaded=True)) as base_url:
        yield base_url


def _paths(app: Flask, role: str, values: dict[str, str], attempts: dict, certificates: dict) -> list[tuple[str, str, bool]]:
    """(endpoint, path, must open) for every GET route the role may open, with arguments from the role's own
    world; a route scoped by ?organisation= is walked narrowed to the council (which must open) and without
    it (which may answer 404: a site admin's learner list needs an organisation)."""
    allowed = ROLES.index(role)
    paths = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint in NOT_WALKED or "GET" not in rule.methods or EXPECTED[rule.endpoint][allowed] not in (OK, OWN):
            continue
        mine = {**values, "attempt_id": str(attempts.get(role, "")), "code": certificates.get(role, ""),
                "token": values.get(f"token for {rule.endpoint}", values.get("token"))}
        if any(not mine.get(name) for name in rule.arguments):
            continue  # nothing of that kind exists here (an empty organisation has no join codes)
        with app.test_request_context():
            path = url_for(rule.endpoint, **{name: mine[name] for name in rule.arguments})
        if rule.endpoint in QUERY_SCOPED:
            paths += [(rule.endpoint, path, False), (rule.endpoint, f"{path}?{QUERY_SCOPED[rule.endpoint]}={values['organisation_id']}", True)]
        else:
            paths.append((rule.endpoint, path, True))
    return paths


def _problems(page, name: str, folder: Path) -> list[str]:
    """Screenshots at each width, and everything wrong with the page as it stands: every axe rule at
    1024 px, and at 320 px the rules that depend on layout (target size) and sideways scrolling."""
    found = []
    text = page.locator("body").inner_text()
    if ESCAPED_TAG.search(text):
        found.append(f"shows markup as text: {ESCAPED_TAG.search(text)[0]!r}")
    page.add_script_tag(path=str(AXE))
    for width, axe_run in ((1024, {"type": "tag", "values": AXE_TAGS}), (320, {"type": "rule", "values": LAYOUT_RULES})):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(folder / f"{name}-{width}.jpeg"), full_page=True, animations="disabled", caret="hide",
                        type="jpeg", quality=80, timeout=SCREENSHOT_MS)
        found += [f"axe at {width}px: {v}" for v in page.evaluate(RUN_AXE, axe_run)]
    if wide := page.evaluate(WIDER_THAN_SCREEN):
        found.append(f"scrolls sideways at 320px: {wide}")
    page.set_viewport_size({"width": 1024, "height": 800})
    return found


# Pages that a walk can only reach without what they need, and that answer with their error page: it is looked at too.
ANSWERS_WITH_ERROR_PAGE = {"auth.sso_callback": 400}  # no sign-in begun in this browser: "Your sign-in could not be finished"


def _submit_empty(page) -> bool:
    """Clear and send the page's first data-entry form, to see its error state; False if it has none."""
    form = page.locator(DATA_ENTRY_FORMS).first
    if form.count() == 0:
        return False
    for field in form.locator("input[type=text], input[type=email], input[type=password], input[type=search], textarea").all():
        if field.is_visible() and field.is_editable():
            field.fill("")
    form.locator("button[type=submit], button:not([type]), input[type=submit]").first.click()
    page.wait_for_load_state()
    return True


def _walk(page, app: Flask, role: str, folder: Path, paths: list[tuple[str, str, bool]]) -> dict[str, list[str]]:
    problems, seen = {}, 0
    for endpoint, path, must_open in paths:
        kind = page.request.get(path, max_redirects=0)
        if kind.status < 300 and not kind.headers.get("content-type", "").startswith("text/html"):
            continue  # a download, an image or the JSON API: not a page
        if kind.status == 404 and not must_open:
            continue
        response = page.goto(path)
        name = endpoint.replace(".", "-") + ("-narrowed" if "?" in path else "")
        if response is None or (response.status >= 400 and response.status != ANSWERS_WITH_ERROR_PAGE.get(endpoint)):
            problems[f"{name} {path}"] = [f"answered {response.status if response else 'nothing'}"]
            continue
        problems[f"{name} {path}"] = _problems(page, name, folder)
        seen += 1
        if _submit_empty(page):
            problems[f"{name} {path} (sent empty)"] = _problems(page, f"{name}-sent-empty", folder)
            seen += 1
    problems = {where: found for where, found in problems.items() if found}
    (folder / "pages.txt").write_text(f"{seen} page states\n" + "\n".join(p for _e, p, _m in paths) + "\n")
    (folder / "problems.txt").write_text("".join(f"{where}\n" + "".join(f"  {f}\n" for f in found) for where, found in problems.items()))
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_does_every_page_a_role_can_open_pass_axe_show_no_markup_and_reflow(browser, app, walk, walk_server, role):
    folder = SHOTS / role
    folder.mkdir(parents=True, exist_ok=True)
    page = new_page(browser, walk_server, bypass_csp=True)
    if role != "anonymous":
        sign_in(page, walk.logins[role])
    problems = _walk(page, app, role, folder, _paths(app, role, walk.values, walk.attempts, walk.certificates))
    page.context.close()
    assert problems == {}


def test_does_an_empty_organisation_show_clear_empty_states(browser, app, walk, walk_server):
    folder = SHOTS / "org_admin_empty"
    folder.mkdir(parents=True, exist_ok=True)
    page = new_page(browser, walk_server, bypass_csp=True)
    sign_in(page, EMPTY_ADMIN)
    expect(page.get_by_role("link", name="Admin")).to_be_visible()
    problems = _walk(page, app, "org_admin", folder, _paths(app, "org_admin", walk.empty_values, {}, {}))
    page.context.close()
    assert problems == {}


def test_does_the_walk_notice_markup_as_text_a_missing_label_and_a_page_wider_than_a_phone(browser, tmp_path):
    page = browser.new_context(bypass_csp=True).new_page()
    page.set_content('<html lang="en"><head><title>Broken</title></head><body><main><h1>People</h1>'
                     '<button>Deactivate&lt;span class="govuk-visually-hidden"&gt; Alex&lt;/span&gt;</button>'
                     '<input type="text"><div style="width: 900px">A wide panel</div></main></body></html>')
    found = "\n".join(_problems(page, "broken", tmp_path))
    page.context.close()
    assert "shows markup as text: '<span class=\"govuk-visually-hidden\">'" in found
    assert "axe at 1024px: label:" in found
    assert "scrolls sideways at 320px: ['div']" in found
    assert (tmp_path / "broken-320.jpeg").exists() and (tmp_path / "broken-1024.jpeg").exists()
