"""What the xAPI tests share: the tiny module published, two learners (one whose organisation shares
emails with the LRS), and a real Ralph LRS started on 127.0.0.1 for the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lms.models import ModuleVersion
from tests.lms.xapi.xapi_builders import tiny_version, two_learners
from tests.lms.xapi.xapi_ralph import Ralph, running


@pytest.fixture
def version(session, tmp_path: Path) -> ModuleVersion:
    return tiny_version(session, tmp_path)


@pytest.fixture
def people(session):
    return two_learners(session)


@pytest.fixture
def ralph(tmp_path: Path) -> Iterator[Ralph]:
    with running(tmp_path / "ralph") as lrs:
        yield lrs
