"""Problems found in a notebook, reported the way trainers read them: file, cell, what, how to fix."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    """Errors stop a build; warnings are shown but never fail."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a notebook, with the fix a trainer can apply."""

    path: str
    cell: int | None
    message: str
    fix: str
    severity: Severity = Severity.ERROR
    tolerated_by_build: bool = False

    def __str__(self) -> str:
        where = self.path if self.cell is None else f"{self.path}:cell {self.cell}"
        label = "" if self.severity is Severity.ERROR else "warning: "
        return f"{where}: {label}{self.message} — {self.fix}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def for_build(self) -> Problem:
        """How the problem counts when building: tolerated errors become warnings."""
        if not self.tolerated_by_build:
            return self
        return Problem(self.path, self.cell, self.message, self.fix, Severity.WARNING)


class ProblemList(list[Problem]):
    """Collects problems for one notebook so parsers can report and carry on."""

    def __init__(self, path: Path | str) -> None:
        super().__init__()
        self.path = str(path)

    def error(self, cell: int | None, message: str, fix: str) -> None:
        self.append(Problem(self.path, cell, message, fix, Severity.ERROR))

    def tolerated(self, cell: int | None, message: str, fix: str) -> None:
        """An error for `check` that `build` can work around (it derives a value or drops the part)."""
        self.append(Problem(self.path, cell, message, fix, Severity.ERROR, tolerated_by_build=True))

    def warning(self, cell: int | None, message: str, fix: str) -> None:
        self.append(Problem(self.path, cell, message, fix, Severity.WARNING))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if p.is_error]


class NotebookError(Exception):
    """Raised by the API when a notebook cannot be built; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def did_you_mean(word: object, known: list[str] | set[str]) -> str | None:
    """The known name a misspelt one was probably meant to be ('reveiw' -> 'review'), or None."""
    import difflib

    close = difflib.get_close_matches(str(word), sorted(known), n=1, cutoff=0.75)
    return close[0] if close else None
