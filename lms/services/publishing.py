"""Publishing built module bundles into the database: one transaction, a new version only on change.

Every bundle is read back and verified first (lms/services/bundles.py); the first problem stops the
whole publish and nothing is written.

Then each bundle is planned against the database before anything is written (`plan_bundle`, shared by
`--dry-run`): a new module; a new version; an older version's content made live again as a new version
(a restore); unchanged when it matches the live version; or refused when its id belongs to a module
built from another notebook, unless the trainer names that module with --replace. "Another notebook"
means another file name (manifest "source"): two notebooks with one name and one id in different folders
are taken as one (documented in docs/authoring.md, section 9; `authoring check` and `build` catch such a
pair when both are in one run). A --replace is audited even when the content is unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authoring.bundle import MANIFEST
from lms.db import write_transaction
from lms.models import Completion, Module, ModuleAsset, ModulePage, ModuleVersion
from lms.services.audit import record_event
from lms.services.bundles import Bundle, PublishError, bundle_dirs, printable, read_bundle
from lms.services.standing import COUNTS

log = logging.getLogger(__name__)
NEW, NEW_VERSION, RESTORE, UNCHANGED, REFUSED = "new module", "new version", "restore", "unchanged", "refused"


@dataclass
class Plan:
    """What publishing one bundle does, decided before anything is written (and all that --dry-run does)."""

    slug: str
    action: str  # NEW | NEW_VERSION | RESTORE | UNCHANGED | REFUSED
    number: int | None = None  # the version it becomes, or the live one when unchanged
    replaces: int | None = None  # the live version it takes over from
    restores: int | None = None  # the older version whose content comes back
    reason: str = ""  # why it is refused
    new_source: str = ""  # the notebook --replace makes the module's own
    bundle: Bundle | None = None

    def describe(self) -> str:
        """One line for the trainer: what happens (or would happen) to this module."""
        then = f"; its notebook becomes {self.new_source} (--replace)" if self.new_source else ""
        if self.action == NEW:
            return f"{self.slug}: new module, version 1"
        if self.action == NEW_VERSION:
            return f"{self.slug}: new version {self.number} replacing version {self.replaces}{then}"
        if self.action == RESTORE:
            return f"{self.slug}: restores the content of version {self.restores} as version {self.number}, replacing version {self.replaces}{then}"
        if self.action == UNCHANGED:
            return f"{self.slug}: unchanged (version {self.number} is live){then}"
        return f"{self.slug}: refused — {self.reason}"


@dataclass
class PublishReport:
    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)


def publish(session: Session, path: Path, publisher_id: int | None = None, replace: Collection[str] = ()) -> PublishReport:
    """Publish every bundle under `path` in one transaction; all or nothing.

    `replace` names modules whose id another notebook may take over (--replace); any other refusal
    stops the whole publish with every reason, and nothing is written.
    """
    bundles = [read_bundle(folder) for folder in bundle_dirs(path)]
    report = PublishReport()
    with write_transaction(session):
        report.plans = _refuse_duplicates([plan_bundle(session, bundle, replace) for bundle in bundles])
        refused = [plan.reason for plan in report.plans if plan.action == REFUSED]
        if refused:
            raise PublishError("; and ".join(refused))
        for plan in report.plans:
            _apply(session, plan, publisher_id)
            (report.unchanged if plan.action == UNCHANGED else report.published).append(plan.slug)
    return report


def dry_run(session: Session, path: Path, replace: Collection[str] = ()) -> list[Plan]:
    """What publishing `path` would do to each module, every bundle read and verified; nothing is written."""
    plans = []
    for folder in bundle_dirs(path):
        try:
            plans.append(plan_bundle(session, read_bundle(folder), replace))
        except PublishError as error:
            plans.append(Plan(printable(folder.name), REFUSED, reason=str(error)))
    return _refuse_duplicates(plans)


def plan_bundle(session: Session, bundle: Bundle, replace: Collection[str] = ()) -> Plan:
    """Decide what publishing one verified bundle does, reading the database only."""
    slug, source = bundle.manifest["id"], bundle.source
    module = session.scalar(select(Module).where(Module.slug == slug))
    if module is None:
        return Plan(slug, NEW, number=1, bundle=bundle)
    versions = session.execute(select(ModuleVersion.id, ModuleVersion.number, ModuleVersion.content_hash)
                               .where(ModuleVersion.module_id == module.id).order_by(ModuleVersion.number)).all()
    current = next((v for v in versions if v.id == module.current_version_id), None)
    number = (versions[-1].number if versions else 0) + 1
    other_notebook = bool(module.source_notebook and source and source != module.source_notebook)
    if other_notebook and slug not in replace:
        return Plan(slug, REFUSED, reason=_other_notebook(session, bundle, module, number), bundle=bundle)
    plan = Plan(slug, NEW_VERSION, number=number, replaces=current.number if current else None, bundle=bundle,
                new_source=source if other_notebook else "")
    if current is not None and current.content_hash == bundle.manifest["version"]:
        plan.action, plan.number, plan.replaces = UNCHANGED, current.number, None
        return plan
    older = [v.number for v in versions if v.content_hash == bundle.manifest["version"]]
    if older:
        plan.action, plan.restores = RESTORE, older[-1]
    return plan


def _other_notebook(session: Session, bundle: Bundle, module: Module, number: int) -> str:
    """Why a bundle may not take over a module's id, and what --replace would do instead."""
    done = session.scalar(select(func.count(Completion.id)).where(Completion.module_id == module.id, COUNTS)) or 0
    completions = f"{done} completion{'' if done == 1 else 's'}"
    return (f"{printable(str(bundle.folder / MANIFEST))}: the id '{module.slug}' belongs to the module '{module.title}' ({module.slug}), "
            f"built from {printable(module.source_notebook)}, but this bundle was built from {bundle.source}; the module has {completions} — "
            f"give {bundle.source} its own id in its settings, or publish again with --replace {module.slug} to make "
            f"{bundle.source} this module's notebook: its content would become version {number}, and the {completions} "
            f"would stay on the versions they were earned on, counted for the module as before")


def _refuse_duplicates(plans: list[Plan]) -> list[Plan]:
    """Two folders in one publish with the same module id: both are refused (which one should win is unclear)."""
    folders: dict[str, list[str]] = {}
    for plan in plans:
        folders.setdefault(plan.slug, []).append(printable(str(plan.bundle.folder)) if plan.bundle else plan.slug)
    for plan in plans:
        if len(folders[plan.slug]) > 1 and plan.action != REFUSED:
            plan.action = REFUSED
            plan.reason = (f"the folders {' and '.join(folders[plan.slug])} are both the module '{plan.slug}' — give each "
                           "notebook its own id in its settings, or publish only one of them")
    return plans


def _apply(session: Session, plan: Plan, publisher_id: int | None) -> None:
    """Write what the plan says, in the caller's transaction."""
    bundle = plan.bundle
    module = session.scalar(select(Module).where(Module.slug == plan.slug))
    if module is None:
        module = Module(slug=plan.slug, title=bundle.manifest["title"], source_notebook=bundle.source)
        session.add(module)
        session.flush()
    replaced = module.source_notebook
    if bundle.source and (plan.new_source or not module.source_notebook):
        module.source_notebook = bundle.source  # adopted (modules published before 0006) or replaced
    if plan.action == UNCHANGED:
        if plan.new_source:  # no new version, but the module's notebook changed hands: that is audited too
            record_event(session, "module.notebook_replaced", f"module:{module.slug}", publisher_id, version=plan.number,
                         notebook=plan.new_source, previous_notebook=replaced)
        return
    _add_version(session, module, bundle, plan.number, publisher_id)
    extra = {"restores_version": plan.restores} if plan.restores else {}
    if plan.new_source:
        extra.update(notebook=plan.new_source, previous_notebook=replaced)
    record_event(session, "module.published", f"module:{module.slug}", publisher_id, version=plan.number,
                 content_hash=bundle.manifest["version"], **extra)
    log.info("published %s version %s%s", module.slug, plan.number, f" (content of version {plan.restores})" if plan.restores else "")


def _add_version(session: Session, module: Module, bundle: Bundle, number: int, publisher_id: int | None) -> None:
    """A new immutable version with its pages and images, made the module's live one."""
    manifest, settings = bundle.manifest, bundle.settings
    version = ModuleVersion(
        module_id=module.id, content_hash=manifest["version"], number=number, title=manifest["title"], settings=settings,
        questions=manifest["questions"], answer_key=bundle.answer_key, page_count=len(manifest["pages"]),
        pass_mark=settings["pass_mark"], refresher_months=settings["refresher_months"],
        estimated_minutes=settings["estimated_minutes"], published_by_id=publisher_id,
    )
    session.add(version)
    session.flush()
    session.add_all(ModulePage(version_id=version.id, number=p["number"], title=p["title"], blocks=p["blocks"], lang=p.get("lang", ""))
                    for p in manifest["pages"])
    session.add_all(ModuleAsset(version_id=version.id, name=n, media_type=m, data=d) for n, (m, d) in bundle.assets.items())
    module.title, module.priority_area, module.current_version_id = manifest["title"], settings.get("priority_area", ""), version.id
