"""Publishing built module bundles into the database: one transaction, a new version only on change."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authoring.bundle import ANSWER_KEY, MANIFEST, content_version
from lms.db import write_transaction
from lms.models import Module, ModuleAsset, ModulePage, ModuleVersion
from lms.services.audit import record_event

log = logging.getLogger(__name__)
CONTENT_KEYS = ("settings", "pages", "questions", "assets")


class PublishError(Exception):
    """A bundle that cannot be published; nothing was changed."""


@dataclass
class PublishReport:
    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class Bundle:
    """A built module read back from disk and verified against its own version hash."""

    manifest: dict
    answer_key: dict
    assets: dict[str, tuple[str, bytes]]

    @property
    def content(self) -> dict:
        return {k: self.manifest[k] for k in CONTENT_KEYS}


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
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        key = json.loads((folder / ANSWER_KEY).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublishError(f"{folder}: the bundle cannot be read ({exc}) — build it again") from None
    missing = [k for k in ("id", "version", *CONTENT_KEYS) if k not in manifest]
    if missing:
        raise PublishError(f"{folder}: manifest.json lacks {', '.join(missing)} — build it again with 'authoring build'")
    assets = {}
    for asset in manifest["assets"]:
        data = (folder / "assets" / asset["name"]).read_bytes() if (folder / "assets" / asset["name"]).is_file() else b""
        if hashlib.sha256(data).hexdigest() != asset["sha256"]:
            raise PublishError(f"{folder}: asset {asset['name']} is missing or changed — build it again")
        assets[asset["name"]] = (asset["media_type"], data)
    bundle = Bundle(manifest, key, assets)
    if content_version(bundle.content, key) != manifest["version"]:
        raise PublishError(f"{folder}: the content does not match its version — it was edited after building; build it again")
    return bundle


def publish(session: Session, path: Path, publisher_id: int | None = None) -> PublishReport:
    """Publish every bundle under `path` in one transaction; all or nothing."""
    bundles = [read_bundle(folder) for folder in bundle_dirs(path)]
    report = PublishReport()
    with write_transaction(session):
        for bundle in bundles:
            if _publish_one(session, bundle, publisher_id):
                report.published.append(bundle.manifest["id"])
            else:
                report.unchanged.append(bundle.manifest["id"])
    return report


def _publish_one(session: Session, bundle: Bundle, publisher_id: int | None) -> bool:
    manifest, settings = bundle.manifest, bundle.manifest["settings"]
    module = session.scalar(select(Module).where(Module.slug == manifest["id"]))
    if module is None:
        module = Module(slug=manifest["id"], title=manifest["title"])
        session.add(module)
        session.flush()
    exists = session.scalar(select(ModuleVersion.id).where(ModuleVersion.module_id == module.id, ModuleVersion.content_hash == manifest["version"]))
    if exists:
        return False
    number = (session.scalar(select(func.max(ModuleVersion.number)).where(ModuleVersion.module_id == module.id)) or 0) + 1
    version = ModuleVersion(
        module_id=module.id, content_hash=manifest["version"], number=number, title=manifest["title"], settings=settings,
        questions=manifest["questions"], answer_key=bundle.answer_key, page_count=len(manifest["pages"]),
        pass_mark=settings["pass_mark"], refresher_months=settings["refresher_months"],
        estimated_minutes=settings["estimated_minutes"], published_by_id=publisher_id,
    )
    session.add(version)
    session.flush()
    session.add_all(ModulePage(version_id=version.id, number=p["number"], title=p["title"], blocks=p["blocks"]) for p in manifest["pages"])
    session.add_all(ModuleAsset(version_id=version.id, name=n, media_type=m, data=d) for n, (m, d) in bundle.assets.items())
    module.title, module.priority_area, module.current_version_id = manifest["title"], settings.get("priority_area", ""), version.id
    record_event(session, "module.published", f"module:{module.slug}", publisher_id, version=number, content_hash=manifest["version"])
    log.info("published %s version %s", module.slug, number)
    return True
