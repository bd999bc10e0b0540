"""Commands of the `lms` command line (db, courses, demo, report), registered on the app's CLI."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from authoring.vocabulary import for_folder, using
from lms import migrate
from lms.db import db
from lms.interop.commands import xapi_group
from lms.models import ApiToken, Organisation, Partnership, utcnow
from lms.services import api_tokens, exports, publishing, reports
from lms.services.audit import record_export
from lms.services.bundles import PublishError
from lms.services.demo import DEMO_PASSWORD, JOIN_CODES, live_site_people, seed_demo
from lms.services.periods import current_period, parse_period
from lms.services.publishing import publish


def init_app(app: Flask) -> None:
    for command in (db_group, courses, demo, report, api_token, xapi_group):
        app.cli.add_command(command)
    from lms import first_admin, operations  # site-running commands live beside their services

    operations.init_app(app)
    first_admin.init_app(app)


@click.group("db")
def db_group() -> None:
    """Create or upgrade the database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Migration to upgrade to.")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to the newest schema (on SQLite, creates the database file if needed)."""
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
@click.option("--dry-run", is_flag=True, help="Read and check every bundle and say what publishing would do; change nothing.")
@click.option("--replace", "replace", multiple=True, metavar="MODULE_ID",
              help="Let this module's id be taken over by a bundle built from a different notebook (repeat for several).")
@with_appcontext
def courses_publish(path: Path, dry_run: bool, replace: tuple[str, ...]) -> None:
    """Publish module bundles from an 'authoring build' folder (new versions only where content changed).

    Content identical to an older version makes that content live again as a new version.
    """
    with using(for_folder(current_app.config["COURSES_DIR"])):  # the partnership's own priority areas
        _publish_or_plan(path, dry_run, replace)


def _publish_or_plan(path: Path, dry_run: bool, replace: tuple[str, ...]) -> None:
    if dry_run:
        plans = publishing.dry_run(db.session, path, replace)
        for plan in plans:
            click.echo(plan.describe())
        refused = sum(plan.action == publishing.REFUSED for plan in plans)
        click.echo(f"Dry run: nothing was changed.{f' {refused} refused: publishing now would change nothing.' if refused else ''}")
        return
    try:
        report = publish(db.session, path, replace=replace)
    except PublishError as error:
        raise click.ClickException(f"{error}. Nothing was published.") from None
    for plan in report.plans:
        click.echo(plan.describe())
    click.echo(f"published: {', '.join(report.published) or 'none'}; unchanged: {', '.join(report.unchanged) or 'none'}")


@click.command()
@click.option("--courses", "courses_dir", type=click.Path(file_okay=False, path_type=Path), help="Folder of module notebooks (default: courses/).")
@with_appcontext
def demo(courses_dir: Path | None) -> None:
    """Set up a demo site: upgrade the database, build and publish the modules, add demo logins."""
    from authoring import build  # the notebook pipeline is only needed by this command

    migrate.upgrade(db.engine)
    people = live_site_people(db.session)
    if people:
        raise click.ClickException(
            f"This database holds {people} {'person' if people == 1 else 'people'} and is not a demo site, so nothing was added. The demo adds a site "
            f"administrator whose password is published, and public join codes: run `lms demo` only on a new database "
            f"(set LMS_DATABASE_URL, or LMS_INSTANCE_PATH for SQLite, to one of its own).")
    source = courses_dir or Path(current_app.config["COURSES_DIR"])
    with tempfile.TemporaryDirectory(prefix="lms-build-") as out:
        report = build([source], out)
        for problem in report.problems:
            click.echo(str(problem), err=True)
        if report.failed:
            raise click.ClickException(f"{len(report.failed)} module(s) could not be built; fix the problems above")
        with using(for_folder(source)):
            published = publish(db.session, Path(out))
    click.echo(f"Modules published: {', '.join(published.published) or 'none new'}"
               f"{'; unchanged: ' + ', '.join(published.unchanged) if published.unchanged else ''}")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login in seed_demo(db.session):
        click.echo(f"  {login.email:32} {login.role:20} {login.organisation}")
    click.echo("Join codes for registering at /register: " + ", ".join(code for _org, code in JOIN_CODES.values()))


@click.group()
def report() -> None:
    """Counts of training delivered, for partnership reporting."""


@report.command("export")
@click.option("--period", help="Financial year (2025-26), quarter (2025-26-Q3) or dates (2025-04-01..2025-05-31); default: the current quarter.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True)
@click.option("--partnership", "partnership_slug", help="Only this partnership's organisations (its slug, e.g. safer-york).")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write to this file instead of standard output.")
@with_appcontext
def report_export(period: str | None, fmt: str, partnership_slug: str | None, out: Path | None) -> None:
    """Sessions delivered and people trained per organisation and module (no personal data); the dashboard's numbers."""
    try:
        chosen = parse_period(period) if period else current_period()
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    partnership = None
    if partnership_slug:
        partnership = db.session.scalar(select(Partnership).where(Partnership.slug == partnership_slug))
        if partnership is None:
            raise click.BadParameter(f"no partnership has the slug '{partnership_slug}'", param_hint="--partnership")
    if fmt == "xlsx" and out is None:
        raise click.BadParameter("an XLSX workbook must be written to a file: add --out FILE", param_hint="--out")
    rows = reports.training_counts(db.session, chosen, partnership.id if partnership else None)
    now = utcnow()
    body = {"csv": exports.counts_csv, "json": exports.counts_json, "xlsx": exports.counts_xlsx}[fmt](rows, chosen, now)
    record_export(db.session, None, "counts", fmt, chosen.key, partnership.name if partnership else "All partnerships", "cli")
    if out is None:
        sys.stdout.write(body)
    elif isinstance(body, bytes):
        out.write_bytes(body)
    else:
        out.write_text(body, encoding="utf-8")


@click.group("api-token")
def api_token() -> None:
    """Read-only tokens for the counts API (/api/v1/counts)."""


@api_token.command("create")
@click.argument("name")
@click.option("--partnership", "partnership_slug", help="Scope the token to this partnership (its slug).")
@click.option("--organisation", "organisation_slug", help="Scope the token to this organisation (its slug).")
@click.option("--days", type=click.IntRange(1, api_tokens.MAX_LIFETIME.days), default=api_tokens.LIFETIME.days, show_default=True,
              help="How many days the token works.")
@with_appcontext
def api_token_create(name: str, partnership_slug: str | None, organisation_slug: str | None, days: int) -> None:
    """Create a token and print it once: only its SHA-256 is kept."""
    if bool(partnership_slug) == bool(organisation_slug):
        raise click.UsageError("give exactly one of --partnership or --organisation")
    model, slug = (Partnership, partnership_slug) if partnership_slug else (Organisation, organisation_slug)
    target = db.session.scalar(select(model).where(model.slug == slug))
    if target is None:
        raise click.BadParameter(f"nothing has the slug '{slug}'")
    plain, token = api_tokens.create_token(db.session, name, lifetime=dt.timedelta(days=days),
                                           **{"partnership" if model is Partnership else "organisation": target})
    click.echo(f"Token {token.id} for {target.name}, working until {token.expires_at:%Y-%m-%d} (shown once, keep it secret):")
    click.echo(plain)


@api_token.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def api_token_revoke(token_id: int) -> None:
    """Revoke a token by its number; clients using it are refused from then on."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.BadParameter(f"there is no token {token_id}")
    api_tokens.revoke_token(db.session, token, None)
    click.echo(f"Token {token_id} ({token.name}) revoked.")
