"""Commands for whoever runs the site: backups, and subject access and erasure requests."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from lms.db import db
from lms.services import personal_data
from lms.services.backup import BackupError, backup_sqlite


def init_app(app: Flask) -> None:
    app.cli.add_command(backup)
    app.cli.add_command(personal_data_group)


@click.command()
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="New file for the copy.")
@with_appcontext
def backup(out: Path) -> None:
    """Copy the SQLite database while the site runs (PostgreSQL: prints how to use pg_dump)."""
    try:
        size = backup_sqlite(db.engine, out)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {out} ({size:,} bytes, integrity check ok).")


@click.group("personal-data")
def personal_data_group() -> None:
    """Subject access requests and erasure (see docs/operations.md); every use is audited."""


@personal_data_group.command("export")
@click.option("--email", required=True, help="The person's email address.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON here instead of standard output.")
@with_appcontext
def personal_data_export(email: str, out: Path | None) -> None:
    """Everything held about one person, as JSON."""
    try:
        person = personal_data.find_person(db.session, email)
    except personal_data.PersonalDataError as error:
        raise click.ClickException(str(error)) from None
    text = json.dumps(personal_data.export_personal_data(db.session, person, None), indent=1, ensure_ascii=False)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Written to {out}.", err=True)


@personal_data_group.command("erase")
@click.option("--email", required=True, help="The person's email address.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def personal_data_erase(email: str, yes: bool) -> None:
    """Anonymise one person: their completions keep counting, nothing identifies them any more."""
    try:
        person = personal_data.find_person(db.session, email)
        if not yes:
            click.confirm(f"Erase {person.full_name} <{person.email}>? This cannot be undone", abort=True)
        elsewhere = personal_data.erase_person(db.session, person, None, current_app.config["SITE_URL"])
    except personal_data.PersonalDataError as error:
        raise click.ClickException(str(error)) from None
    click.echo("Erased: name, email and password removed; completions kept for the counts.")
    for note in elsewhere:
        click.echo(f"Still to do: {note}")
