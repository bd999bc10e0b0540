"""The trainers' operations as plain functions: the command line is a thin wrapper over these."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from authoring.bundle import BuildIndex
from authoring.problems import Problem, ProblemList
from authoring.settings import MODULE_ID
from authoring.vocabulary import Vocabulary

if TYPE_CHECKING:
    from authoring.module import Module


@dataclass
class BuildReport:
    """What a build did: folders written, notebooks skipped as unchanged, and every problem."""

    built: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def find_notebooks(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the notebooks inside them (not Jupyter's checkpoint copies), sorted."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts)
        else:
            found.append(path)
    return found


def check(paths: Iterable[str | Path], today: dt.date | None = None) -> list[Problem]:
    """Every problem in the given notebooks and folders, including ids used by two modules."""
    return checked(paths, today)[0]


def checked(paths: Iterable[str | Path], today: dt.date | None = None) -> tuple[list[Problem], list[Module]]:
    """Every problem in the given notebooks and folders (as `check`), and the modules read, in order."""
    paths = list(paths)
    notebooks = find_notebooks(paths)
    if not notebooks:
        return [Problem(", ".join(map(str, paths)) or ".", None, "no notebooks found", "give a .ipynb file or a folder that holds some")], []
    loaded = [_load(path, today or dt.date.today()) for path in notebooks]
    modules = [module for module, _vocabulary in loaded]
    problems = [problem for module in modules for problem in module.problems]
    clashes = _duplicate_ids([(module.path, module.settings.id) for module in modules])
    return _vocabulary_problems(loaded) + problems + list(clashes.values()), modules


def build(paths: Iterable[str | Path], out: str | Path, *, force: bool = False, today: dt.date | None = None,
          progress: Callable[[Path], None] | None = None) -> BuildReport:
    """Build every notebook into `out`, skipping unchanged ones; a broken notebook writes nothing."""
    out_dir, report = Path(out), BuildReport()
    index = BuildIndex(out_dir)
    claims: list[tuple[Path, str]] = []  # (notebook, module id) of every notebook, built or not, to find shared ids
    changed = []
    for notebook in find_notebooks(paths):
        if not force and index.is_up_to_date(notebook):
            report.skipped.append(notebook)
            claims.append((notebook, index.entries[str(notebook.resolve())]["id"]))
            if progress:
                progress(notebook)
        else:
            changed.append(notebook)
    if changed:
        from authoring.bundle import write_bundle

        loaded = list(_load_all(changed, today or dt.date.today(), progress))  # all ids are known before any is written
        report.problems.extend(_vocabulary_problems(loaded))
        clashes = _duplicate_ids(claims + [(module.path, module.settings.id) for module, _vocabulary in loaded])
        for notebook in [n for n in report.skipped if n in clashes]:
            report.skipped.remove(notebook)
            report.failed.append(notebook)
            report.problems.append(clashes[notebook])
        for module, vocabulary in loaded:
            problems = [p.for_build() for p in module.problems] + ([clashes[module.path]] if module.path in clashes else [])
            problems += _unusable_vocabulary(module.path, vocabulary)
            report.problems.extend(problems)
            if any(p.is_error for p in problems):
                report.failed.append(module.path)
                continue
            report.built.append(write_bundle(module, out_dir))
            index.record(module)
    if report.built:
        index.save()
    return report


def _load_all(notebooks: list[Path], today: dt.date, progress: Callable[[Path], None] | None) -> Iterator[tuple[Module, Vocabulary]]:
    """Read and render notebooks one at a time (forking workers measured no faster for five modules)."""
    for path in notebooks:
        if progress:
            progress(path)
        yield _load(path, today)


def _load(path: Path, today: dt.date) -> tuple[Module, Vocabulary]:
    """One notebook read with its courses folder's vocabulary (module.load finds it)."""
    from authoring.module import load  # the notebook libraries load only when there is work to do

    module = load(path, today)
    return module, module.vocabulary


def _vocabulary_problems(loaded: list[tuple[Module, Vocabulary]]) -> list[Problem]:
    """The problems of each courses folder's vocabulary.yaml, once however many notebooks it serves."""
    files = {vocabulary.file: vocabulary for _module, vocabulary in loaded}
    return [problem for vocabulary in files.values() for problem in vocabulary.problems]


def _unusable_vocabulary(path: Path, vocabulary: Vocabulary) -> list[Problem]:
    """Build refuses what check refuses: a module whose courses folder's vocabulary.yaml has errors is not built."""
    if not any(p.is_error for p in vocabulary.problems):
        return []
    problems = ProblemList(path)
    problems.error(None, f"the module is not built because its vocabulary file, {vocabulary.file}, has errors",
                   "fix the errors listed for that file, then build again")
    return list(problems)


def _duplicate_ids(claims: list[tuple[Path, str]]) -> dict[Path, Problem]:
    """For each id two notebooks claim, a problem for the one that is not the module's own notebook.

    The notebook keeps the id whose file is named after it (the trainer copied 'prevent-awareness.ipynb'
    and forgot to change the copy's id); failing that, the older file (a copy is newer than its
    original), then the first by path. Changing a published module's id would start it again as a
    new module, so the message never asks for that.
    """
    by_id: dict[str, list[Path]] = {}
    for path, module_id in claims:
        by_id.setdefault(module_id, []).append(path)
    taken = set(by_id)
    clashes = {}
    for module_id, paths in by_id.items():
        if len(paths) < 2:
            continue
        owner = min(paths, key=lambda p: (_slug(p) != module_id, _modified(p), str(p)))
        for path in paths:
            if path != owner:
                clashes[path] = _clash(path, module_id, owner, taken)
    return clashes


def _clash(path: Path, module_id: str, owner: Path, taken: set[str]) -> Problem:
    suggestion = _slug(path)
    number = 2
    while not MODULE_ID.match(suggestion) or suggestion in taken:
        suggestion, number = f"{module_id}-{number}", number + 1
    taken.add(suggestion)
    problems = ProblemList(path)
    problems.error(1, f"module id '{module_id}' is the id of {owner}",
                   f"give this notebook its own id in its settings cell (e.g. 'id: {suggestion}'); leave the id of {owner} "
                   "as it is: changing a published module's id would start it again as a new module")
    return problems[0]


def _slug(path: Path) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")
