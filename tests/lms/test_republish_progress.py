"""Does a republished module keep learners on the page they had reached (by its title), say so on the
module page and on My training, and leave completions on the version they were earned on?"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select

from authoring import build
from lms.db import db
from lms.models import Completion, LessonProgress, Module, ModuleVersion
from lms.services import lessons
from lms.services.publishing import publish
from tests.builders import QUESTION, make_completion, make_user, settings_cell, write_notebook
from tests.conftest import sign_in

UPDATED = "Updated since you started"


def release(session, tmp_path, *pages: str, notes: str = "") -> ModuleVersion:
    """Build and publish the module with these page titles (each page says its title); returns the live version."""
    cells = [f"# {title}\n\nAbout {title.lower()}." for title in pages]
    source = write_notebook(tmp_path / "src" / "m.ipynb", *cells, "# Assessment\n\nGo.", QUESTION,
                            settings=settings_cell(version_notes=notes or None))
    assert build([source], tmp_path / "out").built
    publish(session, tmp_path / "out")
    session.expire_all()
    module = session.scalar(select(Module))
    return session.get(ModuleVersion, module.current_version_id)


@pytest.fixture
def learner(session):
    person = make_user(session, email="reader@example.org")
    session.commit()
    return person


def test_does_a_learner_continue_at_their_page_when_pages_are_added_before_it(client, session, tmp_path, learner):
    first = release(session, tmp_path, "Spotting harm", "Reporting *routes*")
    lessons.remember_page(session, learner, first.id, 2)
    release(session, tmp_path, "Welcome", "Spotting harm", "Reporting <em>routes</em>", notes="Adds a welcome page.")
    sign_in(client, "reader@example.org")
    page = client.get("/modules/tiny-module").get_data(as_text=True)
    assert 'href="/modules/tiny-module/pages/3"' in page and "Continue" in page
    assert UPDATED in page and "version 1; this is version 2" in page and "What changed: Adds a welcome page." in page
    assert UPDATED in client.get("/my-training").get_data(as_text=True)
    client.get("/modules/tiny-module/pages/3")  # reading on in the new version: the update is no news any more
    assert UPDATED not in client.get("/my-training").get_data(as_text=True)
    assert UPDATED not in client.get("/modules/tiny-module").get_data(as_text=True)


def test_does_a_learner_start_again_at_page_1_only_when_their_page_is_gone(client, session, tmp_path, learner):
    first = release(session, tmp_path, "Spotting harm", "Old routes")
    lessons.remember_page(session, learner, first.id, 2)
    release(session, tmp_path, "Spotting harm", "New routes")
    sign_in(client, "reader@example.org")
    page = client.get("/modules/tiny-module").get_data(as_text=True)
    assert 'href="/modules/tiny-module/pages/1"' in page and "no longer in it" in page and "Start now" in page


def test_are_titles_matched_as_plain_text(session, tmp_path, learner):
    first = release(session, tmp_path, "One", "Who to *tell*", "Three")
    lessons.remember_page(session, learner, first.id, 2)
    second = release(session, tmp_path, "Who to tell", "Three")
    lesson = lessons.Lesson(second.module, second)
    assert lessons.resume(session, learner, lesson) == lessons.Resume(1, True, 1, False, "Who to tell")


def test_is_finding_the_page_in_an_earlier_version_one_query_and_only_without_progress(session, tmp_path, learner):
    first = release(session, tmp_path, "Spotting harm", "Reporting routes")
    lessons.remember_page(session, learner, first.id, 2)
    second = release(session, tmp_path, "Welcome", "Spotting harm", "Reporting routes")
    lesson = lessons.Lesson(second.module, second)
    assert learner.id and lesson.module.id and lesson.lesson_page_count  # loaded before counting, as a request has them
    statements: list[str] = []
    listen = lambda *args: statements.extend([args[2]] if args[2].startswith("SELECT") else [])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert lessons.resume(session, learner, lesson).number == 3
        assert len(statements) == 2  # this version's progress (none), then the earlier page beside this version's titles
        lessons.remember_page(session, learner, second.id, 3)
        statements.clear()
        assert lessons.resume(session, learner, lesson) == lessons.Resume(3, started=True)
        assert len(statements) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def test_is_a_completed_module_not_shown_as_updated_and_its_completion_kept(client, session, tmp_path, learner):
    first = release(session, tmp_path, "Spotting harm", "Reporting routes")
    lessons.remember_page(session, learner, first.id, 2)
    make_completion(session, learner, session.scalar(select(Module)), dt.datetime(2025, 6, 1, 12))
    session.commit()
    release(session, tmp_path, "Spotting harm", "Reporting routes, revised")
    sign_in(client, "reader@example.org")
    assert UPDATED not in client.get("/my-training").get_data(as_text=True)
    assert session.scalar(select(Completion.version_id)) == first.id


def test_is_a_restore_of_the_content_they_read_not_news(client, session, tmp_path, learner):
    first = release(session, tmp_path, "Spotting harm", "Reporting routes")
    lessons.remember_page(session, learner, first.id, 2)
    release(session, tmp_path, "Spotting harm", "Unwanted")
    restored = release(session, tmp_path, "Spotting harm", "Reporting routes")
    assert restored.number == 3 and restored.content_hash == first.content_hash
    sign_in(client, "reader@example.org")
    assert UPDATED not in client.get("/my-training").get_data(as_text=True)
    assert 'href="/modules/tiny-module/pages/2"' in client.get("/modules/tiny-module").get_data(as_text=True)
    assert session.scalar(select(LessonProgress.version_id)) == first.id
