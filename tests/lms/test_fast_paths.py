"""Do the shortcuts that make lesson pages and submissions cheaper keep every page current and every rule in force?"""

from __future__ import annotations

import shutil
import socket
from collections import OrderedDict

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from lms.db import closed_by_server, db
from lms.models import Attempt, Completion, Module, Partnership, User
from lms.services import completions, lessons
from tests.builders import answer_form, make_organisation, make_partnership, make_user, publish_module
from tests.conftest import ROOT, sign_in

TINY = ROOT / "tests" / "data" / "tiny-module"


@pytest.fixture
def learner(session, tmp_path):
    publish_module(session, TINY, tmp_path / "build")
    partnership = make_partnership(session, "Safer Testville", {"hate_crime_reporting": "the Testville Hate Crime Hub"})
    user = make_user(session, make_organisation(session, partnership, "Testville Council"), email="learner@testville.example")
    session.commit()
    return user


def test_is_a_deactivated_learner_turned_away_on_their_very_next_page(client, session, learner):
    sign_in(client, "learner@testville.example")
    assert client.get("/modules/tiny-module/pages/1").status_code == 200
    session.execute(update(User).where(User.id == learner.id).values(active=False))
    session.commit()
    response = client.get("/modules/tiny-module/pages/1")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_does_a_partnerships_new_contact_show_on_the_next_page(client, session, learner):
    sign_in(client, "learner@testville.example")
    assert "the Testville Hate Crime Hub" in client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    session.execute(update(Partnership).values(settings={"hate_crime_reporting": "the New Reporting Line"}))
    session.commit()
    page = client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert "the New Reporting Line" in page and "Testville Hate Crime Hub" not in page


def test_does_a_newly_published_version_replace_the_page_a_learner_saw(client, session, learner, tmp_path):
    sign_in(client, "learner@testville.example")
    assert "Spotting harm" in client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    source = tmp_path / "changed"
    shutil.copytree(TINY, source)
    notebook = source / "tiny-module.ipynb"
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("Spotting harm", "Noticing harm"), encoding="utf-8")
    publish_module(session, source, tmp_path / "build-2")
    session.commit()
    page = client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert "Noticing harm" in page and "Spotting harm" not in page


def test_is_an_attempt_submitted_elsewhere_while_this_request_waited_not_marked_again(session, learner):
    version = session.scalar(select(Module).where(Module.slug == "tiny-module")).current_version
    attempt = completions.start_attempt(session, learner, version)
    assert session.get(Attempt, attempt.id).submitted_at is None  # this request has read the attempt, still open
    right, wrong = answer_form(session, attempt), answer_form(session, attempt, right=False)
    with Session(db.engine) as other_tab:
        completions.submit_attempt(other_tab, attempt.id, other_tab.get(User, learner.id), right)
    submission = completions.submit_attempt(session, attempt.id, learner, wrong)
    key = version.answer_key
    assert submission.attempt.passed and submission.marking.passed
    assert submission.attempt.answers == {q["id"]: sorted(key[q["id"]]["correct"]) for q in version.scored_questions}
    assert session.scalar(select(func.count(Completion.id)).where(Completion.attempt_id == attempt.id)) == 1


def test_is_a_connection_the_server_closed_noticed_before_a_request_uses_it():
    app_end, server_end = socket.socketpair()
    with app_end, server_end:
        assert not closed_by_server(app_end)  # idle and open: nothing to read
        server_end.close()  # what a database restart or a terminated backend does to the socket
        assert closed_by_server(app_end)


def test_does_the_page_cache_stay_within_its_bound_and_still_serve_every_page(client, learner, monkeypatch):
    monkeypatch.setattr(lessons, "PAGE_CACHE_SIZE", 1)
    monkeypatch.setattr(lessons, "_pages", OrderedDict())  # empty, as in a newly started server
    sign_in(client, "learner@testville.example")
    for _ in range(2):
        assert "Spotting harm" in client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
        assert client.get("/modules/tiny-module/assessment").status_code == 200  # its introduction is the last page
        assert len(lessons._pages) == 1
