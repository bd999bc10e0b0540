"""Published modules and their immutable versions: pages, questions, answer key and assets."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from lms.models.base import Base, utcnow


class Module(Base):
    """A course module, identified by the id in its notebook settings across all its versions."""

    __tablename__ = "module"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    priority_area: Mapped[str] = mapped_column(String(64), default="")
    # The notebook's file name it was last published from ("" before 0006): another notebook with the
    # same id is refused at publish unless the trainer says --replace.
    source_notebook: Mapped[str] = mapped_column(String(255), default="", server_default="")
    current_version_id: Mapped[int | None] = mapped_column(ForeignKey("module_version.id", use_alter=True))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    current_version: Mapped[ModuleVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)


class ModuleVersion(Base):
    """One published build of a module, never changed: completions keep the version they were earned on.

    Two versions may share a content hash: publishing an older version's content again makes it live
    as a new number (a restore), so the numbers, not the hashes, are unique per module.
    """

    __tablename__ = "module_version"
    __table_args__ = (UniqueConstraint("module_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict]
    questions: Mapped[list]
    answer_key: Mapped[dict] = deferred(mapped_column(JSON, nullable=False))
    page_count: Mapped[int]
    pass_mark: Mapped[int]
    refresher_months: Mapped[int]
    estimated_minutes: Mapped[int]
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    module: Mapped[Module] = relationship(foreign_keys=[module_id])

    @property
    def scored_questions(self) -> list[dict]:
        return [q for q in self.questions if q["scored"]]

    @property
    def lesson_page_count(self) -> int:
        """Pages before the assessment page (the last page, when the module has scored questions)."""
        return self.page_count - (1 if self.scored_questions else 0)


class ModulePage(Base):
    """A lesson page's blocks, stored in the database so every app server can serve it."""

    __tablename__ = "module_page"
    __table_args__ = (UniqueConstraint("version_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    blocks: Mapped[list]
    lang: Mapped[str] = mapped_column(String(35), default="", server_default="")  # "" = the module's language


class ModuleAsset(Base):
    """An image a module shows, kept in the database beside its pages."""

    __tablename__ = "module_asset"
    __table_args__ = (UniqueConstraint("version_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"))
    name: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
