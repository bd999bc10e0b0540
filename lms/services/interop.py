"""SCORM packages of published modules, built from the stored version so every app server can make one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from authoring.scorm import PackageSource, build_package
from lms.db import write_transaction
from lms.models import Module, ModuleAsset, ModulePage, ModuleVersion, Partnership
from lms.services.audit import record_event


@dataclass
class Download:
    filename: str
    data: bytes


def stored_package_source(session: Session, version: ModuleVersion) -> PackageSource:
    """A published version's pages, questions, answer key and images, exactly as learners get them here."""
    pages = session.scalars(select(ModulePage).where(ModulePage.version_id == version.id).order_by(ModulePage.number))
    assets = session.scalars(select(ModuleAsset).where(ModuleAsset.version_id == version.id).order_by(ModuleAsset.name))
    return PackageSource(
        module_id=version.module.slug, title=version.title, version=version.content_hash, pass_mark=version.pass_mark,
        pages=[{"number": p.number, "title": p.title, "blocks": p.blocks} for p in pages], questions=version.questions,
        answer_key=version.answer_key, assets={a.name: a.data for a in assets},
        assessment=(version.settings or {}).get("assessment"),
    )


def scorm_download(session: Session, slug: str, partnership: Partnership | None, actor_id: int | None) -> Download | None:
    """The SCORM 1.2 zip of a module's current version, with the partnership's local details filled in.

    The package holds the answer key, so each download is written to the audit log.
    """
    module = session.scalar(select(Module).where(Module.slug == slug))
    if module is None or module.current_version_id is None:
        return None
    version = session.get(ModuleVersion, module.current_version_id, options=[undefer(ModuleVersion.answer_key)])
    values = {"partnership_name": partnership.name, **(partnership.settings or {})} if partnership else {}
    data = build_package(stored_package_source(session, version), values)
    with write_transaction(session):
        record_event(session, "module.scorm_downloaded", f"module:{module.slug}", actor_id, version=version.number)
    return Download(f"{module.slug}-version-{version.number}-scorm12.zip", data)
