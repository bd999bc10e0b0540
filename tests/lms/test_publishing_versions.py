"""Is the module learners get the one that passed check: restores of older content, dry runs, another
notebook taking over a module's id only with --replace (nothing changed otherwise), and old bundles?"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import MetaData, func, select

from authoring import build
from authoring.bundle import ANSWER_KEY, MANIFEST, content_version
from lms import migrate
from lms.db import db
from lms.models import AuditEvent, Completion, Module, ModulePage, ModuleVersion
from lms.services.bundles import CONTENT_KEYS, PublishError
from lms.services.publishing import dry_run, publish
from tests.builders import QUESTION, make_completion, make_user, settings_cell, write_notebook
from tests.lms.test_migrations import _fill_new_tables


def built(tmp_path, text="Text.", notebook="m.ipynb", out="out", **settings):
    """Build one notebook into its own build folder; returns the folder."""
    source = write_notebook(tmp_path / "src" / notebook, f"# Page\n\n{text}", "# Assessment\n\nGo.", QUESTION,
                            settings=settings_cell(**settings) if settings else None)
    report = build([source], tmp_path / out)
    assert report.built and not report.failed, report.problems
    return tmp_path / out


def versions(session) -> list[tuple[int, str]]:
    return [tuple(r) for r in session.execute(select(ModuleVersion.number, ModuleVersion.content_hash).order_by(ModuleVersion.number))]


def live(session) -> ModuleVersion:
    session.expire_all()
    return session.get(ModuleVersion, session.scalar(select(Module)).current_version_id)


def rewrite(folder, change) -> None:
    """Edit a bundle's manifest as an older or hand-made build would be, and hash it again so it still verifies."""
    manifest = json.loads((folder / MANIFEST).read_text())
    change(manifest)
    key = json.loads((folder / ANSWER_KEY).read_text())
    manifest["version"] = content_version({k: manifest[k] for k in CONTENT_KEYS}, key)
    (folder / MANIFEST).write_text(json.dumps(manifest))


# --- versions: the older content comes back as a new number -------------------------------------------

def test_does_publishing_an_older_versions_content_make_it_live_again_as_a_new_version(session, tmp_path):
    publish(session, built(tmp_path, "First."))
    publish(session, built(tmp_path, "Second, unwanted."))
    first_hash = versions(session)[0][1]
    report = publish(session, built(tmp_path, "First."))
    assert report.published == ["tiny-module"] and report.plans[0].describe() == (
        "tiny-module: restores the content of version 1 as version 3, replacing version 2")
    assert [n for n, _ in versions(session)] == [1, 2, 3]
    assert live(session).number == 3 and live(session).content_hash == first_hash
    assert session.scalar(select(ModulePage.title).where(ModulePage.version_id == live(session).id, ModulePage.number == 1)) == "Page"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "module.published").order_by(AuditEvent.id)).all()[-1]
    assert event.detail["version"] == 3 and event.detail["restores_version"] == 1


def test_is_content_identical_to_the_live_version_still_unchanged(session, tmp_path):
    publish(session, built(tmp_path, "First."))
    publish(session, built(tmp_path, "Second."))
    report = publish(session, built(tmp_path, "Second."))
    assert report.unchanged == ["tiny-module"] and report.plans[0].describe() == "tiny-module: unchanged (version 2 is live)"
    assert len(versions(session)) == 2


# --- dry run ---------------------------------------------------------------------------------------------

def test_does_a_dry_run_say_what_would_happen_to_each_module_and_change_nothing(app, session, tmp_path):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["courses", "publish", "--dry-run", str(built(tmp_path, "First."))])
    assert first.exit_code == 0 and "tiny-module: new module, version 1" in first.output and "nothing was changed" in first.output
    assert session.scalar(select(func.count(Module.id))) == 0
    publish(session, built(tmp_path, "First."))
    publish(session, built(tmp_path, "Second."))
    events = session.scalar(select(func.count(AuditEvent.id)))
    said = {text: runner.invoke(args=["courses", "publish", "--dry-run", str(built(tmp_path, text))]).output
            for text in ("First.", "Second.", "Third.")}
    assert "restores the content of version 1 as version 3, replacing version 2" in said["First."]
    assert "tiny-module: unchanged (version 2 is live)" in said["Second."]
    assert "tiny-module: new version 3 replacing version 2" in said["Third."]
    assert len(versions(session)) == 2 and live(session).number == 2
    assert session.scalar(select(func.count(AuditEvent.id))) == events


def test_does_a_dry_run_report_a_broken_bundle_as_refused_beside_the_others(session, tmp_path):
    out = built(tmp_path, "First.")
    other = built(tmp_path, "Other.", notebook="other.ipynb", out="other", id="other-module", title="Other module")
    (other / "other-module").rename(out / "other-module")
    (out / "other-module" / ANSWER_KEY).write_text("{not json")
    plans = {plan.slug: plan for plan in dry_run(session, out)}
    assert plans["tiny-module"].describe() == "tiny-module: new module, version 1"
    assert plans["other-module"].action == "refused" and "cannot be read" in plans["other-module"].describe()
    assert session.scalar(select(func.count(Module.id))) == 0


# --- another notebook with the same id: refused unless --replace ------------------------------------------

@pytest.fixture
def published_with_completion(session, tmp_path):
    publish(session, built(tmp_path, "Original."))
    module = session.scalar(select(Module))
    make_completion(session, make_user(session), module, dt.datetime(2025, 6, 1, 12))
    session.commit()
    return module


def test_is_another_notebook_publishing_over_a_modules_id_refused_naming_everything(session, tmp_path, published_with_completion):
    copy = built(tmp_path, "A different course.", notebook="copy-of-m.ipynb", out="copy")
    events = session.scalar(select(func.count(AuditEvent.id)))
    with pytest.raises(PublishError) as refused:
        publish(session, copy)
    message = str(refused.value)
    for said in ("'Tiny module' (tiny-module)", "built from m.ipynb", "built from copy-of-m.ipynb", "1 completion",
                 "--replace tiny-module", "would become version 2", "give copy-of-m.ipynb its own id"):
        assert said in message, said
    session.expire_all()
    assert len(versions(session)) == 1 and session.scalar(select(Module.source_notebook)) == "m.ipynb"
    assert session.scalar(select(func.count(AuditEvent.id))) == events


def test_does_a_refusal_stop_the_other_modules_in_the_same_publish(session, tmp_path, published_with_completion):
    copy = built(tmp_path, "A different course.", notebook="copy-of-m.ipynb", out="copy")
    fresh = built(tmp_path, "New.", notebook="fresh.ipynb", out="fresh", id="fresh-module", title="Fresh module")
    (fresh / "fresh-module").rename(copy / "fresh-module")
    with pytest.raises(PublishError, match="--replace tiny-module"):
        publish(session, copy)
    assert session.scalar(select(func.count(Module.id))) == 1 and len(versions(session)) == 1


def test_does_the_publish_command_refuse_and_then_replace_when_told(app, session, tmp_path, published_with_completion):
    copy = built(tmp_path, "A different course.", notebook="copy-of-m.ipynb", out="copy")
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["courses", "publish", "--dry-run", str(copy)])
    assert "tiny-module: refused — " in dry.output and "1 completion" in dry.output
    refused = runner.invoke(args=["courses", "publish", str(copy)])
    assert refused.exit_code == 1 and "Nothing was published" in refused.output and "1 completion" in refused.output
    replaced = runner.invoke(args=["courses", "publish", "--replace", "tiny-module", str(copy)])
    assert replaced.exit_code == 0, replaced.output
    assert "new version 2 replacing version 1; its notebook becomes copy-of-m.ipynb (--replace)" in replaced.output
    session.expire_all()
    assert session.scalar(select(Module.source_notebook)) == "copy-of-m.ipynb" and live(session).number == 2
    first_version = session.scalar(select(ModuleVersion.id).where(ModuleVersion.number == 1))
    assert session.scalar(select(Completion.version_id)) == first_version  # completions stay where they were earned


def test_are_two_folders_with_one_id_in_a_publish_both_refused(session, tmp_path):
    out = built(tmp_path, "One.")
    (out / "tiny-module").rename(out / "first")
    built(tmp_path, "Two.", notebook="two.ipynb")
    with pytest.raises(PublishError, match="are both the module 'tiny-module'"):
        publish(session, out)
    assert session.scalar(select(func.count(Module.id))) == 0


# --- bundles built before the manifest named its notebook, or before a setting existed ---------------------

def test_does_a_bundle_built_before_sources_and_new_settings_still_publish(session, tmp_path):
    out = built(tmp_path)
    folder = out / "tiny-module"

    def older(manifest: dict) -> None:
        manifest.pop("source")
        for name in ("version_notes", "content_note", "assessment", "lang"):
            manifest["settings"].pop(name, None)
    rewrite(folder, older)
    assert publish(session, out).published == ["tiny-module"]
    version = live(session)
    assert version.settings["version_notes"] == "" and version.settings["content_note"] is False
    assert "assessment" in version.settings and session.scalar(select(Module.source_notebook)) == ""
    # the next build, which names its notebook, is taken as the module's own
    publish(session, built(tmp_path, "Changed."))
    assert session.scalar(select(Module.source_notebook)) == "m.ipynb" and live(session).number == 2


def test_is_a_bundle_lacking_a_setting_every_module_must_declare_refused(session, tmp_path):
    out = built(tmp_path)
    rewrite(out / "tiny-module", lambda manifest: manifest["settings"].pop("owner"))
    with pytest.raises(PublishError, match="the settings lack owner"):
        publish(session, out)


def test_is_a_pages_language_stored_and_a_bad_one_refused(session, tmp_path):
    out = built(tmp_path)
    rewrite(out / "tiny-module", lambda manifest: manifest["pages"][0].update(lang="cy"))
    publish(session, out)
    assert session.scalar(select(ModulePage.lang).where(ModulePage.number == 1)) == "cy"
    assert session.scalar(select(ModulePage.lang).where(ModulePage.number == 2)) == ""
    rewrite(out / "tiny-module", lambda manifest: manifest["pages"][0].update(lang='cy" onclick="x'))
    with pytest.raises(PublishError, match="is not a language tag"):
        publish(session, out)


def test_is_the_notebooks_name_outside_the_version_hash(tmp_path):
    manifest = json.loads((built(tmp_path) / "tiny-module" / MANIFEST).read_text())
    renamed = json.loads((built(tmp_path, notebook="renamed.ipynb", out="renamed") / "tiny-module" / MANIFEST).read_text())
    assert (manifest["source"], renamed["source"]) == ("m.ipynb", "renamed.ipynb")
    assert manifest["version"] == renamed["version"] and "lang" not in manifest["pages"][0]


# --- migration 0006 on a populated database ------------------------------------------------------------

def test_does_upgrading_to_0006_keep_versions_and_allow_a_restored_hash(app):
    db.session.remove()
    migrate.downgrade(db.engine, "0005")
    with db.engine.begin() as connection:
        filled: dict[str, list[dict]] = {}
        _fill_new_tables(connection, filled)
    migrate.upgrade(db.engine)
    metadata = MetaData()
    with db.engine.begin() as connection:
        metadata.reflect(connection)
        module, version, page = (metadata.tables[n] for n in ("module", "module_version", "module_page"))
        assert set(connection.execute(select(module.c.source_notebook)).scalars()) == {""}
        assert set(connection.execute(select(page.c.lang)).scalars()) == {""}
        rows = [dict(r._mapping) for r in connection.execute(select(version).order_by(version.c.id))]
        assert [(r["module_id"], r["number"]) for r in rows] == [(1, 11), (2, 12)]
        restored = {**rows[0], "id": 3, "number": 13}  # the same content hash again, as a restore writes it
        connection.execute(version.insert().values(restored))
    with pytest.raises(RuntimeError, match="same content"):
        migrate.downgrade(db.engine, "0005")
    with db.engine.begin() as connection:
        connection.execute(version.delete().where(version.c.id == 3))
    migrate.downgrade(db.engine, "0005")
    migrate.upgrade(db.engine)


# --- what the LMS takes as "the same notebook", and the audit of --replace -----------------------------------

def test_are_two_notebooks_with_one_name_and_id_in_different_folders_one_module_as_documented(session, tmp_path):
    """The file name is the notebook's identity (docs/authoring.md, section 9): a same-named copy elsewhere is
    taken as the module's own notebook. check and build catch the pair inside one courses folder."""
    publish(session, built(tmp_path, "Original.", out="a"))
    report = publish(session, built(tmp_path / "elsewhere", "Copy from another folder.", out="b"))
    assert report.plans[0].describe() == "tiny-module: new version 2 replacing version 1"


def test_is_replace_on_unchanged_content_audited_with_both_notebooks(session, tmp_path):
    publish(session, built(tmp_path, "Same."))
    events = session.scalar(select(func.count(AuditEvent.id)))
    report = publish(session, built(tmp_path, "Same.", notebook="renamed.ipynb", out="renamed"), replace=["tiny-module"])
    assert report.unchanged == ["tiny-module"]
    assert report.plans[0].describe() == "tiny-module: unchanged (version 1 is live); its notebook becomes renamed.ipynb (--replace)"
    session.expire_all()
    assert session.scalar(select(Module.source_notebook)) == "renamed.ipynb" and len(versions(session)) == 1
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[-1]
    assert session.scalar(select(func.count(AuditEvent.id))) == events + 1
    assert (event.action, event.subject) == ("module.notebook_replaced", "module:tiny-module")
    assert event.detail == {"version": 1, "notebook": "renamed.ipynb", "previous_notebook": "m.ipynb"}


def test_does_replace_with_new_content_audit_the_notebook_it_replaced(session, tmp_path):
    publish(session, built(tmp_path, "First."))
    publish(session, built(tmp_path, "Second.", notebook="renamed.ipynb", out="renamed"), replace=["tiny-module"])
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "module.published").order_by(AuditEvent.id)).all()[-1]
    assert event.detail["notebook"] == "renamed.ipynb" and event.detail["previous_notebook"] == "m.ipynb"
