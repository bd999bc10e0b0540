"""Reading a built module bundle back from disk and verifying it, before publishing trusts any of it.

A bundle on disk is trusted for nothing. Anyone who can write the build folder could plant script,
a file that is not an image or a made-up answer key, and recompute the version hash to match: the
hash only proves the parts agree with each other. So every bundle is read back and checked here with
the rules authoring uses (one home each): the shape `authoring build` writes, the settings rules, the
sanitiser on every lesson fragment, safe asset names and images judged by their bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from authoring.assets import asset_problem, is_safe_name, media_type
from authoring.bundle import ANSWER_KEY, BUNDLE_FORMAT, MANIFEST, content_version
from authoring.kinds import KINDS
from authoring.language import is_language_tag
from authoring.problems import ProblemList
from authoring.sanitise import sanitise
from authoring.settings import REQUIRED, Settings, parse_settings

CONTENT_KEYS = ("settings", "pages", "questions", "assets")
REBUILD = "build the module again from its notebook with 'authoring build', then publish the new folder"
IMAGE_FIX = "use a PNG, JPEG, GIF or WebP image, or a plain SVG drawing without script or links; then " + REBUILD
SHAPE = "is not shaped as 'authoring build' writes it"
MAX_FILE_BYTES = 20 * 1024 * 1024
QUESTION_KINDS = {kind.name for kind in KINDS.values()}

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
    return PublishError(f"{folder / file}: {where + ': ' if where else ''}{what} — {fix}")


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
    _check_pages(folder, manifest["pages"], {q["id"] for q in manifest["questions"]})
    bundle.settings = _check_settings(folder, manifest["settings"])
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
    source = manifest.get("source", "")
    if not isinstance(source, str) or len(source) > 255 or Path(source).name != source:
        raise _refuse(folder, MANIFEST, "source", "the notebook's name is not a file name")


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
    """Every question shaped as built, and an answer key that matches them exactly."""
    ids = [q.get("id") if isinstance(q, dict) else None for q in questions]
    if len(set(ids)) != len(ids) or set(key) != set(ids):
        raise _refuse(folder, ANSWER_KEY, "", "the answer key does not hold exactly one entry per question")
    for question in questions:
        where = f"question {question['id']}"
        options = question.get("options")
        fields = {"kind": str, "label": str, "multiple": bool, "scored": bool, "stem": str, "case_study": str, "options": list}
        if question.get("kind") not in QUESTION_KINDS or any(not isinstance(question.get(k), t) for k, t in fields.items()):
            raise _refuse(folder, MANIFEST, where, f"the question {SHAPE}")
        if not options or any(not isinstance(o, dict) or not isinstance(o.get("id"), str) or not isinstance(o.get("html"), str) for o in options):
            raise _refuse(folder, MANIFEST, where, "the options are not shaped as 'authoring build' writes them")
        _check_key_entry(folder, where, question, key[question["id"]])


def _check_key_entry(folder: Path, where: str, question: dict, entry: object) -> None:
    """Right answers that are options of the question (one unless it takes several), feedback for options only."""
    option_ids = {o["id"] for o in question["options"]}
    correct = entry.get("correct") if isinstance(entry, dict) else None
    feedback = entry.get("feedback") if isinstance(entry, dict) else None
    if not isinstance(correct, list) or not correct or not set(correct) <= option_ids or len(set(correct)) != len(correct):
        raise _refuse(folder, ANSWER_KEY, where, "the right answers are not options of the question")
    if not question["multiple"] and len(correct) != 1:
        raise _refuse(folder, ANSWER_KEY, where, "a one-answer question has more than one right answer")
    if not isinstance(feedback, dict) or not set(feedback) <= option_ids:
        raise _refuse(folder, ANSWER_KEY, where, "the feedback is not for options of the question")


def _check_pages(folder: Path, pages: list, question_ids: set[str]) -> None:
    if not pages:
        raise _refuse(folder, MANIFEST, "", "the module has no pages")
    for number, page in enumerate(pages, start=1):
        blocks = page.get("blocks") if isinstance(page, dict) else None
        if not isinstance(page, dict) or page.get("number") != number or not isinstance(page.get("title"), str) or not isinstance(blocks, list):
            raise _refuse(folder, MANIFEST, f"page {number}", f"the page {SHAPE}")
        if "lang" in page and not is_language_tag(page["lang"]):
            raise _refuse(folder, MANIFEST, f"page {number}", f"the page's language {page['lang']!r} is not a language tag such as 'cy'")
        for block in blocks:
            html_block = isinstance(block, dict) and block.get("type") == "html" and isinstance(block.get("html"), str)
            if not html_block and not (isinstance(block, dict) and block.get("type") == "question" and block.get("id") in question_ids):
                raise _refuse(folder, MANIFEST, f"page {number}", f"a block {SHAPE}")


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
        raise _refuse(folder, MANIFEST, "settings", f"the language {settings['lang']!r} is not a language tag such as 'cy'")
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
