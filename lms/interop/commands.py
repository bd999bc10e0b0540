"""`lms xapi`: export xAPI statements for a period, and send queued ones to the configured LRS."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.db import db
from lms.services import xapi
from lms.services.audit import record_export
from lms.services.periods import current_period, parse_period


@click.group("xapi")
def xapi_group() -> None:
    """xAPI statements of passes, fails and completions, for a learning record store."""


@xapi_group.command("export")
@click.option("--period", help="Financial year (2025-26) or quarter (2025-26-Q3); default: the current quarter.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: print).")
@with_appcontext
def xapi_export(period: str | None, out: Path | None) -> None:
    """Write the period's statements as JSON lines (learners by pseudonymous id unless their organisation opted in)."""
    try:
        chosen = parse_period(period) if period else current_period()
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    lines = list(xapi.to_json_lines(xapi.period_statements(db.session, chosen, xapi.Site.from_config(current_app.config))))
    record_export(db.session, None, "xapi-statements", "jsonl", chosen.key, "All partnerships", "cli")
    if out is None:
        sys.stdout.writelines(lines)
    else:
        out.write_text("".join(lines), encoding="utf-8")
    click.echo(f"{len(lines)} statement(s) for {chosen.label}{f' written to {out}' if out else ''}", err=True)


@xapi_group.command("send")
@click.option("--batch-size", default=50, show_default=True, type=click.IntRange(1, 500), help="Statements per request.")
@with_appcontext
def xapi_send(batch_size: int) -> None:
    """Send queued statements to LMS_XAPI_ENDPOINT (run it from cron); failures wait and are tried again."""
    try:
        lrs = xapi.Lrs.from_config(current_app.config)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if lrs is None:
        raise click.ClickException("no LRS is configured: set LMS_XAPI_ENDPOINT, LMS_XAPI_USERNAME and LMS_XAPI_PASSWORD")
    report = xapi.send_due(db.session, lrs, batch_size=batch_size)
    click.echo(f"sent {report.sent}; still waiting {xapi.outbox_waiting(db.session)}", err=True)
    if report.error:
        raise click.ClickException(f"{report.failed} statement(s) will be tried again later: {report.error}")

