"""`authoring preview` in a real browser: the home page with check's warnings, reload on save, and no JavaScript."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import axe_violations, expect, look, new_page, serving
from tests.builders import QUESTION, write_notebook

pytestmark = pytest.mark.browser


def save(notebook: Path, *cells: str) -> None:
    """Save the notebook as JupyterLab would, with a modification time the preview cannot miss."""
    write_notebook(notebook, *cells)
    later = time.time() + 5
    os.utime(notebook, (later, later))


@pytest.fixture
def preview_server(tmp_path, monkeypatch) -> Iterator[tuple[Path, str]]:
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    from lms.db import db
    from lms.preview import create_preview_app

    notebook = write_notebook(tmp_path / "my-module.ipynb", "# Welcome\n\nYou need 70% to pass. Call {{prevent_team}}.",
                              "# Assessment\n\nGo.", QUESTION)
    app = create_preview_app(notebook, tmp_path / "work")
    try:
        with serving(make_server("127.0.0.1", 0, app, threaded=True)) as base_url:
            yield notebook, base_url
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_does_the_preview_home_show_warnings_and_outline_accessibly_and_reload_on_save(browser, preview_server, shots):
    notebook, base_url = preview_server
    page = new_page(browser, base_url, bypass_csp=True)  # axe is injected as a script: only for the photographs
    page.goto("/preview")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tiny module")
    expect(page.get_by_role("region", name="Preview of my-module.ipynb")).to_contain_text("the text says 70% to pass but pass_mark is 80")
    expect(page.get_by_role("link", name="Welcome")).to_have_attribute("href", "/modules/tiny-module/pages/1")
    problems: dict[str, list] = {}
    look(page, "preview-home", shots, problems)
    assert not problems, problems
    assert axe_violations(page) == []
    page.get_by_role("link", name="Welcome").click()
    look(page, "preview-page", shots, problems)
    assert not problems, problems
    page.context.close()

    enforced = new_page(browser, base_url)  # the site's CSP applies: the script must be a same-origin file
    refused: list[str] = []
    enforced.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    enforced.goto("/modules/tiny-module/pages/1")
    expect(enforced.locator("#preview-reload-status")).to_have_text("This page reloads itself when you save the notebook.")
    save(notebook, "# Welcome back\n\nNew words, saved in JupyterLab.", "# Assessment\n\nGo.", QUESTION)
    expect(enforced.get_by_text("New words, saved in JupyterLab.")).to_be_visible()  # no click: the page reloaded itself
    expect(enforced.get_by_role("region", name="Preview of my-module.ipynb")).to_contain_text("No problems found by authoring check")
    assert refused == []
    enforced.context.close()


def test_does_the_preview_work_without_javascript(browser, preview_server, shots):
    notebook, base_url = preview_server
    page = new_page(browser, base_url, java_script_enabled=False)
    page.goto("/preview")
    expect(page.locator("#preview-reload-status")).to_have_text("Reload this page after saving the notebook to see your changes.")
    page.get_by_role("button", name="Open the module as a learner").click()
    expect(page).to_have_url(re.compile(r"/modules/tiny-module$"))
    page.goto("/modules/tiny-module/pages/1")
    expect(page.get_by_text("[prevent_team: how to contact the local Prevent team]")).to_be_visible()
    save(notebook, "# Welcome\n\nChanged without a script.", "# Assessment\n\nGo.", QUESTION)
    page.reload()
    expect(page.get_by_text("Changed without a script.")).to_be_visible()
    page.set_viewport_size({"width": 320, "height": 800})
    page.screenshot(path=str(shots / "preview-page-no-js-320.png"), full_page=True)
    page.context.close()
