"""Do learners see a code cell's saved outputs (text, images with alt text) and never its code, and is
everything else (rich output, errors, missing alt text, the trainer's preview helper) reported or left out?"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from authoring import build, check
from authoring.assets import ASSET_FIX
from authoring.sanitise import sanitise
from tests.builders import QUESTION, settings_cell, write_notebook

PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
JPEG_B64 = base64.b64encode(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00rest of a photo").decode()
PLAIN_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="4" fill="#1d70b8"/></svg>'
CHART_CODE = """# Alt text: A bar chart of hate crime reports by month, rising from 12 in January to 30 in June
import matplotlib.pyplot as plt
months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
plt.bar(months, [12, 15, 19, 22, 27, 30])"""
ALT = "A bar chart of hate crime reports by month, rising from 12 in January to 30 in June"
LESSON = "# Reports in York\n\nThe number of reports has grown this year."
ASSESSMENT = "# Assessment\n\nAnswer the question."


def chart_outputs(image: dict | None = None) -> list:
    """What JupyterLab saves under a matplotlib cell: the call's return value, then the figure."""
    return [
        new_output("execute_result", {"text/plain": "<BarContainer object of 6 artists>"}, execution_count=3),
        new_output("display_data", image or {"image/png": PNG_B64, "text/plain": "<Figure size 640x480 with 1 Axes>"}),
    ]


def write_module(path: Path, *code_cells: nbformat.NotebookNode, before: tuple[str, ...] = (LESSON,)) -> Path:
    """A complete module: settings, a lesson page holding the code cells, then an assessment."""
    notebook = new_notebook(cells=[new_raw_cell(settings_cell()), *map(new_markdown_cell, before), *code_cells,
                                   new_markdown_cell(ASSESSMENT), new_markdown_cell(QUESTION)])
    nbformat.write(notebook, str(path))
    return path


def problems_for(path: Path) -> list[str]:
    return [str(p) for p in check([path])]


def built_page(tmp_path: Path, path: Path, number: int = 1) -> tuple[dict, dict]:
    """(the page as the bundle gives it to learners, the whole manifest)."""
    report = build([path], tmp_path / "out")
    assert report.built, [str(p) for p in report.problems]
    manifest = json.loads((tmp_path / "out" / "tiny-module" / "manifest.json").read_text(encoding="utf-8"))
    return manifest["pages"][number - 1], manifest


def html_blocks(page: dict) -> list[str]:
    return [block["html"] for block in page["blocks"] if block["type"] == "html"]


def test_does_a_chart_show_learners_its_image_with_alt_text_and_never_its_code(tmp_path):
    path = write_module(tmp_path / "m.ipynb", new_code_cell(CHART_CODE, outputs=chart_outputs(), execution_count=3))
    assert problems_for(path) == []
    page, manifest = built_page(tmp_path, path)
    [asset] = manifest["assets"]
    assert asset["media_type"] == "image/png" and asset["name"].endswith("-output.png")
    assert html_blocks(page)[1] == f'<div class="sl-output"><img class="sl-image" src="assets/{asset["name"]}" alt="{ALT}"></div>'
    assert (tmp_path / "out" / "tiny-module" / "assets" / asset["name"]).read_bytes() == base64.b64decode(PNG_B64)
    shown = json.dumps(manifest)
    for code in ("import matplotlib", "plt.bar", "Alt text:", "BarContainer", "Figure size"):
        assert code not in shown
    assert sanitise(html_blocks(page)[1]) == html_blocks(page)[1]  # publishing refuses fragments the sanitiser would change


def test_is_the_value_a_plotting_call_returns_left_out_next_to_its_chart(tmp_path):
    outputs = [new_output("execute_result", {"text/plain": "Text(0.5, 1.0, 'Reports by month')"}, execution_count=5),
               new_output("display_data", {"image/png": PNG_B64, "text/plain": "<Figure size 640x480 with 1 Axes>"})]
    path = write_module(tmp_path / "m.ipynb", new_code_cell(CHART_CODE + "\nplt.title('Reports by month')", outputs=outputs))
    assert problems_for(path) == []
    page, manifest = built_page(tmp_path, path)
    assert html_blocks(page)[1] == f'<div class="sl-output"><img class="sl-image" src="assets/{manifest["assets"][0]["name"]}" alt="{ALT}"></div>'


def test_is_a_chart_without_alt_text_an_error_showing_the_line_to_add(tmp_path):
    path = write_module(tmp_path / "m.ipynb", new_code_cell(CHART_CODE.split("\n", 1)[1], outputs=chart_outputs()))
    assert problems_for(path) == [
        f"{path}:cell 3: the image this code cell shows has no alt text — add this line at the top of the cell, saying what the image "
        "shows: # Alt text: <what the image shows> (or '# Alt text: decorative' for an image that only decorates)"]
    assert build([path], tmp_path / "out").failed == [path]


def test_is_an_empty_alt_text_line_an_error(tmp_path):
    path = write_module(tmp_path / "m.ipynb", new_code_cell("# Alt text:\nplt.show()", outputs=chart_outputs()))
    assert problems_for(path) == [f"{path}:cell 3: the image this code cell shows has no alt text — add this line at the top of the cell, saying what the image "
                                  "shows: # Alt text: <what the image shows> (or '# Alt text: decorative' for an image that only decorates)"]


def test_is_a_decorative_output_image_given_empty_alt_text(tmp_path):
    path = write_module(tmp_path / "m.ipynb", new_code_cell("# alt text: decorative\nplt.show()", outputs=chart_outputs()))
    assert problems_for(path) == []
    page, manifest = built_page(tmp_path, path)
    assert html_blocks(page)[1] == f'<div class="sl-output"><img class="sl-image" src="assets/{manifest["assets"][0]["name"]}" alt=""></div>'


def test_does_each_image_take_its_own_alt_line_in_order(tmp_path):
    outputs = [new_output("display_data", {"image/jpeg": JPEG_B64}), new_output("display_data", {"image/svg+xml": PLAIN_SVG})]
    cell = new_code_cell("# Alt text: A photo of the city centre\n# Alt text: The partnership's logo\nshow_pictures()", outputs=outputs)
    path = write_module(tmp_path / "m.ipynb", cell)
    assert problems_for(path) == []
    page, manifest = built_page(tmp_path, path)
    names = {a["media_type"]: a["name"] for a in manifest["assets"]}
    assert set(names) == {"image/jpeg", "image/svg+xml"}
    assert html_blocks(page)[1] == (f'<div class="sl-output"><img class="sl-image" src="assets/{names["image/jpeg"]}" alt="A photo of the city centre"></div>\n'
                                    f'<div class="sl-output"><img class="sl-image" src="assets/{names["image/svg+xml"]}" alt="The partnership\'s logo"></div>')


def test_are_two_images_with_one_alt_line_one_error(tmp_path):
    outputs = [new_output("display_data", {"image/png": PNG_B64}), new_output("display_data", {"image/png": PNG_B64})]
    path = write_module(tmp_path / "m.ipynb", new_code_cell("# Alt text: A chart\ndraw_two()", outputs=outputs))
    assert problems_for(path) == [f"{path}:cell 3: this code cell shows 2 image(s) but has 1 '# Alt text:' line(s) — write one line per image "
                                  "at the top of the cell, in the order the images appear: # Alt text: <what the image shows>"]


def test_is_an_alt_line_without_a_saved_image_an_error(tmp_path):
    cell = new_code_cell("# Alt text: A chart of reports\nplt.bar(months, counts)", outputs=[new_output("stream", name="stdout", text="Done\n")])
    path = write_module(tmp_path / "m.ipynb", cell)
    assert problems_for(path) == [f"{path}:cell 3: this code cell has an '# Alt text:' line but its saved output has no image — run the cell in "
                                  "JupyterLab and save, so its image is saved with it; or remove the line"]


@pytest.mark.parametrize(("image", "expected"), [
    ({"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'}, "is an SVG with a <script> element"),
    ({"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/t.png"/></svg>'},
     "is an SVG that refers to something outside it (href=\"https://evil.example/t.png\")"),
    ({"image/png": base64.b64encode(b"<html><script>alert(1)</script></html>").decode()},
     "is not a PNG, JPEG, GIF, WebP or SVG image (judged by its content, not its name)"),
    ({"image/png": "not base64 at all!"}, "is not a PNG, JPEG, GIF, WebP or SVG image (judged by its content, not its name)"),
])
def test_is_an_output_image_judged_by_the_same_rules_as_every_other_image(tmp_path, image, expected):
    path = write_module(tmp_path / "m.ipynb", new_code_cell("# Alt text: A chart\nplt.show()", outputs=[new_output("display_data", image)]))
    assert problems_for(path) == [f"{path}:cell 3: the image in this code cell's output {expected} — {ASSET_FIX}"]
    assert build([path], tmp_path / "out").failed == [path]


def test_is_printed_text_shown_as_preformatted_text_without_the_code(tmp_path):
    outputs = [new_output("stream", name="stdout", text="Reports in 2024: 214\n"),
               new_output("stream", name="stdout", text="Solved: \x1b[1m<50%\x1b[0m\n"),
               new_output("stream", name="stderr", text="FutureWarning: this will change in pandas 3\n"),
               new_output("execute_result", {"text/plain": "'Figures from North Yorkshire Police'"}, execution_count=1)]
    path = write_module(tmp_path / "m.ipynb", new_code_cell('print("Reports in 2024:", 214)\nprint("Solved: <50%")\n"Figures from North Yorkshire Police"',
                                                             outputs=outputs))
    assert problems_for(path) == []
    page, _ = built_page(tmp_path, path)
    assert html_blocks(page)[1] == (
        '<div class="sl-output"><pre class="sl-code"><code>Reports in 2024: 214\nSolved: &lt;50%</code></pre></div>\n'
        "<div class=\"sl-output\"><pre class=\"sl-code\"><code>'Figures from North Yorkshire Police'</code></pre></div>")
    assert "print(" not in json.dumps(page) and "FutureWarning" not in json.dumps(page)
    assert sanitise(html_blocks(page)[1]) == html_blocks(page)[1]


def test_is_html_output_refused_once_for_the_cell(tmp_path):
    table = {"text/html": "<div><table class=\"dataframe\"><tr><th>Month</th><th>Reports</th></tr></table></div>",
             "text/plain": "  Month  Reports\n0   Jan       12"}
    cell = new_code_cell("df = pd.read_csv('reports.csv')\ndf\ndisplay(df)",
                         outputs=[new_output("display_data", table), new_output("execute_result", table, execution_count=2)])
    path = write_module(tmp_path / "m.ipynb", cell)
    assert problems_for(path) == [
        f"{path}:cell 3: this code cell's saved output holds HTML (such as a table from pandas), which learners cannot be shown (only text and "
        "images from code cells are) — write it in a Markdown cell instead (a table can be pasted from a spreadsheet), or change the code to "
        "print text or draw an image, then run the cell again and save"]
    assert build([path], tmp_path / "out").failed == [path]


def test_are_widgets_and_javascript_named_in_one_message(tmp_path):
    outputs = [new_output("display_data", {"application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
                                           "text/plain": "IntSlider(value=3)"}),
               new_output("display_data", {"application/javascript": "alert(1)"}),
               new_output("display_data", {"application/vnd.plotly.v1+json": {"data": []}, "image/png": PNG_B64})]
    path = write_module(tmp_path / "m.ipynb", new_code_cell("# Alt text: A chart\nslider", outputs=outputs))
    found = problems_for(path)
    assert len(found) == 2  # the refusal, and the alt line whose image cannot be shown
    assert found[0] == (f"{path}:cell 3: this code cell's saved output holds an interactive widget, JavaScript and 'application/vnd.plotly.v1+json', "
                        "which learners cannot be shown (only text and images from code cells are) — write it in a Markdown cell instead (a table "
                        "can be pasted from a spreadsheet), or change the code to print text or draw an image, then run the cell again and save")


def test_is_a_saved_error_an_error_saying_how_to_fix_it(tmp_path):
    outputs = [new_output("error", ename="FileNotFoundError", evalue="[Errno 2] No such file or directory: 'reports.csv'",
                          traceback=["\x1b[0;31m---------------------------------------------------------------------------\x1b[0m"])]
    path = write_module(tmp_path / "m.ipynb", new_code_cell("# Alt text: A chart\ndf = pd.read_csv('reports.csv')", outputs=outputs))
    found = problems_for(path)
    assert found[0] == (f"{path}:cell 3: this code cell stopped with an error when it was last run (FileNotFoundError: [Errno 2] No such file or "
                        "directory: 'reports.csv'), so learners would miss what it shows — fix the code, run the cell again in JupyterLab and save; "
                        "or delete the cell")
    assert len(found) == 2 and "'# Alt text:' line but its saved output has no image" in found[1]
    assert build([path], tmp_path / "out").failed == [path]


@pytest.mark.parametrize("outputs", [[], [new_output("stream", name="stderr", text="Matplotlib is building the font cache; this may take a moment.\n")]])
def test_is_a_code_cell_that_shows_nothing_a_warning(tmp_path, outputs):
    path = write_module(tmp_path / "m.ipynb", new_code_cell("import pandas as pd\ndf = pd.read_csv('reports.csv')", outputs=outputs))
    assert problems_for(path) == [f"{path}:cell 3: warning: this code cell shows learners nothing (its code is never shown) — "
                                  "run it in JupyterLab and save, or delete it"]
    page, _ = built_page(tmp_path, path)
    assert html_blocks(page) == ['<p class="govuk-body">The number of reports has grown this year.</p>\n']


def test_is_an_empty_code_cell_left_out_quietly(tmp_path):
    path = write_module(tmp_path / "m.ipynb", new_code_cell(""))
    assert problems_for(path) == []


def preview_output(tmp_path: Path) -> dict:
    """What JupyterLab saves under `show_page(...)`: the trainer's preview of the assessment page, answer key and all."""
    from authoring.jupyter import show_page

    saved = write_notebook(tmp_path / "preview-source" / "m.ipynb", LESSON, ASSESSMENT, QUESTION)
    preview = show_page(saved, 2)
    html = preview._repr_html_()
    assert "Answer key and feedback" in html and "They know the local routes." in html
    return {"text/html": html, "text/plain": repr(preview)}


@pytest.mark.parametrize("source", [
    'from authoring.jupyter import show_page, show_markdown\nshow_page("m.ipynb", 2)   # page 2 as learners will see it',
    'import authoring.jupyter as preview\npreview.show_page("m.ipynb", 2)',
    'show_page("m.ipynb", 2)',  # imported in an earlier cell
    "from authoring import jupyter\njupyter.show_page('m.ipynb', 2)",
    "helper(2)",  # whatever the code, the saved output is a Safer Learning preview
])
def test_is_the_preview_helper_cell_left_out_with_its_answer_key(tmp_path, source):
    saved = preview_output(tmp_path)
    cell = new_code_cell(source, outputs=[new_output("execute_result", saved, execution_count=4)], execution_count=4)
    path = write_module(tmp_path / "m.ipynb", cell)
    assert problems_for(path) == []
    page, manifest = built_page(tmp_path, path)
    assert html_blocks(page) == ['<p class="govuk-body">The number of reports has grown this year.</p>\n']
    shown = json.dumps(manifest)
    for leak in ("Answer key", "They know the local routes", "show_page", "safer-learning-preview", "Preview("):
        assert leak not in shown


def test_is_a_pip_install_cell_left_out(tmp_path):
    cell = new_code_cell("%pip install /home/trainer/safer-learning", outputs=[
        new_output("stream", name="stdout", text="Processing /home/trainer/safer-learning\nSuccessfully installed safer-learning-0.1\n")])
    path = write_module(tmp_path / "m.ipynb", cell)
    assert problems_for(path) == []
    page, _ = built_page(tmp_path, path)
    assert "Successfully installed" not in json.dumps(page)
