"""Reading published lessons: the current version of a module, its pages, and where a learner is."""

from __future__ import annotations

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
        return self.version.page_count - (1 if self.has_assessment else 0)

    def question(self, question_id: str) -> dict | None:
        return next((q for q in self.version.questions if q["id"] == question_id), None)


# Built once, as these run on every lesson page: SQLAlchemy reuses their cache keys and compiled SQL.
_CURRENT_VERSION = (select(Module, ModuleVersion).join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
                    .where(Module.slug == bindparam("slug")))
_PAGE = select(ModulePage).where(ModulePage.version_id == bindparam("version_id"), ModulePage.number == bindparam("number"))


def find_lesson(session: Session, slug: str) -> Lesson | None:
    """The module with this id in its current version, or None if it is not published."""
    found = session.execute(_CURRENT_VERSION, {"slug": slug}).first()
    return Lesson(*found) if found else None


def page(session: Session, version_id: int, number: int) -> ModulePage | None:
    return session.scalar(_PAGE, {"version_id": version_id, "number": number})


def lesson_pages(session: Session, lesson: Lesson) -> list[ModulePage]:
    """Every lesson page in order, without the assessment page: the module as one printable document."""
    return list(session.scalars(select(ModulePage).where(ModulePage.version_id == lesson.version.id,
                                                         ModulePage.number <= lesson.lesson_page_count)
                                .order_by(ModulePage.number)))


def resume_page(session: Session, user: User, version_id: int) -> int:
    """The page a learner last opened in this version (1 if they have not started)."""
    last = session.scalar(select(LessonProgress.last_page).where(LessonProgress.user_id == user.id, LessonProgress.version_id == version_id))
    return last or 1


def remember_page(session: Session, user: User, version_id: int, number: int) -> None:
    """Keep the page a learner opened, so 'Continue' brings them back to it (and 'My training' says 'in progress')."""
    last = session.scalar(select(LessonProgress.last_page).where(LessonProgress.user_id == user.id, LessonProgress.version_id == version_id))
    if last == number:
        return
    with write_transaction(session):
        progress = session.scalar(select(LessonProgress).where(LessonProgress.user_id == user.id, LessonProgress.version_id == version_id))
        if progress is None:
            session.add(LessonProgress(user_id=user.id, version_id=version_id, last_page=number))
        else:
            progress.last_page = number
