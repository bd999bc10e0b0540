"""`authoring`: trainers' commands for writing, checking and building course modules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from authoring.api import build as build_modules
from authoring.api import checked as checked_modules
from authoring.api import find_notebooks

if TYPE_CHECKING:
    from authoring.module import Module


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Write Safer Learning modules as Jupyter notebooks, check them and build web lessons."""


@main.command()
@click.argument("name")
def new(name: str) -> None:
    """Create a starter module notebook that shows every feature of the format."""
    from authoring.scaffold import created_message, new_module

    try:
        path = new_module(name)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(created_message(path))


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--outline", "show_outline", is_flag=True, help="After the problems, list each notebook's pages with their words and questions.")
def check(paths: tuple[str, ...], show_outline: bool) -> None:
    """List every problem in the notebooks (errors fail, warnings do not)."""
    problems, modules = checked_modules(paths)
    by_notebook: dict[str, list] = {str(module.path): [] for module in modules}
    for problem in problems:
        if str(problem.path) in by_notebook:
            by_notebook[str(problem.path)].append(problem)
        else:  # not a notebook's: a vocabulary.yaml's, or "no notebooks found"
            click.echo(str(problem))
    for module in modules:
        for problem in by_notebook[str(module.path)]:
            click.echo(str(problem))
        if not show_outline:  # the outline shows the pages in detail
            click.echo(shape_line(module), err=True)
    if show_outline:
        _echo_outlines(modules)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    click.echo(f"{len(find_notebooks(paths))} notebook(s) checked: {errors} error(s), {warnings} warning(s)", err=True)
    sys.exit(1 if errors else 0)


@main.command()
@click.argument("paths", nargs=-1, required=True)
def measure(paths: tuple[str, ...]) -> None:
    """How far each module's assessment rewards guessing: each figure with its limit, OK or FIX, and the questions to fix."""
    from authoring.module import load
    from authoring.question_habits import measure as habits_of

    to_fix = False
    for path in find_notebooks(paths):
        click.echo(f"{path}:")
        habits = habits_of(load(path))
        for line in habits.lines():
            click.echo(f"  {line}")
        to_fix = to_fix or not all(habits.within_limits().values())
    if to_fix:
        raise SystemExit(1)  # lines marked FIX: a script or CI can stop on them


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder to write one module folder into.")
@click.option("--force", is_flag=True, help="Rebuild notebooks even when they have not changed.")
def build(paths: tuple[str, ...], out: str, force: bool) -> None:
    """Build notebooks into lesson bundles (manifest.json, answer key, assets)."""
    notebooks = find_notebooks(paths)
    show_bar = len(notebooks) > 1 and sys.stderr.isatty()
    with click.progressbar(length=len(notebooks), label="Building", file=sys.stderr) if show_bar else _NoBar() as bar:
        report = build_modules(paths, Path(out), force=force, progress=lambda _path: bar.update(1))
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(f"built {len(report.built)}, unchanged {len(report.skipped)}, failed {len(report.failed)} -> {out}", err=True)
    sys.exit(1 if report.failed or not notebooks else 0)


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--port", default=5001, show_default=True, help="Port to serve the preview on.")
def preview(path: Path, port: int) -> None:
    """Show a module in your browser exactly as learners will see it; saving the notebook updates it."""
    from lms.preview import serve_preview  # the LMS is needed only here, never by check or build

    serve_preview(path, port=port)


@main.command("export-scorm")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The .zip file to write.")
def export_scorm(path: Path, out: Path) -> None:
    """Package one module as a SCORM 1.2 zip for another LMS (the answer key travels inside it)."""
    from authoring.scorm import source_from_module, write_package

    try:
        write_package(source_from_module(_buildable(path)), out)
    except ValueError as refusal:  # what SCORM 1.2 cannot hold (build_package says what and how to fix it)
        raise click.ClickException(f"{path}: {refusal}") from None
    click.echo(f"SCORM 1.2 package written to {out}", err=True)


@main.command("export-gift")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="The .gift file to write (default: print it).")
def export_gift(path: Path, out: Path | None) -> None:
    """Write the module's questions in Moodle's GIFT format, with the feedback for every option."""
    from authoring.gift import export_gift as to_gift

    text = to_gift(_buildable(path))
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"GIFT questions written to {out}", err=True)


@main.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The notebook (.ipynb) to create.")
def import_gift(file: Path, out: Path) -> None:
    """Turn a GIFT question bank (from Moodle, say) into a module notebook of questions."""
    from authoring.gift_import import import_gift as from_gift

    if out.exists():
        raise click.ClickException(f"{out} already exists; choose another name, or delete it first")
    result = from_gift(file, out)
    for problem in result.problems:
        click.echo(str(problem))
    if result.errors:
        click.echo(f"{len(result.errors)} problem(s) to fix in {file}; no notebook was written", err=True)
        sys.exit(1)
    click.echo(f"{len(result.questions)} question(s) written to {out}. Next: authoring check {out}", err=True)


def shape_line(module: Module) -> str:
    """'courses/fraud.ipynb: 5 pages — About this module | ... | Assessment': a lost or merged page shows even without --outline."""
    from authoring.outline import outline

    pages = outline(module)
    if not pages:
        return f"{module.path}: no pages"
    return f"{module.path}: {len(pages)} page{'s' * (len(pages) != 1)} — " + " | ".join(page.title for page in pages)


def _echo_outlines(modules: list[Module]) -> None:
    """Print every notebook's pages in order, so a merged, lost or misplaced page shows at a glance."""
    from authoring.outline import format_outline, outline

    for module in modules:
        click.echo("")
        click.echo(format_outline(module.path, outline(module)))


def _buildable(path: Path) -> Module:
    """The module in a notebook, or exit listing the errors that stop it being built."""
    from authoring.module import load

    module = load(path)
    problems = [p.for_build() for p in module.problems]
    for problem in problems:
        click.echo(str(problem), err=True)
    if any(p.is_error for p in problems):
        raise click.ClickException("fix the errors above, then export again")
    return module


class _NoBar:
    """Stands in for the progress bar when output is not a terminal."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, steps: int) -> None:
        return None


if __name__ == "__main__":
    main()
