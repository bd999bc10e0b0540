"""A learner who had started a module that was then republished, in a real browser: My training and the
module page say it was updated and what changed, and "Continue" keeps their page. Photographed and
checked with axe-core."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest

from lms.models import ModuleVersion
from lms.services import lessons
from tests.browser.conftest import axe_violations, expect, look, new_page, sign_in
from tests.builders import publish_module
from tests.conftest import TINY


@pytest.fixture
def republished(session, learner, published, tmp_path):
    """The learner was reading page 1, Spotting harm, of version 1; version 2 adds a welcome page before it."""
    lessons.remember_page(session, learner, published.current_version_id, 1)
    source = tmp_path / "v2" / "tiny-module.ipynb"
    source.parent.mkdir()
    shutil.copy(TINY / "tiny-module.ipynb", source)
    notebook = nbformat.read(str(source), as_version=4)
    notebook.cells.insert(1, nbformat.v4.new_markdown_cell("# Welcome\n\nWhat this module covers, and who to ask."))
    settings = notebook.cells[0].source.replace("---\n", "---\nversion_notes: Adds a welcome page.\n", 1)
    notebook.cells[0].source = settings
    nbformat.write(notebook, str(source))
    module = publish_module(session, source.parent, tmp_path / "build-v2")
    session.flush()
    return session.get(ModuleVersion, module.current_version_id)


@pytest.mark.browser
def test_does_a_learner_see_that_a_module_they_started_was_updated(browser, republished, live_server, shots):
    problems: dict[str, list] = {}
    page = new_page(browser, live_server, bypass_csp=True)
    sign_in(page)
    page.goto("/my-training")
    expect(page.get_by_text("Updated since you started")).to_be_visible()
    look(page, "my-training-updated", shots, problems)
    assert axe_violations(page) == []
    page.goto("/modules/tiny-module")
    expect(page.get_by_text("Adds a welcome page.")).to_be_visible()
    expect(page.locator("#updated-since-started")).to_contain_text("You continue at page 2")
    continue_link = page.get_by_role("button", name="Continue")  # a start button is a link styled as a button
    expect(continue_link).to_have_attribute("href", "/modules/tiny-module/pages/2")  # the same page, now second
    look(page, "module-updated", shots, problems)
    assert axe_violations(page) == []
    page.context.close()
    assert problems == {}
    assert json.dumps(republished.settings).count("Adds a welcome page.") == 1
