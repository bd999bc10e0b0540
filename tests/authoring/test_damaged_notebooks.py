"""Is a notebook too deep, too big or not JSON reported as that notebook's problem while the others still build?"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from authoring import build, check
from authoring.notebook import MAX_NOTEBOOK_BYTES
from tests.builders import QUESTION, write_notebook


def _good(folder: Path) -> Path:
    return write_notebook(folder / "good.ipynb", "# Page\n\nText.", "# Assessment\n\nGo.", QUESTION)


def _deep(folder: Path, depth: int) -> Path:
    """A real notebook with a metadata value nested `depth` lists deep, as a broken tool might save it."""
    data = json.loads(_good(folder).read_text())
    data["metadata"]["broken"] = "[" * depth + "]" * depth
    text = json.dumps(data).replace(json.dumps("[" * depth + "]" * depth), "[" * depth + "]" * depth)
    path = folder / f"deep-{depth}.ipynb"
    path.write_text(text)
    return path


@pytest.mark.parametrize("depth", [600, 100_000])
def test_is_a_deeply_nested_notebook_reported_and_the_other_built(tmp_path, depth):
    deep = _deep(tmp_path / "src", depth)
    problems = [str(p) for p in check([tmp_path / "src"])]
    assert problems == [f"{deep}: the notebook is nested too deeply to read (lists or objects inside one another hundreds of levels deep)"
                        " — restore the last good copy of the notebook; JupyterLab never saves one like this"]
    report = build([tmp_path / "src"], tmp_path / "out")
    assert report.failed == [deep] and [p.name for p in report.built] == ["tiny-module"]


@pytest.mark.parametrize(("content", "message"), [
    (b"this is not json", "the notebook is not valid JSON (line 1, column 1: Expecting value)"),
    (b"", "the notebook is not valid JSON"),
    (b"\xff\xfe\x00", "the file cannot be read (UnicodeDecodeError)"),
    (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": "oops"}', "the notebook's structure is damaged"),
    (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [1, 2]}', "the notebook's structure is damaged"),
])
def test_is_a_notebook_that_is_not_a_notebook_reported_not_raised(tmp_path, content, message):
    _good(tmp_path / "src")
    (tmp_path / "src" / "bad.ipynb").write_bytes(content)
    problems = [str(p) for p in check([tmp_path / "src"])]
    assert len(problems) == 1 and problems[0].startswith(f"{tmp_path / 'src' / 'bad.ipynb'}: {message}"), problems
    assert [p.name for p in build([tmp_path / "src"], tmp_path / "out").built] == ["tiny-module"]


def test_is_a_huge_notebook_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.ipynb"
    with huge.open("wb") as file:
        file.truncate(MAX_NOTEBOOK_BYTES + 1)  # sparse: no need to write 20 MB
    problems = [str(p) for p in check([huge])]
    assert problems == [f"{huge}: the notebook is larger than 20 MB — save big images as files next to the notebook"
                        " (PNG or JPEG, under 1 MB each) and link to them"]
