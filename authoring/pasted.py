"""Text pasted from Word or a spreadsheet into a Markdown cell: made into what the trainer meant, or one clear error."""

from __future__ import annotations

from authoring.problems import ProblemList


def tidy_pasted(number: int, source: str, problems: ProblemList) -> str:
    """The cell's Markdown with pasted content handled; reports at most one problem of each kind per cell."""
    return source
