"""Commands of the `lms` command line (db, courses, demo, report), registered on the app's CLI."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from lms import migrate
from lms.db import db
from lms.models import utcnow
from lms.services import exports, reports
from lms.services.demo import DEMO_PASSWORD, seed_demo
from lms.services.periods import current_period, parse_period
from lms.services.publishing import PublishError, publish


def init_app(app: Flask) -> None:
    for command in (db_group, courses, demo, report):
        app.cli.add_command(command)


@click.group("db")
def db_group() -> None:
    """Create or upgrade the database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Migration to upgrade to.")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to the newest schema (creates the database if needed)."""
    migrate.upgrade(db.engine, revision)
    click.echo(f"Database at revision {migrate.current_revision(db.engine)}.")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Take the schema back to an earlier migration ('base' removes everything)."""
    migrate.downgrade(db.engine, revision)
    click.echo(f"Database at revision {migrate.current_revision(db.engine)}.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the database's migration and the newest one available."""
    click.echo(f"current: {migrate.current_revision(db.engine)}  newest: {migrate.head_revision()}")


@click.group()
def courses() -> None:
    """Publish built modules into the LMS."""


@courses.command("publish")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def courses_publish(path: Path) -> None:
    """Publish module bundles from an 'authoring build' folder (new versions only where content changed)."""
    try:
        report = publish(db.session, path)
    except PublishError as error:
        raise click.ClickException(f"{error}. Nothing was published.") from None
    click.echo(f"published: {', '.join(report.published) or 'none'}; unchanged: {', '.join(report.unchanged) or 'none'}")


@click.command()
@click.option("--courses", "courses_dir", type=click.Path(file_okay=False, path_type=Path), help="Folder of module notebooks (default: courses/).")
@with_appcontext
def demo(courses_dir: Path | None) -> None:
    """Set up a demo site: upgrade the database, build and publish the modules, add demo logins."""
    from authoring import build  # the notebook pipeline is only needed by this command

    migrate.upgrade(db.engine)
    source = courses_dir or Path(current_app.config["COURSES_DIR"])
    with tempfile.TemporaryDirectory(prefix="lms-build-") as out:
        report = build([source], out)
        for problem in report.problems:
            click.echo(str(problem), err=True)
        if report.failed:
            raise click.ClickException(f"{len(report.failed)} module(s) could not be built; fix the problems above")
        published = publish(db.session, Path(out))
    click.echo(f"Modules published: {', '.join(published.published) or 'none new'}"
               f"{'; unchanged: ' + ', '.join(published.unchanged) if published.unchanged else ''}")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login in seed_demo(db.session):
        click.echo(f"  {login.email:32} {login.role:20} {login.organisation}")


@click.group()
def report() -> None:
    """Counts of training delivered, for partnership reporting."""


@report.command("export")
@click.option("--period", help="Financial year (2025-26) or quarter (2025-26-Q3); default: the current quarter.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@with_appcontext
def report_export(period: str | None, fmt: str) -> None:
    """Print sessions delivered and people trained per organisation and module (no personal data)."""
    try:
        chosen = parse_period(period) if period else current_period()
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    rows = reports.training_counts(db.session, chosen)
    write = exports.counts_csv if fmt == "csv" else exports.counts_json
    sys.stdout.write(write(rows, chosen, utcnow()))


