"""Does `authoring build` turn notebooks into the same bundle every time, skip what is unchanged, and write nothing broken?"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from authoring import build
from tests.builders import MULTI_QUESTION, QUESTION, write_notebook
from tests.conftest import ROOT
from tests.numbered_notebook import NUMBERED_OPTIONS, write_numbered_notebook

PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".build-index.json"}


def test_is_the_same_notebook_built_to_identical_bytes(tmp_path):
    first = build([ROOT / "courses"], tmp_path / "a")
    build([ROOT / "courses"], tmp_path / "b")
    assert len(first.built) == 5 and not first.failed
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_does_the_manifest_hold_pages_and_questions_but_no_answers(tmp_path):
    build([ROOT / "tests" / "data" / "tiny-module"], tmp_path)
    manifest = json.loads((tmp_path / "tiny-module" / "manifest.json").read_text())
    key = json.loads((tmp_path / "tiny-module" / "answer-key.json").read_text())
    assert {"id", "title", "version", "pages", "questions"} <= set(manifest)
    assert manifest["id"] == "tiny-module" and len(manifest["pages"]) == 2 and len(manifest["questions"]) == 2
    text = json.dumps(manifest)
    assert "correct" not in text and "feedback" not in text and "[x]" not in text
    assert set(key) == {q["id"] for q in manifest["questions"]}
    assert all(key[q]["correct"] for q in key)


def test_is_an_unchanged_notebook_skipped_and_a_changed_one_rebuilt(tmp_path):
    source = write_notebook(tmp_path / "src" / "m.ipynb", "# Page\n\nText.", "# Assessment", QUESTION)
    assert len(build([source], tmp_path / "out").built) == 1
    again = build([source], tmp_path / "out")
    assert again.skipped == [source] and not again.built
    old_version = json.loads((tmp_path / "out" / "tiny-module" / "manifest.json").read_text())["version"]
    write_notebook(source, "# Page\n\nChanged text.", "# Assessment", QUESTION)
    rebuilt = build([source], tmp_path / "out")
    assert len(rebuilt.built) == 1
    assert json.loads((tmp_path / "out" / "tiny-module" / "manifest.json").read_text())["version"] != old_version


def test_does_a_changed_image_next_to_the_notebook_trigger_a_rebuild(tmp_path):
    import base64

    image = tmp_path / "src" / "dot.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(base64.b64decode(PIXEL))
    source = write_notebook(tmp_path / "src" / "m.ipynb", "# Page\n\n![A dot](dot.png)", "# Assessment", QUESTION)
    build([source], tmp_path / "out")
    image.write_bytes(base64.b64decode(PIXEL) + b"\0")
    assert len(build([source], tmp_path / "out").built) == 1


def test_does_a_broken_notebook_write_nothing_and_keep_the_last_good_build(tmp_path):
    source = write_notebook(tmp_path / "src" / "m.ipynb", "# Page\n\nText.", "# Assessment\n\nGo.", QUESTION)
    build([source], tmp_path / "out")
    before = tree(tmp_path / "out")
    write_notebook(source, "# Page\n\nText.", "# Assessment\n\nGo.", "### Question\n\nWhich?\n\n- [ ] A\n- [ ] B")
    report = build([source], tmp_path / "out")
    assert report.failed == [source] and not report.built
    assert any("has no correct answer" in str(p) for p in report.problems)
    assert tree(tmp_path / "out") == before


def test_is_any_valid_notebook_built_with_derived_settings(tmp_path):
    notebook = new_notebook(cells=[
        new_markdown_cell("Some notes with maths $E = mc^2$ and no heading."),
        new_code_cell("print('hello')", outputs=[new_output("stream", name="stdout", text="hello\n"),
                                                 new_output("execute_result", data={"text/plain": "42"}, execution_count=1)]),
        new_raw_cell("raw text for another tool"),
        new_markdown_cell("## A chart\n\n![A grey dot](attachment:dot.png)"),
        new_markdown_cell(QUESTION),  # every module needs an assessment: a learner completes it by passing
    ])
    notebook.cells[3].attachments = {"dot.png": {"image/png": PIXEL}}
    path = tmp_path / "Data Analysis Notes.ipynb"
    nbformat.write(notebook, str(path))
    report = build([path], tmp_path / "out")
    assert not report.failed and len(report.built) == 1
    assert all(not p.is_error for p in report.problems)
    assert any("no settings cell" in str(p) for p in report.problems)
    manifest = json.loads((tmp_path / "out" / "data-analysis-notes" / "manifest.json").read_text())
    assert manifest["title"] == "Data analysis notes"
    html = json.dumps(manifest["pages"])
    assert "hello" in html and "42" in html and "raw text for another tool" not in html
    assert "E = mc^2" in html
    assert len(list((tmp_path / "out" / "data-analysis-notes" / "assets").iterdir())) == 1


def test_does_the_build_command_report_and_exit_non_zero_on_failure(tmp_path):
    good = write_notebook(tmp_path / "src" / "good.ipynb", "# Page\n\nText.", "# Assessment\n\nGo.", MULTI_QUESTION)
    bad = tmp_path / "src" / "bad.ipynb"
    bad.write_text("{not json")
    result = subprocess.run([sys.executable, "-m", "authoring.cli", "build", str(tmp_path / "src"), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{bad}: the notebook is not valid JSON" in result.stdout
    assert "built 1, unchanged 0, failed 1" in result.stderr
    assert (tmp_path / "out" / "tiny-module" / "manifest.json").is_file()
    assert "Traceback" not in result.stdout + result.stderr
    assert good.exists()


def test_do_answers_that_begin_with_a_number_stay_words_not_numbered_lists(tmp_path):
    report = build([write_numbered_notebook(tmp_path / "src" / "numbers.ipynb")], tmp_path / "out")
    assert report.built and not report.failed, report.problems
    manifest = json.loads((tmp_path / "out" / "numbers-module" / "manifest.json").read_text())
    assert NUMBERED_OPTIONS <= {o["html"] for q in manifest["questions"] for o in q["options"]}
    assert manifest["pages"][0]["title"] == "1. Spotting abuse"
    shown = json.dumps(manifest["questions"]) + json.dumps([p["title"] for p in manifest["pages"]])
    assert "<ol" not in shown and "<li" not in shown and "start=" not in shown
    key = json.loads((tmp_path / "out" / "numbers-module" / "answer-key.json").read_text())
    assert key["emergency-number"]["feedback"], "the feedback under a numbered answer is still read"


def test_does_a_short_text_that_looks_like_a_block_stay_one_line_of_words(tmp_path):
    check = "### Knowledge check\n\nWhich sign is on the form?\n\n- [x] - a dash\n  > Yes.\n- [ ] # a hash\n  > No.\n- [ ] * a star\n  > No."
    source = write_notebook(tmp_path / "src" / "signs.ipynb", "# Page\n\nText.", check, "# Assessment", QUESTION)
    report = build([source], tmp_path / "out")
    assert report.built and not report.failed, report.problems
    manifest = json.loads((tmp_path / "out" / "tiny-module" / "manifest.json").read_text())
    check_options = [o["html"] for q in manifest["questions"] if not q["scored"] for o in q["options"]]
    assert check_options == ["- a dash", "# a hash", "* a star"]
