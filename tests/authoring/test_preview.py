"""Can a trainer see a module as learners will, in the browser (preview) and under a Jupyter cell?"""

from __future__ import annotations

import os
import time

import pytest

from authoring.jupyter import show_markdown, show_page
from tests.builders import MULTI_QUESTION, QUESTION, write_notebook


@pytest.fixture
def preview(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    from lms.preview import create_preview_app

    notebook = write_notebook(tmp_path / "m.ipynb", "# Welcome\n\nCall {{prevent_team}} for help.", "# Assessment\n\nGo.", QUESTION)
    app = create_preview_app(notebook, tmp_path / "work")
    yield notebook, app.test_client()
    from lms.db import db

    db.session.remove()
    db.engine.dispose()


def test_does_the_preview_show_the_page_with_placeholders_named(preview):
    _notebook, client = preview
    assert client.get("/preview").headers["Location"] == "/modules/tiny-module"
    page = client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert "Welcome" in page and "[prevent_team: how to contact the local Prevent team]" in page


def test_can_the_trainer_start_the_assessment_in_the_preview_as_a_learner_would(preview):
    _notebook, client = preview
    client.get("/preview")
    page = client.get("/modules/tiny-module/assessment").get_data(as_text=True)
    assert "Start the assessment" in page and "Confirm your email address" not in page


def test_does_saving_the_notebook_update_the_preview(preview):
    notebook, client = preview
    client.get("/modules/tiny-module/pages/1")
    write_notebook(notebook, "# Welcome again\n\nNew words.", "# Assessment\n\nGo.", MULTI_QUESTION)
    os.utime(notebook, (time.time() + 5, time.time() + 5))
    assert "New words." in client.get("/modules/tiny-module/pages/1").get_data(as_text=True)


def test_does_a_broken_save_show_the_problems_instead_of_a_traceback(preview):
    notebook, client = preview
    write_notebook(notebook, "# Welcome\n\nText.", "# Assessment\n\nGo.", "### Question\n\nWhich?\n\n- [ ] A\n- [ ] B")
    os.utime(notebook, (time.time() + 5, time.time() + 5))
    page = client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert "The module has problems" in page and "the question has no correct answer" in page


def test_does_the_preview_show_check_s_warnings_above_the_page_with_the_file_name_not_its_path(preview):
    """A trainer previewing sees what check would warn about, e.g. a pass mark typed by hand that differs."""
    notebook, client = preview
    write_notebook(notebook, "# Welcome\n\nYou need 70% to pass.", "# Assessment\n\nGo.", QUESTION)
    os.utime(notebook, (time.time() + 5, time.time() + 5))
    page = client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert "Check warns: m.ipynb:cell 2: warning: the text says 70% to pass but pass_mark is 80" in page
    assert str(notebook.parent) not in page


def test_does_the_jupyter_helper_draw_a_question_without_ticks_and_list_problems():
    html = show_markdown("### Question\n\nWhich?\n\n- [x] Right one\n  > Because.\n- [ ] Wrong one")._repr_html_()
    assert 'type="radio" disabled> Right one' in html and "[x]" not in html
    assert "Answer key and feedback (trainers only)" in html and "✔ right: Right one — Because." in html
    assert "option 2 has no feedback" in html


def test_does_the_jupyter_helper_show_a_page_of_a_saved_notebook(tmp_path):
    notebook = write_notebook(tmp_path / "m.ipynb", "# Welcome\n\n> **Key point:** Share concerns.", "# Assessment\n\nGo.", QUESTION)
    html = show_page(notebook, 1)._repr_html_()
    assert "<h1>Welcome</h1>" in html and "govuk-inset-text" in html
    assert "there is no page 9" in show_page(notebook, 9)._repr_html_()
