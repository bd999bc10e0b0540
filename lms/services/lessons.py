"""Reading published lessons: the current version of a module, its pages, and where a learner is."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import LessonProgress, Module, ModulePage, ModuleVersion, User


@dataclass
class Lesson:
    """A module as a learner meets it: lesson pages first, then (if it has one) the assessment page."""

    module: Module
    version: ModuleVersion

    @property
    def has_assessment(self) -> bool:
        return bool(self.version.scored_questions)

    @property
    def lesson_page_count(self) -> int:
        return self.version.lesson_page_count

    def question(self, question_id: str) -> dict | None:
        return next((q for q in self.version.questions if q["id"] == question_id), None)


@dataclass(frozen=True)
class PageContent:
    """A published page's title and blocks (read only: shared by every request in this process)."""

    title: str
    blocks: list


# Built once, as these run on every lesson page: SQLAlchemy reuses their cache keys and compiled SQL.
_CURRENT_VERSION = (select(Module, ModuleVersion).join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
                    .where(Module.slug == bindparam("slug")))
_PAGE = (select(ModulePage.title, ModulePage.blocks)
         .where(ModulePage.version_id == bindparam("version_id"), ModulePage.number == bindparam("number")))
_LAST_PAGE = select(LessonProgress.last_page).where(LessonProgress.user_id == bindparam("user_id"),
                                                    LessonProgress.version_id == bindparam("version_id"))
PAGE_CACHE_SIZE = 512
_pages: OrderedDict[tuple[str, int], PageContent] = OrderedDict()
_pages_lock = threading.Lock()  # threaded servers share the cache


def find_lesson(session: Session, slug: str) -> Lesson | None:
    """The module with this id in its current version, or None if it is not published."""
    found = session.execute(_CURRENT_VERSION, {"slug": slug}).first()
    return Lesson(*found) if found else None


def page(session: Session, version: ModuleVersion, number: int) -> PageContent | None:
    """A page of a version, cached per process (LRU): a published version's pages never change.

    The key is the version's content hash, not its id, so the cache cannot mix up two databases.
    """
    key = (version.content_hash, number)
    with _pages_lock:
        cached = _pages.get(key)
        if cached is not None:
            _pages.move_to_end(key)
            return cached
    found = session.execute(_PAGE, {"version_id": version.id, "number": number}).first()
    if found is None:
        return None
    content = PageContent(found.title, found.blocks)
    with _pages_lock:
        _pages[key] = content
        while len(_pages) > PAGE_CACHE_SIZE:
            _pages.popitem(last=False)
    return content


def lesson_pages(session: Session, lesson: Lesson) -> list[ModulePage]:
    """Every lesson page in order, without the assessment page: the module as one printable document."""
    return list(session.scalars(select(ModulePage).where(ModulePage.version_id == lesson.version.id,
                                                         ModulePage.number <= lesson.lesson_page_count)
                                .order_by(ModulePage.number)))


def resume_page(session: Session, user: User, version_id: int) -> int:
    """The page a learner last opened in this version (1 if they have not started)."""
    return session.scalar(_LAST_PAGE, {"user_id": user.id, "version_id": version_id}) or 1


def remember_page(session: Session, user: User, version_id: int, number: int) -> None:
    """Keep the page a learner opened, so 'Continue' brings them back to it (and 'My training' says 'in progress')."""
    if session.scalar(_LAST_PAGE, {"user_id": user.id, "version_id": version_id}) == number:
        return
    with write_transaction(session):
        progress = session.scalar(select(LessonProgress).where(LessonProgress.user_id == user.id, LessonProgress.version_id == version_id))
        if progress is None:
            session.add(LessonProgress(user_id=user.id, version_id=version_id, last_page=number))
        else:
            progress.last_page = number
