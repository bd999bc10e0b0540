"""What the xAPI tests share: the tiny module published, two learners (one pseudonymous, one whose
organisation shares emails), and the outbox as it stands."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from authoring import build
from lms.models import Module, ModuleVersion, User, XapiOutbox
from lms.services.publishing import publish
from tests.builders import make_organisation, make_partnership, make_user
from tests.conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny-module"


def tiny_version(session, folder: Path) -> ModuleVersion:
    """The tiny test module, built and published; its live version."""
    report = build([TINY], folder / "build")
    assert report.built and not report.failed
    publish(session, folder / "build")
    module = session.scalar(select(Module).where(Module.slug == "tiny-module"))
    return session.get(ModuleVersion, module.current_version_id)


def two_learners(session) -> tuple[User, User]:
    """A learner whose organisation keeps them pseudonymous, and one whose organisation shares emails."""
    partnership = make_partnership(session, "Safer Testville")
    private = make_organisation(session, partnership, "Testville Council")
    sharing = make_organisation(session, partnership, "Testville Police")
    sharing.xapi_shares_email = True
    learner = make_user(session, private, email="private.learner@testville.example")
    sharer = make_user(session, sharing, email="shared.learner@testville.example")
    session.commit()
    return learner, sharer


def outbox(session) -> list[XapiOutbox]:
    """Every kept statement, oldest first, read afresh."""
    session.rollback()
    return session.scalars(select(XapiOutbox).order_by(XapiOutbox.id)).all()
