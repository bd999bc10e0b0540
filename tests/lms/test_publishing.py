"""Does publishing make a new version only when content changes, keep old completions, and change nothing on bad input?"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil

import pytest
from sqlalchemy import func, select

from authoring import build
from authoring.bundle import ANSWER_KEY, MANIFEST, content_version
from lms.models import AuditEvent, Module, ModuleAsset, ModuleVersion
from lms.services.bundles import CONTENT_KEYS, PublishError
from lms.services.publishing import publish
from tests.builders import QUESTION, write_notebook


def built(tmp_path, text="Text."):
    source = write_notebook(tmp_path / "src" / "m.ipynb", f"# Page\n\n{text}", "# Assessment\n\nGo.", QUESTION)
    assert build([source], tmp_path / "out").built or True
    return tmp_path / "out"


def test_is_a_new_version_made_only_when_the_content_changes(session, tmp_path):
    out = built(tmp_path)
    assert publish(session, out).published == ["tiny-module"]
    assert publish(session, out).unchanged == ["tiny-module"]
    first = session.scalar(select(Module)).current_version_id
    out = built(tmp_path, "New text.")
    assert publish(session, out).published == ["tiny-module"]
    module = session.scalar(select(Module))
    versions = session.scalars(select(ModuleVersion).order_by(ModuleVersion.number)).all()
    assert [v.number for v in versions] == [1, 2] and module.current_version_id == versions[1].id != first
    assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "module.published")) == 2


def test_does_an_edited_bundle_change_nothing(session, tmp_path):
    out = built(tmp_path)
    manifest_path = out / "tiny-module" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["pages"][0]["blocks"][0]["html"] = "<p>Changed by hand</p>"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(PublishError, match="edited after building"):
        publish(session, out)
    assert session.scalar(select(func.count(Module.id))) == 0


def test_does_one_bad_bundle_stop_the_whole_publish(session, tmp_path):
    out = built(tmp_path)
    shutil.copytree(out / "tiny-module", out / "broken")
    (out / "broken" / "answer-key.json").write_text("{not json")
    with pytest.raises(PublishError, match="cannot be read"):
        publish(session, out)
    assert session.scalar(select(func.count(Module.id))) == 0


def test_is_an_empty_folder_explained(session, tmp_path):
    with pytest.raises(PublishError, match="holds no built modules"):
        publish(session, tmp_path)


def test_does_the_publish_command_say_what_went_wrong(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["courses", "publish", str(tmp_path)])
    assert result.exit_code == 1 and "holds no built modules" in result.output and "Nothing was published" in result.output


# --- a bundle on disk is trusted for nothing: someone who can write the build folder recomputes the hash ---

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>'


def built_with_image(tmp_path, name="dot.png", data=PNG):
    (tmp_path / "src").mkdir(parents=True, exist_ok=True)
    (tmp_path / "src" / name).write_bytes(data)
    source = write_notebook(tmp_path / "src" / "m.ipynb", f"# Page\n\n![A dot]({name})", "# Assessment\n\nGo.", QUESTION)
    assert build([source], tmp_path / "out").built
    return tmp_path / "out" / "tiny-module"


def tamper(folder, change) -> None:
    """Edit a bundle as an attacker would: change it, then recompute the version so the hash matches."""
    manifest = json.loads((folder / MANIFEST).read_text())
    key = json.loads((folder / ANSWER_KEY).read_text())
    change(manifest, key)
    manifest["version"] = content_version({k: manifest[k] for k in CONTENT_KEYS}, key)
    (folder / MANIFEST).write_text(json.dumps(manifest))
    (folder / ANSWER_KEY).write_text(json.dumps(key))


def plant_asset(name: str, data: bytes, media_type: str = "image/png"):
    def change(manifest, key):
        manifest["assets"].append({"name": name, "media_type": media_type, "sha256": hashlib.sha256(data).hexdigest()})
    return change


def refused(session, out, message: str) -> str:
    with pytest.raises(PublishError) as raised:
        publish(session, out)
    assert message in str(raised.value), str(raised.value)
    assert session.scalar(select(func.count(ModuleVersion.id))) == 0
    return str(raised.value)


def _set(path: str, value):
    def change(manifest, key):
        *parents, last = path.split(".")
        target = {"manifest": manifest, "key": key}
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[int(last) if isinstance(target, list) else last] = value
    return change


@pytest.mark.parametrize(("change", "where"), [
    (_set("manifest.pages.0.blocks.0.html", '<p class="govuk-body">Hi<script>alert(1)</script></p>'), "manifest.json: page 1 block 1:"),
    (_set("manifest.pages.0.title", '<img src="assets/x.png" onerror="alert(1)">'), "manifest.json: page 1 title:"),
    (_set("manifest.pages.0.blocks.0.html", '<img src="assets/../../../sign-out" alt="">'), "manifest.json: page 1 block 1:"),
    (_set("manifest.pages.0.blocks.0.html", '<a href="/admin/users">x</a>'), "manifest.json: page 1 block 1:"),
    (_set("manifest.questions.0.options.0.html", '<a href="javascript:alert(1)">Nobody</a>'), "manifest.json: question "),
])
def test_is_script_planted_in_a_bundle_with_a_matching_hash_refused(session, tmp_path, change, where):
    out = built(tmp_path)
    tamper(out / "tiny-module", change)
    message = refused(session, out, "the lesson HTML holds markup the sanitiser removes")
    assert f"{out / 'tiny-module'}/{where}" in message and message.endswith("then publish the new folder")


def test_is_script_in_the_answer_keys_feedback_refused(session, tmp_path):
    out = built(tmp_path)
    def change(manifest, key):
        entry = next(iter(key.values()))
        entry["feedback"][next(iter(entry["feedback"]))] = "Right.<img src=x onerror=alert(1)>"
    tamper(out / "tiny-module", change)
    assert "answer-key.json: question" in refused(session, out, "the lesson HTML holds markup the sanitiser removes")


@pytest.mark.parametrize(("change", "message"), [
    (lambda m, k: next(iter(k.values())).update(correct=["not-an-option"]), "the right answers are not options of the question"),
    (lambda m, k: next(iter(k.values())).update(correct=[o["id"] for o in m["questions"][0]["options"]]),
     "a one-answer question has 2 options marked [x]"),
    (lambda m, k: k.update({"made-up": {"correct": ["a"], "feedback": {}}}), "one entry per question"),
    (lambda m, k: m["settings"].update(pass_mark=0), "settings: pass_mark 0 is out of range — use a whole number from 1 to 100"),
    (lambda m, k: m["settings"]["guidance"].append({"title": "x", "url": "javascript:alert(1)"}), "settings: guidance source 2"),
    (lambda m, k: m.update(title="Another module's title"), "the module id or title differs from its settings"),
    (lambda m, k: m["questions"][0].update(kind="free_text"), "the question is not shaped as 'authoring build' writes it"),
    (lambda m, k: m["pages"][0]["blocks"].append({"type": "question", "id": "nowhere"}), "page 1: a block is not shaped"),
])
def test_is_a_made_up_answer_key_or_setting_refused(session, tmp_path, change, message):
    out = built(tmp_path)
    tamper(out / "tiny-module", change)
    refused(session, out, message)


@pytest.mark.parametrize("name", ["../../../evil.png", "/etc/passwd", "a\\..\\b.png", "%2e%2e%2fevil.png", "evil\0.png"])
def test_is_an_asset_name_that_leaves_the_version_folder_refused(session, tmp_path, name):
    out = built(tmp_path)
    tamper(out / "tiny-module", plant_asset(name, PNG))
    refused(session, out, f"manifest.json: assets: the asset name {name!r} could leave the module's folder")


@pytest.mark.parametrize(("data", "message"), [
    (b"<html><script>alert(document.cookie)</script></html>", "is not a PNG, JPEG, GIF, WebP or SVG image"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "is an SVG with an event handler (onload)"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "is an SVG with a <script> element"),
])
def test_is_a_planted_file_that_is_not_a_safe_image_refused(session, tmp_path, data, message):
    out = built(tmp_path)
    (out / "tiny-module" / "assets").mkdir()
    (out / "tiny-module" / "assets" / "abc-chart.png").write_bytes(data)
    tamper(out / "tiny-module", plant_asset("abc-chart.png", data))
    text = refused(session, out, message)
    assert text.startswith(f"{out / 'tiny-module' / 'assets' / 'abc-chart.png'}: the file ") and "use a PNG, JPEG, GIF or WebP image" in text


def test_is_the_stored_type_taken_from_the_bytes_not_the_manifest(session, tmp_path):
    folder = built_with_image(tmp_path, "dot.svg", SVG)
    tamper(folder, lambda m, k: m["assets"][0].update(media_type="text/html"))
    publish(session, folder.parent)
    assert session.scalar(select(ModuleAsset.media_type)) == "image/svg+xml"


def test_is_a_deeply_nested_manifest_refused_not_raised(session, tmp_path):
    out = built(tmp_path)
    (out / "tiny-module" / MANIFEST).write_text("[" * 100_000 + "]" * 100_000)
    refused(session, out, "manifest.json: the bundle cannot be read (RecursionError)")


def test_does_a_real_bundle_with_an_image_publish(session, tmp_path):
    folder = built_with_image(tmp_path)
    assert publish(session, folder.parent).published == ["tiny-module"]
    assert session.scalar(select(ModuleAsset.media_type)) == "image/png"


def test_does_a_question_whose_text_has_two_paragraphs_build_and_publish_with_both(session, tmp_path):
    # Moodle's editor writes '<p>..</p><p>..</p>'; imported, that is a question with two paragraphs of text
    question = QUESTION.replace("Who should you tell first?", "You see a bruise on a colleague's arm.\n\nWho should you tell first?")
    source = write_notebook(tmp_path / "src" / "m.ipynb", "# Page\n\nText.", "# Assessment\n\nGo.", question)
    report = build([source], tmp_path / "out")
    assert report.built and not report.failed, report.problems
    assert publish(session, tmp_path / "out").published == ["tiny-module"]
    stem = json.dumps(session.scalar(select(ModuleVersion)).questions)
    assert "colleague's arm.<br>" in stem.replace("&#x27;", "'").replace("\\n", "") and "</p><p" not in stem
