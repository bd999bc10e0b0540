"""SCORM 1.2 export: one module as a single-SCO zip that any SCORM 1.2 LMS (Moodle, say) can run.

The package is one launch page holding every lesson page and the assessment, the module's images,
a small runtime script that talks to the LMS, the assessment rules it marks by, and imsmanifest.xml.
The runtime marks the assessment in the learner's browser, so the answer key travels inside the
package: see docs/interop.md. How many questions each outcome gives an attempt is worked out here, by
`authoring.assessment.allocate`, so the package draws as the LMS does.
Nothing here imports the notebook libraries: the LMS builds packages from stored versions too.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from authoring.assessment import AssessmentSettings, allocate
from authoring.kinds import kind_named
from authoring.placeholders import fill_placeholders
from authoring.scorm_links import open_links_in_new_tab, wrap_tables
from authoring.scorm_record import CHOICE_CHARACTERS, question_record

if TYPE_CHECKING:
    from markupsafe import Markup

    from authoring.module import Module

LAUNCH_PAGE = "index.html"
RUNTIME = "safer-learning-scorm.js"
MARKING = "safer-learning-marking.js"
RECORD = "safer-learning-record.js"
CONNECTION = "safer-learning-lms.js"
QUESTIONS = "safer-learning-questions.js"
STYLESHEET = "safer-learning.css"
MANIFEST = "imsmanifest.xml"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same module always gives the same bytes
CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATIONS = (f"{CP} imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd "
                    f"{ADLCP} adlcp_rootv1p2.xsd")
# The schemas the manifest names, and ims_xml.xsd that two of them import, at the root as ADL's packages carry
# them: control files of the package, not files of the SCO, so the resource does not list them.
SCHEMA_FILES = ("adlcp_rootv1p2.xsd", "ims_xml.xsd", "imscp_rootv1p1p2.xsd", "imsmd_rootv1p2p1.xsd")
# The notebook's own heading for a knowledge check, ending the block just before it: the package then adds none.
OWN_HEADING = re.compile(r"<h[1-6][^>]*>\s*Check your understanding\s*</h[1-6]>\s*\Z", re.IGNORECASE)


@dataclass
class PackageSource:
    """What a package is made from: one module version's pages, questions, answer key and images."""

    module_id: str
    title: str
    version: str
    pass_mark: int
    pages: list[dict]
    questions: list[dict]
    answer_key: dict[str, dict]
    assets: dict[str, bytes] = field(default_factory=dict)
    assessment: dict[str, Any] | None = None  # the version's settings["assessment"]; None: every question, every attempt

    @property
    def scored(self) -> list[dict]:
        return [q for q in self.questions if q["scored"]]


def source_from_module(module: Module) -> PackageSource:
    """A package source from a notebook just read by `authoring.load` (the build's own content)."""
    from authoring.bundle import bundle_contents

    manifest, key = bundle_contents(module)
    return PackageSource(manifest["id"], manifest["title"], manifest["version"], manifest["settings"]["pass_mark"],
                         manifest["pages"], manifest["questions"], key, {a.name: a.data for a in module.assets.values()},
                         manifest["settings"].get("assessment"))


def build_package(source: PackageSource, placeholder_values: dict[str, str] | None = None) -> bytes:
    """The zip's bytes; placeholders are filled with a partnership's values, or with a hint to ask locally."""
    if not source.scored:  # authoring refuses such a module; a package without an assessment could never be passed
        raise ValueError(f"module '{source.module_id}' has no scored questions, so it has no assessment to package")
    too_many = [q["id"] for q in source.questions if len(q["options"]) > len(CHOICE_CHARACTERS)]
    if too_many:  # SCORM 1.2 names a chosen option by one character, a-z or 0-9: the rest could not be saved or reported
        raise ValueError(f"question(s) {', '.join(too_many)} of module '{source.module_id}' have more than {len(CHOICE_CHARACTERS)} "
                         "options, which a SCORM 1.2 package cannot record: split the question or give it fewer options")
    files = package_files(source, placeholder_values or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in [MANIFEST, *sorted(n for n in files if n != MANIFEST)]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def write_package(source: PackageSource, out: Path, placeholder_values: dict[str, str] | None = None) -> Path:
    """Write the zip to `out` (created or replaced whole)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.partial")
    staging.write_bytes(build_package(source, placeholder_values))
    staging.replace(out)
    return out


def package_files(source: PackageSource, placeholder_values: dict[str, str]) -> dict[str, bytes]:
    """Every file of the package by its path inside the zip, the manifest included."""
    files = {
        LAUNCH_PAGE: launch_page(source, placeholder_values).encode("utf-8"),
        RUNTIME: _packaged(RUNTIME),
        MARKING: _packaged(MARKING),
        RECORD: _packaged(RECORD),
        CONNECTION: _packaged(CONNECTION),
        QUESTIONS: _packaged(QUESTIONS),
        STYLESHEET: _packaged(STYLESHEET),
        **{f"assets/{name}": data for name, data in source.assets.items()},
        **{name: _packaged(f"schemas/{name}") for name in SCHEMA_FILES},
    }
    files[MANIFEST] = manifest_xml(source, sorted(files))
    return files


def launch_page(source: PackageSource, placeholder_values: dict[str, str]) -> str:
    """The single page the LMS launches: every lesson page, then the assessment, plus the runtime's data."""
    from jinja2 import Environment, select_autoescape  # only exporting needs the template engine

    def fill(fragment: str) -> str:
        return wrap_tables(open_links_in_new_tab(fill_placeholders(fragment, placeholder_values, html.escape)))

    environment = Environment(autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    environment.filters["lesson"] = lambda fragment: _markup(fill(fragment))
    template = environment.from_string(_packaged("launch.html.j2").decode("utf-8"))
    questions = {q["id"]: q for q in source.questions}
    kinds = {q["kind"]: kind_named(q["kind"]) for q in source.questions}
    data = {"passMark": source.pass_mark, "pageCount": len(source.pages), "version": source.version[:12],
            "key": {qid: {"correct": k["correct"], "feedback": {o: fill(f) for o, f in k["feedback"].items()}}
                    for qid, k in source.answer_key.items()},
            "kinds": {name: {"inputType": kind.input_type, "shufflesOptions": kind.shuffles_options} for name, kind in kinds.items()},
            "questions": {q["id"]: question_record(q) for q in source.questions},
            "draw": draw_plan(source)}
    return template.render(
        source=source, pages=source.pages, questions=questions, kinds=kinds, introduced=introduced_checks(source.pages), runtime=RUNTIME, marking=MARKING, record=RECORD, connection=CONNECTION, questions_script=QUESTIONS,
        stylesheet=STYLESHEET, scored=source.scored,
        data=_markup(json.dumps(data, sort_keys=True, ensure_ascii=False).replace("<", "\\u003c")),
    )


def introduced_checks(pages: list[dict]) -> set[str]:
    """Knowledge checks straight after the notebook's own 'Check your understanding' heading, which need no second one."""
    found = set()
    for page in pages:
        for before, block in zip(page["blocks"], page["blocks"][1:], strict=False):
            if block["type"] != "html" and before["type"] == "html" and OWN_HEADING.search(before["html"]):
                found.add(block["id"])
    return found


def draw_plan(source: PackageSource) -> list[dict]:
    """Each outcome's scored questions, in notebook order, and how many of them one attempt asks.

    The counts come from `allocate` at build time, so the runtime only has to pick that many at random
    from each group, as the LMS draws from the same pool.
    """
    groups: dict[str, list[str]] = {}
    for question in source.scored:
        groups.setdefault(question.get("outcome", ""), []).append(question["id"])
    size = len(source.scored)
    wanted = AssessmentSettings.from_dict(source.assessment).questions
    counts = allocate({outcome: len(ids) for outcome, ids in groups.items()}, min(wanted, size) if wanted else size)
    return [{"outcome": outcome, "ask": counts[outcome], "questions": ids} for outcome, ids in groups.items()]


def manifest_xml(source: PackageSource, file_names: list[str]) -> bytes:
    """imsmanifest.xml for SCORM 1.2: one organisation, one item, one SCO listing every file it uses."""
    ET.register_namespace("", CP)
    ET.register_namespace("adlcp", ADLCP)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(f"{{{CP}}}manifest", {"identifier": f"safer-learning-{source.module_id}", "version": source.version[:12],
                                              f"{{{XSI}}}schemaLocation": SCHEMA_LOCATIONS})
    metadata = ET.SubElement(root, f"{{{CP}}}metadata")
    ET.SubElement(metadata, f"{{{CP}}}schema").text = "ADL SCORM"
    ET.SubElement(metadata, f"{{{CP}}}schemaversion").text = "1.2"
    organisations = ET.SubElement(root, f"{{{CP}}}organizations", {"default": "organisation"})
    organisation = ET.SubElement(organisations, f"{{{CP}}}organization", {"identifier": "organisation"})
    ET.SubElement(organisation, f"{{{CP}}}title").text = source.title
    item = ET.SubElement(organisation, f"{{{CP}}}item", {"identifier": "item", "identifierref": "sco", "isvisible": "true"})
    ET.SubElement(item, f"{{{CP}}}title").text = source.title
    resources_element = ET.SubElement(root, f"{{{CP}}}resources")
    resource = ET.SubElement(resources_element, f"{{{CP}}}resource", {
        "identifier": "sco", "type": "webcontent", f"{{{ADLCP}}}scormtype": "sco", "href": LAUNCH_PAGE})
    for name in [n for n in file_names if n != MANIFEST and n not in SCHEMA_FILES]:
        ET.SubElement(resource, f"{{{CP}}}file", {"href": name})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _packaged(name: str) -> bytes:
    return resources.files("authoring").joinpath("scorm_package", name).read_bytes()


def _markup(text: str) -> Markup:
    from markupsafe import Markup  # imported with the template engine, only when exporting

    return Markup(text)  # noqa: S704 - lesson HTML was sanitised at build time; placeholder values are escaped
