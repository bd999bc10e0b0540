"""Can a trainer preview a module under a JupyterLab code cell, in Jupyter's own kernel, as learners will see it?"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from authoring import jupyter
from authoring.demo_values import DEMO_PARTNERSHIPS, demo_values
from authoring.jupyter import show_markdown, show_outline, show_page
from authoring.outline import PageOutline
from tests.builders import QUESTION, write_notebook
from tests.conftest import ROOT

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
PREVENT_TEAM = "City of York Council&#x27;s Prevent lead, through the council&#x27;s safeguarding team"
# The install line docs/authoring.md gives trainers ("Seeing your module as learners will"), run in a code cell
INSTALL_CELL = "%pip install {project}"


def module_folder(folder: Path) -> Path:
    """A module with an image, placeholders (one unknown) and a warning on its second page."""
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "images" / "dot.png").write_bytes(PNG)
    return write_notebook(folder / "my-module.ipynb",
                          "# Welcome to {{partnership_name}}\n\nCall {{prevent_team}}, or {{channel_panel}}, or {{prevent_tem}}.",
                          "![A flow chart: notice, check, share](images/dot.png)",
                          "# Assessment\n\nYou need 70% to pass.", QUESTION)


def html_of(preview: jupyter.Preview) -> str:
    return preview._repr_html_()


def test_does_the_helper_draw_a_question_without_ticks_and_list_problems():
    html = html_of(show_markdown("### Question\n\nWhich?\n\n- [x] Right one\n  > Because.\n- [ ] Wrong one"))
    assert 'type="radio" disabled> Right one' in html and "[x]" not in html
    assert "Answer key and feedback (trainers only)" in html and "✔ right: Right one — Because." in html
    assert "option 2 has no feedback" in html and "this cell:cell 1" not in html


def test_does_the_helper_show_a_page_with_its_images_embedded(tmp_path, monkeypatch):
    module_folder(tmp_path)
    monkeypatch.chdir(tmp_path)  # Jupyter runs a notebook's kernel in the notebook's folder
    html = html_of(show_page("my-module.ipynb", 1))
    assert "<h1>Welcome to Safer York Partnership</h1>" in html
    assert f'src="data:image/png;base64,{base64.b64encode(PNG).decode()}" alt="A flow chart: notice, check, share"' in html
    assert 'src="assets/' not in html


def test_are_placeholders_filled_with_the_demo_partnership_s_values_and_unknown_ones_reported(tmp_path, monkeypatch):
    module_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    html = html_of(show_page("my-module.ipynb", 1))
    assert f"Call {PREVENT_TEAM}, or" in html and "Call {{prevent_team}}" not in html
    assert "[who chairs or co-ordinates the local Channel panel: ask your safeguarding lead]" in html  # unset: what learners see
    assert "my-module.ipynb:cell 2: unknown placeholder {{prevent_tem}}" in html and "Errors" in html
    assert str(tmp_path) not in html


def test_does_a_page_show_only_its_own_problems(tmp_path, monkeypatch):
    module_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    first, last = html_of(show_page("my-module.ipynb", 1)), html_of(show_page("my-module.ipynb", 2))
    assert "the text says 70% to pass" not in first and "{{prevent_tem}}" not in last
    assert "my-module.ipynb:cell 4: warning: the text says 70% to pass but pass_mark is 80" in last and "Warnings" in last


def test_does_show_markdown_fill_placeholders_and_report_unknown_ones(tmp_path):
    (tmp_path / "dot.png").write_bytes(PNG)
    html = html_of(show_markdown("Call {{prevent_team}} or {{Prevent.Team}}.\n\n![A dot](dot.png)", tmp_path))
    assert PREVENT_TEAM in html and "the placeholder {{Prevent.Team}} is not a plain name" in html
    assert 'src="data:image/png;base64,' in html


def test_is_a_missing_file_explained_with_the_folder_paths_start_from(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    html = html_of(show_page("missing.ipynb"))
    assert f"file not found: missing.ipynb</strong> (the path is relative to the folder this notebook is in: {tmp_path})" in html
    assert "file not found: missing.ipynb" in html_of(show_outline("missing.ipynb"))
    assert "is a folder, not a notebook" in html_of(show_page("."))


def test_is_a_page_number_out_of_range_explained(tmp_path, monkeypatch):
    module_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    html = html_of(show_page("my-module.ipynb", 9))
    assert "There is no page 9</strong>: the module has 2 page(s), numbered 1 to 2" in html
    assert "<li>1: Welcome to Safer York Partnership</li><li>2: Assessment</li>" in html
    assert "whole number without quotes" in html_of(show_page("my-module.ipynb", "2"))
    assert "There is no page 0" in html_of(show_page("my-module.ipynb", 0))


def test_does_the_outline_show_every_page_and_its_questions(tmp_path, monkeypatch):
    module_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert "Outline of my-module.ipynb" in html_of(show_outline("my-module.ipynb"))
    monkeypatch.setattr(jupyter, "outline", lambda module: [PageOutline(1, "Welcome & hello", 2, 12), PageOutline(2, "Assessment", 4, 5, ["Question (one answer), cell 5"])])
    html = html_of(show_outline("my-module.ipynb"))
    assert "Welcome &amp; hello<br><small>from cell 2, 12 words</small>" in html and "<li>Question (one answer), cell 5</li>" in html
    assert "check finds 1 error(s) and 1 warning(s)" in html


def test_do_the_demo_values_have_one_home_shared_with_the_lms_demo():
    from lms.services.demo import PARTNERSHIPS

    for slug, (name, values) in DEMO_PARTNERSHIPS.items():
        assert PARTNERSHIPS[slug][0] == name and PARTNERSHIPS[slug][1] is values
    assert demo_values()["partnership_name"] == "Safer York Partnership"


# --- the documented install line, in a real kernel that is not this project's Python ----------------

@pytest.fixture(scope="module")
def trainer_kernel(tmp_path_factory) -> tuple[Path, Path]:
    """A fresh Python with only ipykernel (as a trainer's JupyterLab has), registered as a kernel; and a copy of the project."""
    root = tmp_path_factory.mktemp("trainer")
    project = root / "safer-learning"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    for package in ("authoring", "lms"):
        shutil.copytree(ROOT / package, project / package, ignore=shutil.ignore_patterns("__pycache__", "dist"))
    python = root / "jupyter-env" / "bin" / "python"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(root / "jupyter-env")], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "ipykernel"], check=True, timeout=300)
    spec = root / "jupyter" / "kernels" / "trainer"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                                  "display_name": "Trainer's Python", "language": "python"}))
    return root, project


def test_does_the_documented_install_line_make_the_helper_work_in_jupyter_s_own_kernel(trainer_kernel, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    root, project = trainer_kernel
    monkeypatch.setenv("JUPYTER_PATH", str(root / "jupyter"))
    course = tmp_path / "courses"
    module_folder(course)
    helper = new_notebook(cells=[
        new_code_cell("import importlib.util, sys\nprint(importlib.util.find_spec('authoring'), sys.prefix)"),
        new_code_cell(INSTALL_CELL.format(project=project)),
        new_code_cell("from authoring.jupyter import show_page, show_outline\nshow_page('my-module.ipynb', 1)"),
        new_code_cell("show_page('missing.ipynb')"),
        new_code_cell("show_outline('my-module.ipynb')"),
    ])
    NotebookClient(helper, kernel_name="trainer", timeout=300, resources={"metadata": {"path": str(course)}}).execute()
    nbformat.write(helper, str(course / "helper.ipynb"))  # kept beside the module, as a trainer's would be
    before, _install, page, missing, outline = (cell.outputs for cell in helper.cells)
    assert before[0]["text"].startswith("None ") and str(root / "jupyter-env") in before[0]["text"]  # the kernel lacked authoring
    page_html = page[0]["data"]["text/html"]
    assert "<h1>Welcome to Safer York Partnership</h1>" in page_html and PREVENT_TEAM in page_html
    assert 'src="data:image/png;base64,' in page_html and "unknown placeholder {{prevent_tem}}" in page_html
    assert f"file not found: missing.ipynb</strong> (the path is relative to the folder this notebook is in: {course})" in missing[0]["data"]["text/html"]
    assert "Outline of my-module.ipynb" in outline[0]["data"]["text/html"]
