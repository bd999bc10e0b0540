"""A module's outline: its pages in order with the questions on each, so merged or lost pages show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from authoring.module import Module


@dataclass
class PageOutline:
    """One page as the outline shows it: number, title (plain text), first cell, words and questions."""

    number: int
    title: str
    cell: int
    words: int = 0
    questions: list[str] = field(default_factory=list)  # e.g. "Knowledge check (one answer), cell 7"


def outline(module: Module) -> list[PageOutline]:
    """Every page of the module in order (stub: filled in by the structure checks)."""
    return [PageOutline(number, page.title, page.cell) for number, page in enumerate(module.pages, start=1)]
