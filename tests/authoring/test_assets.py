"""Are images judged by their bytes, SVGs that could run or fetch refused, and paths kept inside the notebook's folder?"""

from __future__ import annotations

import base64

import pytest

from authoring import build, check
from authoring.assets import asset_problem, is_inside_path, is_safe_name, media_type
from tests.builders import QUESTION, write_notebook

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
PLAIN_SVG = b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><circle id="c" r="4"/></defs><use href="#c" fill="url(#g)"/></svg>'


@pytest.mark.parametrize(("data", "expected"), [
    (PNG, "image/png"), (b"\xff\xd8\xff\xe0rest", "image/jpeg"), (b"GIF89a....", "image/gif"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"), (PLAIN_SVG, "image/svg+xml"),
    (b"<html><script>alert(1)</script></html>", None), (b"%PDF-1.7", None), (b"", None),
])
def test_is_an_image_recognised_by_its_bytes_not_its_name(data, expected):
    assert media_type(data) == expected


@pytest.mark.parametrize(("svg", "reason"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script> element"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>', "<foreignObject> element"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler (onload)"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><image x:href="https://evil.example/t.png"/></svg>', "refers to something outside it"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>', "refers to something outside it"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/x.css);</style></svg>', "style loads something"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(https://evil.example/p)"/></svg>', "refers to something outside it"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "DOCTYPE or entities"),
    (b'<?xml version="1.0"?><?xml-stylesheet href="https://evil.example/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>', "processing instruction"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "not well-formed XML"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: u\\72l(https://evil.example/p) }</style></svg>', "CSS escapes"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: u\\72l(https://evil.example/p)"/></svg>', "refers to something outside it"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><style><g/>rect{fill:url(https://evil.example/a.svg#p)}</style></svg>', "style loads"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="u\\72l(https://evil.example/a.svg#p)"/></svg>', "refers to something outside it"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><style>svg{background-image:image-set("https://evil.example/x.png" 1x)}</style></svg>',
     "style loads"),
])
def test_is_an_svg_that_could_run_or_fetch_something_refused(svg, reason):
    assert reason in (asset_problem(svg) or ""), asset_problem(svg)


def test_is_a_plain_svg_drawing_accepted():
    assert asset_problem(PLAIN_SVG) is None and asset_problem(PNG) is None


@pytest.mark.parametrize("name", ["../x.png", "/etc/passwd", "a\\b.png", "%2e%2e%2fx.png", "x\0.png", ".hidden.png", "a/b.png", ""])
def test_does_an_asset_name_that_could_leave_its_folder_fail(name):
    assert not is_safe_name(name)


@pytest.mark.parametrize("url", ["../secret.png", "images/../../secret.png", "/etc/secret.png", "..\\secret.png",
                                 "%2e%2e/secret.png", "%252e%252e/secret.png", "images%2f..%2f..%2fsecret.png", "C:/secret.png", "a\0.png"])
def test_does_a_link_that_could_leave_the_notebook_folder_fail(url):
    assert not is_inside_path(url)


def _errors(tmp_path, cell: str) -> list[str]:
    path = write_notebook(tmp_path / "src" / "m.ipynb", cell, "# Assessment\n\nGo.", QUESTION)
    return [str(p) for p in check([path]) if p.is_error]


@pytest.mark.parametrize("url", ["../secret.png", "images/../../secret.png", "%2e%2e/secret.png", "..\\secret.png"])
def test_is_an_image_outside_the_notebooks_folder_reported_with_its_cell(tmp_path, url):
    (tmp_path / "secret.png").write_bytes(PNG)
    (tmp_path / "src" / "images").mkdir(parents=True)
    errors = _errors(tmp_path, f"# Page\n\n![A dot]({url})")
    where = f"{tmp_path / 'src' / 'm.ipynb'}:cell 2: the image '"  # Markdown writes a backslash as %5C
    assert any(e.startswith(where) and "' is outside the notebook's folder — move the image into the notebook's folder" in e for e in errors), errors


def test_is_a_symlink_out_of_the_folder_reported(tmp_path):
    (tmp_path / "secret.png").write_bytes(PNG)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "dot.png").symlink_to(tmp_path / "secret.png")
    assert any("cell 2: the image 'dot.png' is outside the notebook's folder" in e for e in _errors(tmp_path, "# Page\n\n![A dot](dot.png)"))


def test_is_a_web_page_saved_as_png_reported(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "chart.png").write_bytes(b"<html><script>alert(1)</script></html>")
    errors = _errors(tmp_path, "# Page\n\n![A chart](chart.png)")
    assert any("cell 2: 'chart.png' is not a PNG, JPEG, GIF, WebP or SVG image (judged by its content, not its name) — save the image again" in e
               for e in errors), errors


def test_is_an_svg_with_script_reported_and_a_plain_one_built(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bad.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    (tmp_path / "src" / "good.svg").write_bytes(PLAIN_SVG)
    assert any("cell 2: 'bad.svg' is an SVG with a <script> element" in e for e in _errors(tmp_path, "# Page\n\n![A chart](bad.svg)"))
    source = write_notebook(tmp_path / "src" / "m.ipynb", "# Page\n\n![A chart](good.svg)", "# Assessment\n\nGo.", QUESTION)
    assert build([source], tmp_path / "out").built


def test_is_a_link_to_another_path_of_the_site_reported(tmp_path):
    errors = _errors(tmp_path, "# Page\n\nSee [your account](../../admin/users).")
    assert any("cell 2: the link '../../admin/users' points at a path on this site, outside the lesson — link to a full web address" in e
               for e in errors), errors
