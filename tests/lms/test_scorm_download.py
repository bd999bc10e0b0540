"""Trainers download a published module as a SCORM 1.2 zip, with their partnership's details; nobody else can."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from lms.models import AuditEvent, Role
from tests.builders import make_organisation, make_partnership, make_user
from tests.conftest import sign_in


@pytest.fixture
def organisation(session):
    partnership = make_partnership(session, "Safer Testville", {"hate_crime_reporting": "the Testville Hate Crime Hub"})
    return make_organisation(session, partnership, "Testville Council")


def person(session, organisation, role: Role) -> str:
    user = make_user(session, organisation, role=role)
    session.commit()
    return user.email


@pytest.mark.parametrize("role", [Role.TRAINER, Role.SITE_ADMIN])
def test_can_a_trainer_download_the_current_version_as_scorm(client, session, published, organisation, role):
    sign_in(client, person(session, organisation, role))
    response = client.get("/modules/tiny-module/scorm.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="tiny-module-version-1-scorm12.zip"'
    assert "no-store" in response.headers["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.namelist()[0] == "imsmanifest.xml"
    assert "In Safer Testville, report it to the Testville Hate Crime Hub." in archive.read("index.html").decode("utf-8")
    session.rollback()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "module.scorm_downloaded"))
    assert (event.subject, event.detail) == ("module:tiny-module", {"version": 1})  # the answer key left: it is logged


@pytest.mark.parametrize("role", [Role.LEARNER, Role.ORG_ADMIN, Role.PARTNERSHIP_LEAD])
def test_is_the_package_with_its_answer_key_not_found_for_anyone_else(client, session, published, organisation, role):
    sign_in(client, person(session, organisation, role))
    assert client.get("/modules/tiny-module/scorm.zip").status_code == 404


def test_must_a_visitor_sign_in_first(client, published):
    response = client.get("/modules/tiny-module/scorm.zip")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_is_an_unpublished_module_not_found(client, session, organisation):
    sign_in(client, person(session, organisation, Role.TRAINER))
    assert client.get("/modules/no-such-module/scorm.zip").status_code == 404


def test_does_the_module_page_offer_trainers_the_download(client, session, published, organisation):
    sign_in(client, person(session, organisation, Role.TRAINER))
    page = client.get("/modules/tiny-module").get_data(as_text=True)
    assert 'href="/modules/tiny-module/scorm.zip"' in page and "includes the answer key" in page


def test_is_the_download_hidden_from_learners(client, session, published, organisation):
    sign_in(client, person(session, organisation, Role.LEARNER))
    assert "scorm.zip" not in client.get("/modules/tiny-module").get_data(as_text=True)


def test_is_a_module_scorm_cannot_hold_explained_to_the_trainer_not_a_server_error(client, session, organisation, tmp_path):
    from tests.builders import publish_module, write_notebook
    options = "\n".join(f"- [{'x' if n == 1 else ' '}] Option number {n}" for n in range(1, 38))  # SCORM 1.2 names 36
    write_notebook(tmp_path / "src" / "tiny-module.ipynb", "# Page\n\nText.", "# Assessment\n\nGo.",
                   f"### Question\n\nWhich option is first?\n\n{options}\n")
    publish_module(session, tmp_path / "src", tmp_path / "out")
    sign_in(client, person(session, organisation, Role.TRAINER))
    response = client.get("/modules/tiny-module/scorm.zip")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "This module cannot be made into a SCORM package" in html
    assert "more than 36 options" in html and "give it fewer options" in html and "Traceback" not in html
