"""Writing a module bundle: manifest.json, answer-key.json and assets/, deterministic and atomic."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from authoring.module import Module, Page

BUNDLE_FORMAT = 1
BUILDER_VERSION = "2"  # bump when the output of the same notebook changes (2: the manifest names its notebook)
MANIFEST = "manifest.json"
ANSWER_KEY = "answer-key.json"
INDEX = ".build-index.json"


def to_json(data: object) -> str:
    """Canonical JSON: the same data always gives the same bytes."""
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def file_hash(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def content_version(content: dict, key: dict) -> str:
    """The version of a module: a hash of everything learners see and of the answer key."""
    compact = json.dumps({"content": content, "key": key}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(compact.encode("utf-8")).hexdigest()


def bundle_contents(module: Module) -> tuple[dict, dict]:
    """The manifest (what learners may see) and the answer key (what only the server may see)."""
    questions, key = [], {}
    for question in module.questions:
        rendered = dict(module.rendered_questions[question.id])
        key[question.id] = {"correct": rendered.pop("correct"), "feedback": rendered.pop("feedback")}
        questions.append(rendered)
    pages = [_page_entry(n, p) for n, p in enumerate(module.pages, start=1)]
    assets = [{"name": a.name, "media_type": a.media_type, "sha256": hashlib.sha256(a.data).hexdigest()}
              for a in sorted(module.assets.values(), key=lambda a: a.name)]
    content = {"settings": module.settings.as_dict(), "pages": pages, "questions": questions, "assets": assets}
    version = content_version(content, key)
    # "source" is outside the hash: the same content built from a renamed notebook is the same version,
    # and the LMS uses the name only to refuse another notebook publishing over a module's id.
    manifest = {"format": BUNDLE_FORMAT, "id": module.settings.id, "title": module.settings.title,
                "version": version, "source": module.path.name, **content}
    return manifest, key


def _page_entry(number: int, page: Page) -> dict:
    """A page as the manifest holds it; "lang" only when the page is in another language than the module,
    so a module without one keeps the hash it always had."""
    entry = {"number": number, "title": page.title, "blocks": page.blocks}
    lang = getattr(page, "lang", "")  # Page.lang is new in authoring/module.py; older Pages have none
    if lang:
        entry["lang"] = lang
    return entry


def write_bundle(module: Module, out_dir: Path) -> Path:
    """Write one module's folder, replacing an older build of it only once the new one is complete."""
    import shutil  # only a build that writes needs these; a build with nothing to do stays quick
    import tempfile

    manifest, key = bundle_contents(module)
    target = out_dir / module.settings.id
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{module.settings.id}-", dir=out_dir))
    try:
        (staging / MANIFEST).write_text(to_json(manifest), encoding="utf-8")
        (staging / ANSWER_KEY).write_text(to_json(key), encoding="utf-8")
        if module.assets:
            (staging / "assets").mkdir()
            for asset in module.assets.values():
                (staging / "assets" / asset.name).write_bytes(asset.data)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


class BuildIndex:
    """Which inputs each bundle in an output folder was built from, to skip unchanged notebooks."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / INDEX
        try:
            self.entries: dict[str, dict] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def is_up_to_date(self, notebook: Path) -> bool:
        entry = self.entries.get(str(notebook.resolve()))
        if not entry or entry.get("builder") != BUILDER_VERSION:
            return False
        if not (self.path.parent / entry["id"] / MANIFEST).is_file():
            return False
        return all(file_hash(Path(name)) == digest for name, digest in entry["inputs"].items())

    def record(self, module: Module) -> None:
        inputs = {str(p.resolve()): file_hash(p) for p in module.input_files}
        self.entries[str(module.path.resolve())] = {"builder": BUILDER_VERSION, "id": module.settings.id, "inputs": inputs}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(to_json(self.entries), encoding="utf-8")
