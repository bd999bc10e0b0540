"""Can a trainer see a module as learners will in the browser, with check's warnings, the outline and reload on save?"""

from __future__ import annotations

import os
import time

import pytest

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
    assert "1 warning from authoring check" in page
    assert "m.ipynb:cell 2: warning: the text says 70% to pass but pass_mark is 80" in page
    assert str(notebook.parent) not in page


def test_are_the_warnings_on_every_page_once_even_after_a_redirect(preview):
    """The old flashed warnings piled up behind redirects; the preview box is drawn afresh on each page."""
    notebook, client = preview
    write_notebook(notebook, "# Welcome\n\nYou need 70% to pass.", "# Assessment\n\nGo.", QUESTION)
    os.utime(notebook, (time.time() + 5, time.time() + 5))
    for url in ("/preview", "/modules/tiny-module", "/modules/tiny-module/pages/1", "/modules/tiny-module/assessment", "/my-training"):
        page = client.get(url).get_data(as_text=True)
        assert page.count("the text says 70% to pass") == 1, url
        assert 'role="region" aria-labelledby="preview-status-title"' in page and "Preview of m.ipynb" in page


def test_does_the_preview_home_show_the_outline_with_questions(preview):
    _notebook, client = preview
    page = client.get("/preview").get_data(as_text=True)
    assert "Pages and their questions" in page and "Open the module as a learner" in page
    assert 'href="/modules/tiny-module/pages/1">Welcome</a>' in page
    assert 'href="/modules/tiny-module/assessment">Assessment</a> (the assessment)' in page


def test_does_every_page_carry_the_reload_script_as_a_same_origin_file_and_say_what_to_do_without_it(preview):
    _notebook, client = preview
    response = client.get("/modules/tiny-module/pages/1")
    page = response.get_data(as_text=True)
    assert "Reload this page after saving the notebook to see your changes." in page
    assert '<script src="/preview/static/preview-reload.js"' in page and 'data-changed-url="/preview/changed"' in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    script = client.get("/preview/static/preview-reload.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript" and "document.currentScript" in script.get_data(as_text=True)


def test_does_the_reload_endpoint_answer_unchanged_then_changed_after_a_save(preview):
    notebook, client = preview
    page = client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    since = page.split('data-since="', 1)[1].split('"', 1)[0]
    assert client.get(f"/preview/changed?since={since}").get_json()["changed"] is False
    os.utime(notebook, (time.time() + 5, time.time() + 5))
    answer = client.get(f"/preview/changed?since={since}").get_json()
    assert answer["changed"] is True and answer["mtime"] != since
    reloaded = client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert f'data-since="{answer["mtime"]}"' in reloaded
    assert client.get("/preview/changed?since=soon").status_code == 400


def test_does_the_reload_endpoint_answer_while_the_module_has_problems(preview):
    notebook, client = preview
    write_notebook(notebook, "# Welcome\n\nText.", "# Assessment\n\nGo.", "### Question\n\nWhich?\n\n- [ ] A\n- [ ] B")
    os.utime(notebook, (time.time() + 5, time.time() + 5))
    page = client.get("/preview").get_data(as_text=True)
    assert "The module has problems" in page and "1 error from authoring check" in page and "preview-reload.js" in page
    assert client.get("/preview/changed?since=0").get_json()["changed"] is True


def test_is_the_reload_machinery_absent_from_the_real_lms(client):
    page = client.get("/").get_data(as_text=True)
    assert "preview-reload.js" not in page and "Preview of" not in page
    assert client.get("/preview/changed?since=0").status_code == 404
    assert client.get("/static/preview-reload.js").status_code == 404  # the script lives with the preview's templates
    assert client.get("/preview/static/preview-reload.js").status_code == 404


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:5001", "localhost.attacker.example:5001",
                                  "127.0.0.1.nip.io:5001", "127.0.0.2:5001", "localhost:5001@attacker.example", "[::2]:5001",
                                  "localhost:notaport", ""])
@pytest.mark.parametrize("url", ["/preview", "/modules/tiny-module/pages/1", "/preview/changed?since=0", "/preview/static/preview-reload.js"])
def test_does_the_preview_refuse_a_request_addressed_to_another_host_dns_rebinding(preview, host, url):
    """A page on attacker.example whose name is re-pointed at 127.0.0.1 must not read the signed-in preview."""
    _notebook, client = preview
    response = client.get(url, headers={"Host": host})
    assert response.status_code == 400 and response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert "answers only http://127.0.0.1 or http://localhost" in body and "Welcome" not in body and "Set-Cookie" not in response.headers


@pytest.mark.parametrize("host", ["127.0.0.1:5001", "localhost:5001", "LOCALHOST", "[::1]:5001", "127.0.0.1"])
def test_does_the_preview_answer_this_computers_names(preview, host):
    _notebook, client = preview
    response = client.get("/modules/tiny-module/pages/1", headers={"Host": host})
    assert response.status_code == 200 and "Welcome" in response.get_data(as_text=True)


def test_does_a_module_the_lms_refuses_to_publish_show_why_instead_of_a_server_error(preview, monkeypatch):
    """A notebook check and build accept but publishing refuses (found with an imported GIFT bank) is shown as a problem, then fixed by saving."""
    from lms.services.bundles import PublishError

    notebook, client = preview
    refusal = f"{notebook.parent}/work/build/tiny-module/manifest.json: page 1: the HTML is not what the sanitiser writes — rebuild it"

    def refuse(_session, _path):
        raise PublishError(refusal)

    from lms import preview as preview_module

    publish = preview_module.publish
    monkeypatch.setattr(preview_module, "publish", refuse)
    for url in ("/modules/tiny-module/pages/1", "/preview", "/modules/tiny-module/pages/1"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "could not publish" in page and "the HTML is not what the sanitiser writes" in page
        assert "/modules//" not in page and str(notebook.parent) not in page
    monkeypatch.setattr(preview_module, "publish", publish)
    os.utime(notebook, (time.time() + 5, time.time() + 5))
    assert "Call" in client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
