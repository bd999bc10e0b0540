"""Reading published lessons: the current version of a module, its pages, and where a learner is.

A republished module keeps learners where they were: with no progress in the live version but some in
an earlier one, they resume at the live page whose plain-text title matches the page they had reached
(page 1 only when that page is gone). That costs one query, and only on the module page of a learner
with no progress in the live version; lesson pages run no extra query.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased

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

    @property
    def lang(self) -> str:
        """The module's language tag ("" = English, like the rest of the site)."""
        return self.version.settings.get("lang", "")

    def question(self, question_id: str) -> dict | None:
        return next((q for q in self.version.questions if q["id"] == question_id), None)


@dataclass(frozen=True)
class PageContent:
    """A published page's title and blocks (read only: shared by every request in this process)."""

    title: str
    blocks: list
    lang: str = ""  # the page's own language, when it differs from the module's


@dataclass(frozen=True)
class Resume:
    """Where a learner picks a module up: `earlier_version` is set when their progress is in an older version."""

    number: int = 1
    started: bool = False
    earlier_version: int | None = None
    page_gone: bool = False  # the page they had reached is not in the live version: they start at page 1
    page_title: str = ""  # the live page they continue at, when carried over from an earlier version


# Built once, as these run on every lesson page: SQLAlchemy reuses their cache keys and compiled SQL.
_CURRENT_VERSION = (select(Module, ModuleVersion).join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
                    .where(Module.slug == bindparam("slug")))
_PAGE = (select(ModulePage.title, ModulePage.blocks, ModulePage.lang)
         .where(ModulePage.version_id == bindparam("version_id"), ModulePage.number == bindparam("number")))
_LAST_PAGE = select(LessonProgress.last_page).where(LessonProgress.user_id == bindparam("user_id"),
                                                    LessonProgress.version_id == bindparam("version_id"))
# The live version and, in the same round trip, the page the learner last opened in it (None: not started).
_CURRENT_VERSION_AND_PLACE = _CURRENT_VERSION.add_columns(
    select(LessonProgress.last_page).where(LessonProgress.user_id == bindparam("user_id"),
                                           LessonProgress.version_id == ModuleVersion.id).scalar_subquery())
_OLD, _NEW = aliased(ModulePage), aliased(ModulePage)
_LATEST_ELSEWHERE = (select(LessonProgress.id).join(ModuleVersion, ModuleVersion.id == LessonProgress.version_id)
                     .where(LessonProgress.user_id == bindparam("user_id"), ModuleVersion.module_id == bindparam("module_id"),
                            LessonProgress.version_id != bindparam("version_id"))
                     .order_by(LessonProgress.updated_at.desc(), LessonProgress.id.desc()).limit(1).scalar_subquery())
# The learner's latest page in another version of the module, beside every page title of the live version.
_CARRIED = (select(ModuleVersion.number.label("old_version"), LessonProgress.last_page, _OLD.title.label("old_title"),
                   _NEW.number, _NEW.title)
            .select_from(LessonProgress)
            .join(ModuleVersion, ModuleVersion.id == LessonProgress.version_id)
            .join(_OLD, (_OLD.version_id == LessonProgress.version_id) & (_OLD.number == LessonProgress.last_page))
            .join(_NEW, _NEW.version_id == bindparam("version_id"))
            .where(LessonProgress.id == _LATEST_ELSEWHERE))
_LIVE = aliased(ModuleVersion)
# Each version the learner has progress in, beside its module's live version's content hash.
_STARTED_VERSIONS = (select(ModuleVersion.module_id, ModuleVersion.content_hash, _LIVE.content_hash.label("live_hash"))
                     .join(LessonProgress, LessonProgress.version_id == ModuleVersion.id)
                     .join(Module, Module.id == ModuleVersion.module_id)
                     .join(_LIVE, _LIVE.id == Module.current_version_id)
                     .where(LessonProgress.user_id == bindparam("user_id")))
PAGE_CACHE_SIZE = 512
_pages: OrderedDict[tuple[str, int], PageContent] = OrderedDict()
_pages_lock = threading.Lock()  # threaded servers share the cache


def find_lesson(session: Session, slug: str) -> Lesson | None:
    """The module with this id in its current version, or None if it is not published."""
    found = session.execute(_CURRENT_VERSION, {"slug": slug}).first()
    return Lesson(*found) if found else None


def find_lesson_and_place(session: Session, slug: str, user: User) -> tuple[Lesson | None, int | None]:
    """The module in its current version and the learner's last page in it, in one query (a lesson page's read)."""
    found = session.execute(_CURRENT_VERSION_AND_PLACE, {"slug": slug, "user_id": user.id}).first()
    return (Lesson(found[0], found[1]), found[2]) if found else (None, None)


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
    content = PageContent(found.title, found.blocks, found.lang)
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


def resume(session: Session, user: User, lesson: Lesson) -> Resume:
    """Where the learner continues: their page in the live version, else its match in the version they started."""
    last = session.scalar(_LAST_PAGE, {"user_id": user.id, "version_id": lesson.version.id})
    if last is not None:
        return Resume(last, started=True)
    rows = session.execute(_CARRIED, {"user_id": user.id, "module_id": lesson.module.id, "version_id": lesson.version.id}).all()
    if not rows:
        return Resume()
    wanted = plain_title(rows[0].old_title)
    matches = [r for r in rows if r.number <= lesson.lesson_page_count and plain_title(r.title) == wanted]
    if not matches:
        return Resume(1, started=True, earlier_version=rows[0].old_version, page_gone=True)
    best = min(matches, key=lambda r: abs(r.number - r.last_page))  # the nearest, should two pages share a title
    return Resume(best.number, started=True, earlier_version=best.old_version, page_title=best.title)


def plain_title(title: str) -> str:
    """A page title as text, for matching pages across versions: no markup, entities read, spaces and case folded."""
    return Markup(title).striptags().casefold()  # noqa: S704 - read as text, never rendered


def updated_since_started(session: Session, user: User) -> set[int]:
    """Ids of modules the learner has progress in, none of it in the live version's content: updated since they started."""
    rows = session.execute(_STARTED_VERSIONS, {"user_id": user.id}).all()
    started = {r.module_id for r in rows}
    return started - {r.module_id for r in rows if r.content_hash == r.live_hash}


def remember_page(session: Session, user: User, version_id: int, number: int, last_page: int | None = None) -> None:
    """Keep the page a learner opened, so 'Continue' brings them back to it (and 'My training' says 'in progress').

    `last_page` is the page they last opened, when the caller has just read it (find_lesson_and_place).
    """
    if last_page is None:
        last_page = session.scalar(_LAST_PAGE, {"user_id": user.id, "version_id": version_id})
    if last_page == number:
        return
    with write_transaction(session):
        progress = session.scalar(select(LessonProgress).where(LessonProgress.user_id == user.id, LessonProgress.version_id == version_id))
        if progress is None:
            session.add(LessonProgress(user_id=user.id, version_id=version_id, last_page=number))
        else:
            progress.last_page = number


SECTION_SIZE = 5  # at most this many questions under one heading of the assessment


def in_sections(items: list, most: int = SECTION_SIZE) -> list[list]:
    """Split an attempt's questions into even sections of at most `most`, so none is left alone at the end (6 -> 3 + 3)."""
    count = -(-len(items) // most)
    size, longer = divmod(len(items), count) if count else (0, 0)
    ends = [n * size + min(n, longer) for n in range(count + 1)]
    return [items[start:end] for start, end in zip(ends, ends[1:], strict=False)]
