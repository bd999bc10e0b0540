"""A stand-in LMS for the SCORM browser tests: a host page that frames a package under a real SCORM 1.2
runtime from npm (scorm-again or simplify-scorm), behind the strict call recorder of scorm_recorder.js.

Each learner session gets a fresh runtime: `startSession(saved)` makes one, restoring the cmi state an
LMS would have kept (`saved`, from `cmiState()` of the session before), and puts the recorder's
wrapper at `window.API`, where the package looks for it. `window.sessions` holds each session's log.
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from authoring import load
from authoring.scorm import PackageSource, build_package, source_from_module
from tests.browser.conftest import Page, expect, new_page, serving
from tests.conftest import ROOT

RECORDER = Path(__file__).with_name("scorm_recorder.js")
COURSES = sorted(p.stem for p in (ROOT / "courses").glob("*.ipynb"))
# Each runtime: the script it is, what the host loads before it, and how a session starts and is read back.
RUNTIMES = {
    "scorm-again": {
        "script": ROOT / "node_modules" / "scorm-again" / "dist" / "scorm-again.js",
        "before": "",
        "new": """var api = new Scorm12API({autocommit: false, lmsCommitUrl: false, logLevel: 5});
    if (saved) { api.loadFromJSON({core: {lesson_location: saved.location, lesson_status: saved.status,
      score: {raw: saved.raw, min: saved.min, max: saved.max}}, suspend_data: saved.suspend_data}); }
    return api;""",
        "interactions": "Object.keys(cmi.interactions || {}).filter(function (k) { return /^\\d+$/.test(k); }).map(function (k) { return cmi.interactions[k]; })",
    },
    "simplify-scorm": {
        "script": ROOT / "node_modules" / "simplify-scorm" / "src" / "scormAPI.js",
        "before": "var module = {exports: {}};  // the file is written as a CommonJS module",
        "new": """var api = new module.exports.scormAPIFunc();
    if (saved) { api.cmi.core.lesson_location = saved.location; api.cmi.core.lesson_status = saved.status;
      api.cmi.core.score.raw = saved.raw; api.cmi.core.score.min = saved.min; api.cmi.core.score.max = saved.max;
      api.cmi.suspend_data = saved.suspend_data; }
    return api;""",
        "interactions": "cmi.interactions.childArray",
    },
}
HOST_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test LMS</title>
<script src="recorder.js"></script>
<script>{before}</script>
<script src="runtime.js"></script>
<script>
  window.sessions = [];
  function newRuntime(saved) {{
    {new}
  }}
  function startSession(saved) {{
    window.runtime = newRuntime(saved);
    var recorded = recordCalls(window.runtime);
    window.API = recorded.api;
    window.sessions.push(recorded.log);
  }}
  /* What the runtime holds, read as an LMS would store it (serialising is how write-only elements are read). */
  function cmiState() {{
    var cmi = JSON.parse(JSON.stringify(window.runtime.cmi));
    var interactions = {interactions}.map(function (i) {{
      var responses = i.correct_responses.childArray || Object.keys(i.correct_responses).filter(function (k) {{ return /^\\d+$/.test(k); }})
        .map(function (k) {{ return i.correct_responses[k]; }});
      return {{id: i.id, type: i.type, time: i.time, weighting: String(i.weighting), student_response: i.student_response, result: i.result,
              pattern: responses.length ? responses[0].pattern : null}};
    }});
    return {{status: cmi.core.lesson_status, raw: String(cmi.core.score.raw), min: String(cmi.core.score.min), max: String(cmi.core.score.max),
            location: String(cmi.core.lesson_location), exit: cmi.core.exit, session_time: cmi.core.session_time,
            suspend_data: cmi.suspend_data, interactions: interactions}};
  }}
  startSession(null);
</script></head>
<body><h1>Test LMS</h1><iframe id="sco" title="Module" src="package/index.html" width="1000" height="700"></iframe></body></html>
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None


@functools.cache
def module_source(name: str) -> PackageSource:
    """The package source of a course, built once for the whole run."""
    module = load(ROOT / "courses" / f"{name}.ipynb")
    assert module.ok, module.problems
    return source_from_module(module)


def serving_folder(folder: Path) -> AbstractContextManager[str]:
    """A folder served over HTTP on a free local port, for as long as the block runs."""
    return serving(ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder))))


def write_site(folder: Path, package: bytes, runtime: str) -> None:
    """The host page, recorder and runtime, and the package unzipped beside them."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        archive.extractall(folder / "package")
    (folder / "host.html").write_text(HOST_PAGE.format(**RUNTIMES[runtime]), encoding="utf-8")
    (folder / "recorder.js").write_bytes(RECORDER.read_bytes())
    (folder / "runtime.js").write_bytes(RUNTIMES[runtime]["script"].read_bytes())


@contextmanager
def hosted(browser, folder: Path, source: PackageSource, runtime: str = "scorm-again") -> Iterator[Page]:
    """A page on the site of the host and the package (the test opens /host.html); fails the test on any script error."""
    write_site(folder, build_package(source), runtime)
    with serving_folder(folder) as base_url:
        page = new_page(browser, base_url)
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        try:
            yield page
        finally:
            page.context.close()
        assert problems == [], f"the package raised script errors: {problems}"


# --- what a learner does, and what the host recorded ---------------------------------------------------

def answers(source: PackageSource, wrong: set[str]) -> dict[str, list[str]]:
    """Option ids to tick for each scored question: the key's, or one wrong option for those in `wrong`."""
    chosen = {}
    for question in source.scored:
        correct = source.answer_key[question["id"]]["correct"]
        if question["id"] in wrong:
            chosen[question["id"]] = [next(o["id"] for o in question["options"] if o["id"] not in correct)]
        else:
            chosen[question["id"]] = list(correct)
    return chosen


def read_every_page(frame, source: PackageSource) -> None:
    """Click through the lesson pages, answering each knowledge check correctly and reading its feedback."""
    questions = {q["id"]: q for q in source.questions}
    for page in source.pages[:-1]:
        expect(frame.locator(f"#page-{page['number']}-title")).to_be_visible()
        for block in page["blocks"]:
            if block["type"] == "question" and not questions[block["id"]]["scored"]:
                for option_id in source.answer_key[block["id"]]["correct"]:
                    frame.locator(f"[id='{block['id']}-{option_id}']").check()
                frame.locator(f"[data-check='{block['id']}']").click()
                expect(frame.locator(f"[id='{block['id']}-feedback']")).to_contain_text("Correct")
        frame.locator(f"#page-{page['number']} .sl-nav button[data-go='{page['number'] + 1}']").click()


def skip_to_assessment(frame, source: PackageSource) -> None:
    """Next page on every lesson page, answering nothing."""
    for number in range(1, len(source.pages)):
        frame.locator(f"#page-{number} .sl-nav button[data-go='{number + 1}']").click()
    expect(frame.locator(f"#page-{len(source.pages)}-title")).to_be_visible()


def asked_ids(frame) -> list[str]:
    """The scored questions this attempt shows, in page order."""
    return frame.locator(".sl-question[data-scored='true']:not([hidden])").evaluate_all("els => els.map(e => e.dataset.question)")


def tick(frame, chosen: dict[str, list[str]], only: list[str]) -> None:
    """Tick the chosen options of the questions in `only`."""
    for question_id in only:
        for option_id in chosen[question_id]:
            frame.locator(f"[id='{question_id}-{option_id}']").check()


def take_assessment(frame, chosen: dict[str, list[str]]) -> None:
    """Tick the chosen options of the questions this attempt asks (a pooled course asks some of its pool) and submit."""
    tick(frame, chosen, asked_ids(frame))
    frame.get_by_role("button", name="Submit my answers").click()


def recorded(page: Page) -> dict:
    """What the runtime holds now, and for each session its call names, the recorder's problems and the last value sent per element."""
    return page.evaluate("""({state: cmiState(), sessions: window.sessions.map(s => ({problems: s.problems, calls: s.calls.map(c => c.name),
      sent: Object.fromEntries(s.calls.filter(c => c.name === 'LMSSetValue').map(c => c.args))}))})""")


def close_module(page: Page) -> None:
    """The learner closes the module: the frame goes away and the package ends its session."""
    count = page.evaluate("window.sessions.length")
    # a page whose heading shows may not have run its deferred scripts yet: close it only once it has begun its session
    page.wait_for_function(f"window.sessions[{count - 1}].initialized")
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function(f"window.sessions[{count - 1}].finished")


def reopen_module(page: Page) -> None:
    """The learner comes back: a new session on a fresh runtime, given the cmi state the LMS kept."""
    page.evaluate("startSession(cmiState()); document.getElementById('sco').src = 'package/index.html'")


def relaunch_with(page: Page, suspend_data: str) -> None:
    """The learner closes the module and opens it again, the LMS handing back `suspend_data` (as a broken or hostile LMS might)."""
    close_module(page)
    page.evaluate("(text) => { startSession(Object.assign(cmiState(), {suspend_data: text})); "
                  "document.getElementById('sco').src = 'package/index.html'; }", suspend_data)
