"""Reading a built module bundle back from disk and verifying it, before publishing trusts any of it.

A bundle on disk is trusted for nothing. Anyone who can write the build folder could plant script,
a file that is not an image or a made-up answer key, and recompute the version hash to match: the
hash only proves the parts agree with each other. So every bundle is read back and checked here with
the rules authoring uses (one home each): the shape `authoring build` writes (no key it never writes,
since questions are stored as they are and learners' pages and exports read them), each kind's answer
rules (authoring.kinds), the settings and question pool rules (authoring.assessment), scored questions
only on the last page and no empty page, the sanitiser on every lesson fragment, safe asset names,
images judged by their bytes, and a notebook name that is a plain one-line file name. Values quoted
in a refusal are escaped and cut short, so a bundle cannot write into the trainer's terminal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from authoring.assessment import AssessmentSettings, pool_problems
from authoring.assets import asset_problem, is_safe_name, media_type
from authoring.bundle import ANSWER_KEY, BUNDLE_FORMAT, MANIFEST, content_version
from authoring.kinds import BY_NAME
from authoring.language import is_language_tag
from authoring.problems import ProblemList
from authoring.sanitise import sanitise
from authoring.settings import REQUIRED, Settings, parse_settings

CONTENT_KEYS = ("settings", "pages", "questions", "assets")
REBUILD = "build the module again from its notebook with 'authoring build', then publish the new folder"
IMAGE_FIX = "use a PNG, JPEG, GIF or WebP image, or a plain SVG drawing without script or links; then " + REBUILD
SHAPE = "is not shaped as 'authoring build' writes it"
MAX_FILE_BYTES = 20 * 1024 * 1024
# The keys `authoring build` writes (authoring.module.render_question less the answer key's): anything
# else would be stored in version.questions, which learners' pages and interop exports read.
QUESTION_FIELDS = {"kind": str, "label": str, "multiple": bool, "scored": bool, "stem": str, "case_study": str, "options": list}
QUESTION_KEYS = {"id", "outcome", *QUESTION_FIELDS}
OPTION_KEYS = {"id", "html"}
KEY_ENTRY_KEYS = {"correct", "feedback"}
PAGE_KEYS = {"number", "title", "blocks", "lang"}
BLOCK_KEYS = {"html": {"type", "html"}, "question": {"type", "id"}}
MAX_SOURCE = 255
SHOWN = 40  # characters of a refused value a message shows

class PublishError(Exception):
    """A bundle that cannot be published; nothing was changed."""


@dataclass
class Bundle:
    """A built module read back from disk and verified: shape, hash, settings, sanitised HTML, images.

    `settings` are the manifest's with the defaults of settings it predates filled in (what is stored).
    """

    manifest: dict
    answer_key: dict
    assets: dict[str, tuple[str, bytes]]
    settings: dict = field(default_factory=dict)
    folder: Path = Path()

    @property
    def content(self) -> dict:
        return {k: self.manifest[k] for k in CONTENT_KEYS}

    @property
    def source(self) -> str:
        """The notebook's file name, or "" for a bundle built before bundles recorded it."""
        return self.manifest.get("source", "")


def _refuse(folder: Path, file: str, where: str, what: str, fix: str = REBUILD) -> PublishError:
    """An error in the house style: the module folder and file, where in it, what is wrong, what to do."""
    return PublishError(f"{printable(str(folder / file))}: {where + ': ' if where else ''}{what} — {fix}")


def printable(text: str) -> str:
    """Text for a message with control and format characters (newlines, terminal escapes) shown escaped."""
    return "".join(ascii(ch)[1:-1] if unicodedata.category(ch).startswith("C") else ch for ch in text)


def shown(value: object) -> str:
    """A refused value for a message: quoted, escaped, and cut to its first SHOWN characters."""
    text = value if isinstance(value, str) else repr(value)
    return repr(text[:SHOWN]) + ("…" if len(text) > SHOWN else "")


def source_problem(source: object) -> str | None:
    """What is wrong with a bundle's notebook name (outside the version hash), or None for a plain file name."""
    if not isinstance(source, str) or not source:
        return "the notebook's name is not a file name"
    if len(source) > MAX_SOURCE or not source.endswith(".ipynb"):
        return f"the notebook's name {shown(source)} is not a notebook's file name ending in .ipynb, of at most {MAX_SOURCE} characters"
    if any(unicodedata.category(ch).startswith("C") for ch in source) or "/" in source or "\\" in source:
        return f"the notebook's name {shown(source)} holds a line break, a control character or a folder separator"
    return None


def bundle_dirs(path: Path) -> list[Path]:
    """A module folder, or every module folder inside a build folder."""
    if (path / MANIFEST).is_file():
        return [path]
    found = sorted(p.parent for p in path.glob(f"*/{MANIFEST}"))
    if not found:
        raise PublishError(f"{path} holds no built modules — run 'authoring build courses/ --out {path}' first")
    return found


def read_bundle(folder: Path) -> Bundle:
    """Load and verify one module folder; raise PublishError naming what is wrong."""
    manifest, key = _read_json(folder, MANIFEST), _read_json(folder, ANSWER_KEY)
    _check_top_level(folder, manifest)
    bundle = Bundle(manifest, key, _read_assets(folder, manifest["assets"]), folder=folder)
    if content_version(bundle.content, key) != manifest["version"]:
        raise _refuse(folder, MANIFEST, "", "the content does not match its version: it was edited after building")
    _check_questions(folder, manifest["questions"], key)
    _check_pages(folder, manifest["pages"], manifest["questions"])
    bundle.settings = _check_settings(folder, manifest["settings"])
    _check_pool(folder, manifest["questions"], bundle.settings)
    for file, where, fragment in _fragments(manifest, key):
        if not isinstance(fragment, str) or sanitise(fragment) != fragment:
            raise _refuse(folder, file, where, "the lesson HTML holds markup the sanitiser removes (script, event handlers, "
                          "styles, or links and images that leave the lesson)")
    return bundle


def _read_json(folder: Path, file: str) -> dict:
    """One JSON object from the bundle, refusing files that are links, too big, too deep or not JSON."""
    path = folder / file
    try:
        if path.is_symlink() or path.stat().st_size > MAX_FILE_BYTES:
            raise _refuse(folder, file, "", "the file is a link or larger than 20 MB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise _refuse(folder, file, "", f"the bundle cannot be read ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise _refuse(folder, file, "", "the bundle cannot be read (it is not a JSON object)")
    return data


def _check_top_level(folder: Path, manifest: dict) -> None:
    missing = [k for k in ("format", "id", "title", "version", *CONTENT_KEYS) if k not in manifest]
    if missing:
        raise _refuse(folder, MANIFEST, "", f"manifest.json lacks {', '.join(missing)}")
    if manifest["format"] != BUNDLE_FORMAT:
        raise _refuse(folder, MANIFEST, "", f"bundle format {manifest['format']!r} is not {BUNDLE_FORMAT}")
    types = {"pages": list, "questions": list, "assets": list, "settings": dict, "version": str}
    if any(not isinstance(manifest[k], kind) for k, kind in types.items()):
        raise _refuse(folder, MANIFEST, "", f"the manifest {SHAPE}")
    if manifest["id"] != manifest["settings"].get("id") or manifest["title"] != manifest["settings"].get("title"):
        raise _refuse(folder, MANIFEST, "", "the module id or title differs from its settings (which the version hash covers)")
    problem = source_problem(manifest["source"]) if "source" in manifest else None  # older bundles name none
    if problem:
        raise _refuse(folder, MANIFEST, "source", problem, "rename the notebook to a plain file name ending in .ipynb; then " + REBUILD)


def _read_assets(folder: Path, listed: list) -> dict[str, tuple[str, bytes]]:
    """Each listed image: its name kept inside the folder, its bytes checked, its type taken from them."""
    assets = {}
    for entry in listed:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not is_safe_name(name):
            raise _refuse(folder, MANIFEST, "assets", f"the asset name {name!r} could leave the module's folder")
        path = folder / "assets" / name
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            raise _refuse(folder, f"assets/{name}", "", "the asset is missing, a link, or larger than 20 MB")
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise _refuse(folder, f"assets/{name}", "", "the asset is missing or changed after building")
        problem = asset_problem(data)
        if problem:
            raise _refuse(folder, f"assets/{name}", "", f"the file {problem}", IMAGE_FIX)
        assets[name] = (media_type(data) or "", data)
    return assets


def _check_questions(folder: Path, questions: list, key: dict) -> None:
    """Every question shaped as built, with its kind's rules, and an answer key that matches them exactly."""
    ids = [q.get("id") if isinstance(q, dict) else None for q in questions]
    if any(not isinstance(i, str) for i in ids):
        raise _refuse(folder, MANIFEST, "questions", f"a question {SHAPE}")
    if len(set(ids)) != len(ids) or set(key) != set(ids):
        raise _refuse(folder, ANSWER_KEY, "", "the answer key does not hold exactly one entry per question")
    for question in questions:
        where = f"question {printable(question['id'])}"
        options = question.get("options")
        if question.get("kind") not in BY_NAME or any(not isinstance(question.get(k), t) for k, t in QUESTION_FIELDS.items()):
            raise _refuse(folder, MANIFEST, where, f"the question {SHAPE}")
        unknown = sorted(set(question) - QUESTION_KEYS)
        if unknown:
            raise _refuse(folder, MANIFEST, where, f"the question holds {', '.join(map(shown, unknown))}, which 'authoring build' never "
                          "writes there (right answers and feedback belong in answer-key.json only)")
        if not isinstance(question.get("outcome", ""), str):
            raise _refuse(folder, MANIFEST, where, f"the learning outcome {shown(question['outcome'])} is not text")
        if not options or any(not isinstance(o, dict) or not isinstance(o.get("id"), str) or not isinstance(o.get("html"), str)
                              or set(o) != OPTION_KEYS for o in options) or len({o["id"] for o in options}) != len(options):
            raise _refuse(folder, MANIFEST, where, "the options are not shaped as 'authoring build' writes them")
        kind = BY_NAME[question["kind"]]
        if question["multiple"] != kind.multiple_answers:
            raise _refuse(folder, MANIFEST, where, f"the question says it {'takes' if question['multiple'] else 'does not take'} "
                          f"several answers, but a '{kind.name}' question {'does' if kind.multiple_answers else 'does not'}")
        _check_key_entry(folder, where, question, key[question["id"]])


def _check_key_entry(folder: Path, where: str, question: dict, entry: object) -> None:
    """Right answers that are options of the question, as many as its kind allows; feedback for options only."""
    option_ids = {o["id"] for o in question["options"]}
    correct = entry.get("correct") if isinstance(entry, dict) else None
    feedback = entry.get("feedback") if isinstance(entry, dict) else None
    if not isinstance(entry, dict) or set(entry) != KEY_ENTRY_KEYS:
        raise _refuse(folder, ANSWER_KEY, where, "the entry is not shaped as 'authoring build' writes it (right answers and feedback)")
    if not isinstance(correct, list) or not correct or not set(correct) <= option_ids or len(set(correct)) != len(correct):
        raise _refuse(folder, ANSWER_KEY, where, "the right answers are not options of the question")
    count_problem = BY_NAME[question["kind"]].right_answer_count_problem(len(correct))
    if count_problem:
        raise _refuse(folder, ANSWER_KEY, where, count_problem[0], f"{count_problem[1]}; then {REBUILD}")
    if not isinstance(feedback, dict) or not set(feedback) <= option_ids:
        raise _refuse(folder, ANSWER_KEY, where, "the feedback is not for options of the question")


def _check_pages(folder: Path, pages: list, questions: list) -> None:
    """Pages as built: numbered, none empty, each question placed once, scored questions only on the last page."""
    if not pages:
        raise _refuse(folder, MANIFEST, "", "the module has no pages")
    ids, scored = {q["id"] for q in questions}, {q["id"] for q in questions if q["scored"]}
    placed: list[str] = []
    for number, page in enumerate(pages, start=1):
        blocks = page.get("blocks") if isinstance(page, dict) else None
        if (not isinstance(page, dict) or page.get("number") != number or not isinstance(page.get("title"), str)
                or not isinstance(blocks, list) or not set(page) <= PAGE_KEYS):
            raise _refuse(folder, MANIFEST, f"page {number}", f"the page {SHAPE}")
        if "lang" in page and not is_language_tag(page["lang"]):
            raise _refuse(folder, MANIFEST, f"page {number}", f"the page's language {shown(page['lang'])} is not a language tag such as 'cy'")
        if not blocks:
            raise _refuse(folder, MANIFEST, f"page {number}", "the page is empty", "write the lesson under the heading, or delete the heading; then " + REBUILD)
        for block in blocks:
            kind = block.get("type") if isinstance(block, dict) else None
            if (kind not in BLOCK_KEYS or set(block) != BLOCK_KEYS[kind] or not isinstance(block[kind if kind == "html" else "id"], str)
                    or (kind == "question" and block["id"] not in ids)):
                raise _refuse(folder, MANIFEST, f"page {number}", f"a block {SHAPE}")
            if kind == "question":
                placed.append(block["id"])
                if block["id"] in scored and number != len(pages):
                    raise _refuse(folder, MANIFEST, f"page {number}", "a scored question is not on the last page",
                                  "move it to the assessment page at the end, or make it a '### Knowledge check'; then " + REBUILD)
    if sorted(placed) != sorted(q["id"] for q in questions):
        raise _refuse(folder, MANIFEST, "", f"a block {SHAPE}: each question must be on a page exactly once")
    if not scored:
        raise _refuse(folder, MANIFEST, "", "the module has no scored questions, so no learner can pass it",
                      "add a last page, '# Assessment', holding '### Question' cells; then " + REBUILD)


def _check_pool(folder: Path, questions: list, settings: dict) -> None:
    """The question pool rules of `authoring check`: the pool can give every attempt what the settings ask."""
    pool: dict[str, int] = {}
    for question in questions:
        if question["scored"]:
            pool[question.get("outcome", "")] = pool.get(question.get("outcome", ""), 0) + 1
    problems = pool_problems(pool, AssessmentSettings.from_dict(settings["assessment"]))
    if problems:
        (message, fix), *_ = problems
        raise _refuse(folder, MANIFEST, "settings", message, f"{fix}; then {REBUILD}")


def _check_settings(folder: Path, settings: dict) -> dict:
    """The settings rules of `authoring check` (pass mark, refresher, guidance links...) on the stored settings.

    `authoring build` writes every setting it knows; a bundle built before a setting existed (such as
    `lang`) lacks it, and gets its default: only the settings every module must declare are required.
    """
    missing = sorted(set(REQUIRED) - set(settings))
    if missing:
        raise _refuse(folder, MANIFEST, "settings", f"the settings lack {', '.join(missing)}")
    problems = ProblemList(folder / MANIFEST)
    parse_settings(json.dumps(settings), 0, problems, dt.date.min)
    errors = [p for p in problems if p.for_build().is_error]
    if errors:
        raise _refuse(folder, MANIFEST, "settings", errors[0].message, f"{errors[0].fix}; then {REBUILD}")
    if not is_language_tag(settings.get("lang", "")):
        raise _refuse(folder, MANIFEST, "settings", f"the language {shown(settings['lang'])} is not a language tag such as 'cy'")
    return {**Settings().as_dict(), **settings}


def _fragments(manifest: dict, key: dict) -> Iterator[tuple[str, str, object]]:
    """Every piece of HTML the LMS shows as markup: page titles and blocks, questions, feedback."""
    for page in manifest["pages"]:
        yield MANIFEST, f"page {page['number']} title", page["title"]
        for number, block in enumerate(page["blocks"], start=1):
            if block["type"] == "html":
                yield MANIFEST, f"page {page['number']} block {number}", block["html"]
    for question in manifest["questions"]:
        where = f"question {question['id']}"
        yield from ((MANIFEST, where, question[k]) for k in ("stem", "case_study"))
        yield from ((MANIFEST, f"{where} option {o['id']}", o["html"]) for o in question["options"])
        yield from ((ANSWER_KEY, f"{where} feedback {i}", html) for i, html in key[question["id"]]["feedback"].items())
