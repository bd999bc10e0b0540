"""The trainers' operations as plain functions: the command line is a thin wrapper over these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from authoring.bundle import BuildIndex
from authoring.problems import Problem, ProblemList

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
    from authoring.module import load  # the notebook libraries load only when there is work to do

    notebooks = find_notebooks(paths)
    if not notebooks:
        return [Problem(", ".join(map(str, paths)) or ".", None, "no notebooks found", "give a .ipynb file or a folder that holds some")]
    modules = [load(path, today) for path in notebooks]
    problems = [problem for module in modules for problem in module.problems]
    return problems + _duplicate_ids(modules)


def _duplicate_ids(modules: list[Module]) -> list[Problem]:
    ids: dict[str, Path] = {}
    return [problem for module in modules for problem in _clash(ids, module)]


def build(paths: Iterable[str | Path], out: str | Path, *, force: bool = False, today: dt.date | None = None,
          progress: Callable[[Path], None] | None = None) -> BuildReport:
    """Build every notebook into `out`, skipping unchanged ones; a broken notebook writes nothing."""
    out_dir, report = Path(out), BuildReport()
    index = BuildIndex(out_dir)
    ids: dict[str, Path] = {}
    changed = []
    for notebook in find_notebooks(paths):
        if not force and index.is_up_to_date(notebook):
            report.skipped.append(notebook)
            ids[index.entries[str(notebook.resolve())]["id"]] = notebook
            if progress:
                progress(notebook)
        else:
            changed.append(notebook)
    if changed:
        from authoring.bundle import write_bundle

        for module in _load_all(changed, today or dt.date.today()):
            if progress:
                progress(module.path)
            problems = [p.for_build() for p in module.problems] + _clash(ids, module)
            report.problems.extend(problems)
            if any(p.is_error for p in problems):
                report.failed.append(module.path)
                continue
            report.built.append(write_bundle(module, out_dir))
            index.record(module)
    if report.built:
        index.save()
    return report


def _load_all(notebooks: list[Path], today: dt.date) -> Iterator[Module]:
    """Read and render notebooks one at a time (forking workers measured no faster for five modules)."""
    from authoring.module import load

    yield from (load(path, today) for path in notebooks)


def _clash(ids: dict[str, Path], module: Module) -> list[Problem]:
    first = ids.setdefault(module.settings.id, module.path)
    if first == module.path:
        return []
    problems = ProblemList(module.path)
    problems.error(1, f"module id '{module.settings.id}' is also used by {first}", "give each module its own id in its settings cell")
    return list(problems)
