"""Fixtures for the fault tests: the tiny module published, an organisation for its learners, and an
app on its own SQLite file for the tests that are about SQLite whatever database the suite uses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from authoring import build
from lms import create_app, migrate
from lms.db import db
from lms.models import Organisation
from lms.services.publishing import publish
from tests.builders import make_organisation, make_partnership
from tests.conftest import ROOT
from tests.faults.live import Learner, add_learners

TINY = ROOT / "tests" / "data" / "tiny-module"


@pytest.fixture
def organisation(session, published) -> Organisation:
    partnership = make_partnership(session, "Safer Testville", {"hate_crime_reporting": "the Testville Hate Crime Hub"})
    organisation = make_organisation(session, partnership, "Testville Council")
    session.commit()
    return organisation


@pytest.fixture
def sqlite_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """An app on its own SQLite file (whatever database the suite uses), migrated, the tiny module published."""
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'lms.sqlite3'}", "SECRET_KEY": "fault-test-secret",
                      "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        migrate.upgrade(db.engine)
        assert not build([TINY], tmp_path / "build").failed
        publish(db.session, tmp_path / "build")
        yield app
        db.session.remove()
        db.engine.dispose()


def learners_of_new_organisation(app: Flask, count: int) -> list[Learner]:
    """`count` signed-in learners of a new council, each with an open attempt."""
    organisation = make_organisation(db.session, make_partnership(db.session, "Safer Testville"), "Testville Council")
    db.session.commit()
    return add_learners(app, db.session, organisation, count, prefix=f"{organisation.slug}-learner")
