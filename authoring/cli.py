"""`authoring`: trainers' commands for writing, checking and building course modules."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from authoring.api import build as build_modules
from authoring.api import check as check_modules
from authoring.api import find_notebooks


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Write Safer Learning modules as Jupyter notebooks, check them and build web lessons."""


@main.command()
@click.argument("name")
def new(name: str) -> None:
    """Create a starter module notebook that shows every feature of the format."""
    from authoring.scaffold import new_module

    try:
        path = new_module(name)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {path}. Open it in JupyterLab, then run: authoring check {path}")


@main.command()
@click.argument("paths", nargs=-1, required=True)
def check(paths: tuple[str, ...]) -> None:
    """List every problem in the notebooks (errors fail, warnings do not)."""
    problems = check_modules(paths)
    for problem in problems:
        click.echo(str(problem))
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    click.echo(f"{len(find_notebooks(paths))} notebook(s) checked: {errors} error(s), {warnings} warning(s)", err=True)
    sys.exit(1 if errors else 0)


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
