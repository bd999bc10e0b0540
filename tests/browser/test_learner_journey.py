"""A learner in a real browser: by mouse, by keyboard alone, checked with axe-core, and photographed for the docs."""

from __future__ import annotations

import datetime as dt
import re
import warnings

import pytest
from sqlalchemy import func, select

from authoring import build
from lms.models import Completion
from lms.services import completions as completion_service
from lms.services import password_reset
from lms.services.assessment_draw import draw
from lms.services.publishing import publish
from tests.browser.conftest import (
    AXE,
    LEARNER_EMAIL,
    NEW_LEARNER,
    NEW_PASSWORD,
    SCREENSHOTS,
    Page,
    axe_violations,
    expect,
    new_page,
    sign_in,
)
from tests.builders import KNOWLEDGE_CHECK, QUESTION, Outbox, capture_mail, make_assignment, settings_cell, write_notebook

Q1 = "Who should you tell first?"
Q2 = "Which of these are ways to report hate crime?"
RIGHT = {Q1: ["Your safeguarding lead"], Q2: ["Call 999 in an emergency", "Report online"]}
WRONG = {Q1: ["Nobody"], Q2: ["Report online"]}
FEEDBACK = ["They know the local routes.", "Concerns must be shared.", "That is not a report.", "The police take reports online."]
FILLED_PLACEHOLDER = "In Safer Testville, report it to the Testville Hate Crime Hub."


def completions(session) -> int:
    session.rollback()  # a fresh read: the server wrote in its own thread and transaction
    return session.scalar(select(func.count(Completion.id)))


def heading(page: Page):
    return page.get_by_role("heading", level=1)


# --- by mouse -------------------------------------------------------------------------------------

def register(page: Page) -> None:
    """Create an account from the start page with the council's join code."""
    page.goto("/")
    page.get_by_role("link", name="Create an account").click()
    expect(heading(page)).to_have_text("Create an account")
    for label, value in NEW_LEARNER.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Create a password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(heading(page)).to_have_text("Check your email")
    expect(page.locator("main")).to_contain_text(f"We have sent an email to {NEW_LEARNER['Email address']}")


def confirm_from_email(page: Page, outbox: Outbox) -> None:
    """Open the link in the confirmation email, as a mail client would, and confirm the address."""
    page.goto(outbox.link("/confirm-email/", NEW_LEARNER["Email address"]))
    expect(heading(page)).to_have_text("Confirm your email address")
    page.get_by_label("The password you chose when you created the account").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page).to_have_url(re.compile(r"/my-training$"))
    expect(page.get_by_role("alert")).to_contain_text("Your email address is confirmed and you are signed in")


@pytest.fixture
def outbox(monkeypatch) -> Outbox:
    """The emails the served app sends (it runs in this process, on a thread)."""
    return capture_mail(monkeypatch)


def verification_code(page: Page) -> str:
    return page.locator("main strong", has_text=re.compile(r"^[A-Z0-9]{12}$")).inner_text()


def check_certificate_file(path, code: str) -> None:
    data = open(path, "rb").read()
    assert data.startswith(b"%PDF-") and code.encode() in data, "the download is not this certificate's PDF"


def answer(page: Page, choices: dict[str, list[str]]) -> None:
    """Tick options by the words on their labels, inside the question whose legend holds the stem."""
    for stem, labels in choices.items():
        group = page.get_by_role("group", name=re.compile(re.escape(stem)))
        for label in labels:
            group.get_by_label(label, exact=True).check()
            expect(group.get_by_label(label, exact=True)).to_be_checked()


def start_assessment(page: Page) -> str:
    page.goto("/modules/tiny-module/assessment")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    return page.url


def submit(page: Page) -> None:
    page.get_by_role("button", name="Submit my answers").click()


@pytest.mark.browser
def test_a_learner_registers_fails_then_passes_and_verifies_the_certificate_with_the_mouse(page: Page, session, join_code, outbox):
    register(page)
    confirm_from_email(page, outbox)
    page.get_by_role("link", name="My training").click()
    expect(heading(page)).to_have_text("My training")
    row = page.get_by_role("row", name=re.compile("Tiny module"))
    expect(row).to_contain_text("Not started")

    row.get_by_role("link", name="Tiny module").click()
    expect(heading(page)).to_have_text("Tiny module")
    page.get_by_role("button", name="Start now").click()
    expect(page).to_have_url(re.compile(r"/modules/tiny-module/pages/1$"))
    expect(heading(page)).to_have_text("Spotting harm")
    expect(page.locator("main")).to_contain_text(FILLED_PLACEHOLDER)
    assert "{{" not in page.content()

    page.get_by_role("link", name="Go to the assessment").click()
    expect(heading(page)).to_have_text("Assessment")
    page.get_by_role("button", name="Start the assessment").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    first_attempt = page.url
    source = page.content()
    assert "[x]" not in source
    for text in FEEDBACK:
        assert text not in source, f"feedback {text!r} is in the page before marking"
    assert "correct" not in page.locator("main form").inner_html().lower()

    answer(page, WRONG)
    submit(page)
    expect(heading(page)).to_have_text("You did not pass this time")
    expect(page.locator("main")).to_contain_text("You scored 0%")
    assert completions(session) == 0

    expect(page.get_by_role("button", name="Try the assessment again")).to_have_count(0)
    expect(page.get_by_role("heading", name="Before you try again")).to_be_visible()
    page.get_by_role("link", name="Page 1: Spotting harm").click()  # the retry rules: read the module again first
    expect(heading(page)).to_have_text("Spotting harm")
    page.get_by_role("link", name="Go to the assessment").click()
    page.get_by_role("button", name="Start the assessment").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    assert page.url != first_attempt
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)  # a fresh form, nothing carried over
    answer(page, RIGHT)
    submit(page)
    expect(heading(page)).to_have_text("You passed")
    expect(page.locator(".govuk-panel")).to_contain_text("You scored 100%")
    expect(page.locator("main")).to_contain_text("Your completion of Tiny module has been recorded.")
    code = verification_code(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your certificate (PDF)").click()
    assert download.value.suggested_filename == f"certificate-{code}.pdf"
    check_certificate_file(download.value.path(), code)

    page.get_by_role("link", name="Back to my training").click()
    expect(heading(page)).to_have_text("My training")
    expect(page.get_by_role("row", name=re.compile("Tiny module")).locator(".govuk-tag")).to_have_text("Completed")
    assert completions(session) == 1

    page.context.clear_cookies()  # anyone, signed in or not, can check the certificate
    page.goto(f"/verify/{code}")
    expect(heading(page)).to_have_text("This certificate is genuine")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Testville Council")
    expect(page.locator("main")).not_to_contain_text("Robin")
    page.get_by_label("Name on the certificate").fill("robin patel")
    page.get_by_role("button", name="Check the name").click()
    expect(page.get_by_role("status")).to_contain_text("matches this certificate")


# --- by keyboard alone ----------------------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {tag: 'body'};
  const fieldset = el.closest('fieldset');
  return {
    tag: el.tagName.toLowerCase(), type: el.getAttribute('type') || '', id: el.id, name: el.name || '',
    classes: el.className || '', text: (el.innerText || '').trim().replace(/\\s+/g, ' '),
    label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : '',
    legend: fieldset ? fieldset.querySelector('legend').innerText.trim().replace(/\\s+/g, ' ') : '',
    checked: !!el.checked, inMain: !!el.closest('main'),
  };
}"""

# A focus indicator someone can see: an outline or box-shadow on the element, or (GOV.UK radios and
# checkboxes, whose input is transparent) on its label's ::before box.
FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  const shows = (s) => s.boxShadow !== 'none' ||
    (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !/rgba\\(.*, 0\\)$|transparent/.test(s.outlineColor));
  if (shows(getComputedStyle(el))) return true;
  const label = el.labels && el.labels[0];
  return !!label && (shows(getComputedStyle(label, '::before')) || shows(getComputedStyle(label, '::after')));
}"""


def focused(page: Page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page: Page, wanted, description: str, key: str = "Tab", limit: int = 25) -> dict:
    """Press Tab (or Shift+Tab) until the focused element is the wanted one; fail after `limit` presses."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        seen.append(now.get("text") or now.get("label") or now.get("id") or now["tag"])
        if wanted(now):
            assert page.evaluate(FOCUS_VISIBLE), f"no visible focus indicator on {description}"
            return now
    raise AssertionError(f"{key} never reached {description}; focus went through {seen}")


def activate(page: Page, key: str = "Enter") -> None:
    """Press Enter (links, buttons) or Space (buttons) and wait for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press(key)


def choose_radio(page: Page, label: str) -> None:
    """From a focused radio, arrow through its group to the option with this label, then select it."""
    now = focused(page)
    for _ in range(10):
        if now["label"] == label:
            break
        page.keyboard.press("ArrowDown")
        now = focused(page)
    assert now["label"] == label, f"the arrow keys never reached {label!r}"
    page.keyboard.press("Space")
    assert focused(page)["checked"]


def keyboard_sign_in(page: Page) -> None:
    """On the sign-in page, sign the new learner in with keys alone."""
    expect(heading(page)).to_have_text("Sign in")
    tab_to(page, lambda f: f["id"] == "email", "the email field")
    page.keyboard.type(NEW_LEARNER["Email address"])
    assert tab_to(page, lambda f: True, "password", limit=1)["id"] == "password"
    page.keyboard.type(NEW_PASSWORD)
    assert tab_to(page, lambda f: True, "remember me", limit=1)["label"] == "Keep me signed in on this device"
    assert tab_to(page, lambda f: True, "the sign-in button", limit=1)["text"] == "Sign in"
    activate(page)


@pytest.mark.browser
def seed_asking_first(version, question_id: str) -> str:
    """A seed whose draw asks `question_id` first, so a keyboard walk can meet the questions in a known order."""
    return next(seed for seed in (f"keyboard-{n}" for n in range(100)) if draw(version, seed)[0]["question"] == question_id)


def test_a_learner_registers_passes_and_verifies_using_only_the_keyboard(page: Page, monkeypatch, session, published, join_code, outbox):
    version = published.current_version
    single = next(q["id"] for q in version.scored_questions if not q["multiple"])
    seed = seed_asking_first(version, single)
    monkeypatch.setattr(completion_service, "new_seed", lambda: seed)
    page.goto("/register")  # the only address typed, but for the emailed link; everything else is keys

    skip = tab_to(page, lambda f: True, "the first focusable element", limit=1)
    assert "govuk-skip-link" in skip["classes"] and skip["text"] == "Skip to main content"
    box = page.evaluate("() => { const r = document.activeElement.getBoundingClientRect(); return [r.width, r.height]; }")
    assert box[0] > 10 and box[1] > 10, "the skip link stays hidden when it has focus"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main-content$"))
    # With no JavaScript and no tabindex on <main>, Chromium leaves document.activeElement on <body> but moves
    # the sequential focus starting point to #main-content, so the next Tab must land inside main.
    target = page.evaluate("() => document.activeElement.id || document.activeElement.tagName")
    assert target in ("main-content", "BODY"), f"the skip link left focus on {target}"
    after_skip = tab_to(page, lambda f: True, "the element after the skip target", limit=1)
    assert after_skip["inMain"] and after_skip["text"] == "Sign in", f"after the skip link, Tab went to {after_skip}, not into main"

    for field_id, value in (("full_name", NEW_LEARNER["Full name"]), ("email", NEW_LEARNER["Email address"]),
                            ("join_code", join_code), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)):
        assert tab_to(page, lambda f: True, field_id, limit=1)["id"] == field_id
        page.keyboard.type(value)
    assert tab_to(page, lambda f: True, "the create account button", limit=1)["text"] == "Create account"
    activate(page)
    expect(heading(page)).to_have_text("Check your email")
    page.goto(outbox.link("/confirm-email/", NEW_LEARNER["Email address"]))  # opened from the email
    assert tab_to(page, lambda f: f["id"] == "password", "the password field")["id"] == "password"
    page.keyboard.type(NEW_PASSWORD)
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Confirm my email address", "the confirm button")
    activate(page)
    expect(page.get_by_role("alert")).to_contain_text("Your email address is confirmed and you are signed in")
    expect(heading(page)).to_have_text("My training")

    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Tiny module", "the module link")
    activate(page)
    expect(heading(page)).to_have_text("Tiny module")
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Start now", "Start now")
    activate(page)
    expect(page.locator("main")).to_contain_text(FILLED_PLACEHOLDER)
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Go to the assessment", "the assessment link")
    activate(page)
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Start the assessment", "Start the assessment")
    activate(page, "Space")
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))

    tab_to(page, lambda f: f["type"] == "radio" and Q1 in f["legend"], "question 1")
    choose_radio(page, RIGHT[Q1][0])
    first_box = tab_to(page, lambda f: True, "question 2", limit=1)
    assert first_box["type"] == "checkbox" and Q2 in first_box["legend"], "a radio group should be one Tab stop"
    back = tab_to(page, lambda f: True, "question 1 again", key="Shift+Tab", limit=1)
    assert back["type"] == "radio" and back["label"] == RIGHT[Q1][0] and back["checked"], "Shift+Tab should return to the chosen radio"
    now = tab_to(page, lambda f: True, "question 2", limit=1)
    ticked = []
    while now["type"] == "checkbox" and Q2 in now["legend"]:
        if now["label"] in RIGHT[Q2]:
            page.keyboard.press("Space")
            assert focused(page)["checked"], f"Space did not tick {now['label']!r}"
            ticked.append(now["label"])
        now = tab_to(page, lambda f: True, "the next control", limit=1)
    assert sorted(ticked) == sorted(RIGHT[Q2])
    assert now["tag"] == "button" and now["text"] == "Submit my answers", f"after the last checkbox focus went to {now}"
    activate(page)
    expect(heading(page)).to_have_text("You passed")

    code = verification_code(page)
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Download your certificate (PDF)", "the certificate link")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    check_certificate_file(download.value.path(), code)
    tab_to(page, lambda f: f["tag"] == "a" and f["text"].endswith(f"/verify/{code}"), "the verify link")
    activate(page)
    expect(heading(page)).to_have_text("This certificate is genuine")
    tab_to(page, lambda f: f["id"] == "name", "the name to check")
    page.keyboard.type(NEW_LEARNER["Full name"])
    assert tab_to(page, lambda f: True, "the check button", limit=1)["text"] == "Check the name"
    activate(page)
    expect(page.get_by_role("status")).to_contain_text("matches this certificate")

    # Sign out and back in, still by keyboard: the completion is there on return.
    tab_to(page, lambda f: f["tag"] == "button" and f["text"].startswith("Sign out"), "Sign out in the menu", key="Shift+Tab", limit=40)
    activate(page)
    keyboard_sign_in(page)
    expect(page.get_by_role("row", name=re.compile("Tiny module")).locator(".govuk-tag")).to_have_text("Completed")
    assert completions(session) == 1


# --- axe-core on every kind of page ---------------------------------------------------------------



@pytest.fixture
def check_module(session, tmp_path) -> str:
    """A second module whose lesson page has a knowledge check (the tiny module has none)."""
    source = write_notebook(tmp_path / "checks" / "check-module.ipynb", "# Checking\n\nSome text.", KNOWLEDGE_CHECK,
                            "# Assessment\n\nGo.", QUESTION, settings=settings_cell(id="check-module", title="Check module"))
    report = build([source], tmp_path / "check-build")
    assert report.built and not report.failed, report.problems
    publish(session, tmp_path / "check-build")
    session.commit()
    return "check-module"


@pytest.mark.browser
def test_every_kind_of_page_has_no_serious_accessibility_problems(app, browser, live_server, check_module, learner, join_code, outbox):
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run npm ci")
    # axe is injected as a script element, which the site's CSP (script-src 'self') rightly refuses;
    # this context alone ignores CSP so the audit can run. The journeys above keep the real CSP.
    page = new_page(browser, live_server, bypass_csp=True)
    found: dict[str, list[dict]] = {}

    def audit(name: str) -> None:
        found[name] = axe_violations(page)

    page.goto("/")
    expect(heading(page)).to_have_text("Safeguarding training for your partnership")
    audit("home")
    page.goto("/sign-in")
    audit("sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    audit("sign-in with errors")

    page.goto("/register")
    expect(heading(page)).to_have_text("Create an account")
    audit("register")
    page.get_by_label("Join code (if you have one)").fill("NO-SUCH-CODE")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your full name")
    audit("register with errors")
    register(page)
    audit("register: check your email")
    page.goto(outbox.link("/confirm-email/", NEW_LEARNER["Email address"]))
    expect(heading(page)).to_have_text("Confirm your email address")
    audit("confirm email")
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the password you chose")
    audit("confirm email with errors")
    page.goto("/confirm-email/not-a-real-link")
    expect(heading(page)).to_have_text("This link does not work")
    audit("confirmation link that does not work")
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(NEW_LEARNER["Email address"])
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct email address and password")
    audit("sign-in before confirming")
    page.get_by_role("link", name="get a new confirmation link").click()
    expect(heading(page)).to_have_text("Get a new confirmation link")
    audit("get a new confirmation link")
    page.get_by_label("Email address").fill(NEW_LEARNER["Email address"])
    page.get_by_role("button", name="Send the link").click()
    expect(heading(page)).to_have_text("Check your email")
    audit("confirmation link sent again")
    page.context.clear_cookies()
    page.goto("/forgot-password")
    audit("forgot password")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    audit("forgot password with errors")
    page.get_by_label("Email address").fill(LEARNER_EMAIL)
    page.get_by_role("button", name="Send the link").click()
    expect(heading(page)).to_have_text("Check your email")
    audit("forgot password sent")
    with app.app_context():
        token = password_reset.make_token(learner, app.config["SECRET_KEY"])
    page.goto(f"/reset-password/{token}")
    expect(heading(page)).to_have_text("Choose a new password")
    audit("reset password")
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Password must be 12 characters or more")
    audit("reset password with errors")
    page.goto("/reset-password/not-a-real-link")
    expect(heading(page)).to_have_text("This link does not work")
    audit("reset link that does not work")
    page.goto("/verify/NOSUCHCODE23")
    expect(heading(page)).to_have_text("Certificate not found")
    audit("verify: not found")

    sign_in(page)
    audit("my training")
    page.goto("/modules/tiny-module/print")
    expect(page.locator("main")).to_contain_text(FILLED_PLACEHOLDER)
    audit("print view")
    page.goto("/modules/tiny-module")
    expect(heading(page)).to_have_text("Tiny module")
    audit("module overview")
    page.goto("/modules/tiny-module/pages/1")
    expect(page.locator("main")).to_contain_text(FILLED_PLACEHOLDER)
    audit("lesson page")

    page.goto(f"/modules/{check_module}/pages/1")
    expect(page.get_by_role("region", name="Check your understanding Is a hate incident always a crime?")).to_be_visible()
    audit("lesson page with a knowledge check")
    page.get_by_role("button", name="Check my answer").click()
    expect(page.locator(".sl-knowledge-check .govuk-error-message")).to_contain_text("Choose an answer")
    audit("knowledge check with an error")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Check my answer").click()
    expect(page.get_by_role("alert")).to_contain_text("An incident can be recorded even when it is not a crime.")
    audit("knowledge check answered")

    page.goto("/modules/tiny-module/assessment")
    expect(page.get_by_role("button", name="Start the assessment")).to_be_visible()
    audit("assessment start")
    start_assessment(page)
    audit("attempt form")
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Answer question 1")
    audit("attempt form with errors")
    answer(page, WRONG)
    submit(page)
    expect(heading(page)).to_have_text("You did not pass this time")
    audit("result: fail")
    page.goto("/modules/tiny-module/pages/1")  # read the module again, as the retry rules ask
    start_assessment(page)
    answer(page, RIGHT)
    submit(page)
    expect(heading(page)).to_have_text("You passed")
    audit("result: pass")
    page.locator("main a[href^=\"/verify/\"]").click()
    expect(heading(page)).to_have_text("This certificate is genuine")
    audit("verify")
    page.get_by_role("button", name="Check the name").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the name shown on the certificate")
    audit("verify with errors")
    page.get_by_label("Name on the certificate").fill("Someone Else")
    page.get_by_role("button", name="Check the name").click()
    expect(page.get_by_role("status")).to_contain_text("does not match")
    audit("verify: name checked")

    response = page.goto("/modules/no-such-module")
    assert response is not None and response.status == 404
    expect(heading(page)).to_have_text("Page not found")
    audit("404 page")
    page.context.close()

    report = []
    for name, violations in found.items():
        for violation in violations:
            for node in violation["nodes"]:
                report.append(f"{name}: {violation['id']} ({violation['impact']}) {violation['help']} at {node['target']}: {node['html']}")
    print("\n".join(report) or "axe: no violations on any page")
    serious = [line for line in report if "(serious)" in line or "(critical)" in line]
    if report and not serious:
        warnings.warn("axe found minor or moderate problems:\n" + "\n".join(report), stacklevel=1)
    assert not serious, "axe found serious or critical problems:\n" + "\n".join(serious)


# --- the main pages look like GOV.UK (pictures in build/screenshots) ------------------------------------------------------------

@pytest.mark.browser
def test_screenshots_of_the_main_pages(page: Page, monkeypatch, session, published, learner):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # The same option order on every run, so the committed pictures only change when the pages do.
    monkeypatch.setattr(completion_service, "new_seed", lambda: "the-same-draw-for-every-screenshot")

    def shoot(name: str) -> None:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    page.goto("/sign-in")
    expect(heading(page)).to_have_text("Sign in")
    styled = page.evaluate("""() => {
      const header = getComputedStyle(document.querySelector('.govuk-header'));
      const button = getComputedStyle(document.querySelector('.govuk-button'));
      return {header: header.backgroundColor, buttonShadow: button.boxShadow, bodyMargin: getComputedStyle(document.body).margin};
    }""")
    # GOV.UK Frontend paints the header, gives buttons their 2px shadow and zeroes the body margin.
    assert styled["header"] != "rgba(0, 0, 0, 0)" and "2px" in styled["buttonShadow"] and styled["bodyMargin"] == "0px", (
        f"the GOV.UK stylesheet did not apply (npm run build:css): {styled}")
    shoot("sign-in")
    page.goto("/register")
    expect(heading(page)).to_have_text("Create an account")
    shoot("register")
    make_assignment(session, published, learner.organisation, due_on=dt.date(2027, 3, 31))
    session.commit()
    sign_in(page)
    expect(page.locator("main")).to_contain_text("Assigned by Testville Council")
    shoot("my-training")
    page.goto("/modules/tiny-module/pages/1")
    expect(page.locator("main")).to_contain_text(FILLED_PLACEHOLDER)
    shoot("lesson-page")
    start_assessment(page)
    shoot("assessment")
    answer(page, RIGHT)
    submit(page)
    expect(heading(page)).to_have_text("You passed")
    shoot("result")
    page.locator("main a[href^=\"/verify/\"]").click()
    expect(heading(page)).to_have_text("This certificate is genuine")
    shoot("certificate-verify")
