"""`lms xapi`: export kept statements for a period, send waiting ones to the configured LRS, see how the
outbox stands, and retry statements the LRS refused."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.db import db
from lms.services import xapi
from lms.services.audit import record_export
from lms.services.periods import current_period, govuk_date, parse_period


@click.group("xapi")
def xapi_group() -> None:
    """xAPI statements of passes, fails and completions, for a learning record store."""


@xapi_group.command("export")
@click.option("--period", help="Financial year (2025-26) or quarter (2025-26-Q3); default: the current quarter.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: print).")
@with_appcontext
def xapi_export(period: str | None, out: Path | None) -> None:
    """Write the period's statements as JSON lines, exactly as kept and sent (learners by pseudonymous id unless their organisation opted in)."""
    try:
        chosen = parse_period(period) if period else current_period()
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    try:
        lines = list(xapi.to_json_lines(xapi.period_bodies(db.session, chosen, xapi.Site.from_config(current_app.config))))
    except ValueError as error:  # the installation's namespace cannot build the statements not kept yet
        raise click.ClickException(str(error)) from None
    record_export(db.session, None, "xapi-statements", "jsonl", chosen.key, "All partnerships", "cli")
    if out is None:
        sys.stdout.writelines(lines)
    else:
        out.write_text("".join(lines), encoding="utf-8")
    click.echo(f"{len(lines)} statement(s) for {chosen.label}{f' written to {out.resolve()}' if out else ''}", err=True)


def _lrs() -> xapi.Lrs:
    try:
        lrs = xapi.Lrs.from_config(current_app.config)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if lrs is None:
        raise click.ClickException("no LRS is configured: set LMS_XAPI_ENDPOINT, LMS_XAPI_USERNAME and LMS_XAPI_PASSWORD")
    return lrs


@xapi_group.command("send")
@click.option("--batch-size", default=50, show_default=True, type=click.IntRange(1, 500), help="Statements per request.")
@click.option("--now", "now", is_flag=True, help="Also send statements waiting after a failed try (e.g. once the LRS settings are fixed).")
@with_appcontext
def xapi_send(batch_size: int, now: bool) -> None:
    """Send waiting statements to LMS_XAPI_ENDPOINT now (the worker does this every minute); failures wait and are tried again."""
    lrs = _lrs()
    if not xapi.namespace_problem(db.session):
        if built := xapi.keep_unkept(db.session, xapi.Site.from_config(current_app.config), limit=xapi.OLDER_PER_RUN):
            click.echo(f"built the statements of {built} older record(s) that had none yet", err=True)
    if now:
        click.echo(f"{xapi.bring_forward(db.session, None)} statement(s) waiting after a failed try are due now", err=True)
    report = xapi.send_due(db.session, lrs, batch_size=batch_size)
    if report.busy_until is not None:
        click.echo(f"another `lms xapi send` is still running (its turn lasts until {_moment(report.busy_until)} at most): "
                   "this one sent nothing", err=True)
        return
    click.echo(f"sent {report.sent}; dead-lettered {report.dead}; still waiting {xapi.outbox_waiting(db.session)}", err=True)
    if report.error:
        raise click.ClickException(f"{report.failed} statement(s) will be tried again later: {report.error}")
    if report.dead:
        raise click.ClickException(f"the LRS refused {report.dead} statement(s) for good: see `lms xapi status`, "
                                   "fix the cause, then `lms xapi retry --all`")


def _moment(value: dt.datetime | None) -> str:
    return f"{govuk_date(value)} {value:%H:%M} UTC" if value else "none"


@xapi_group.command("status")
@with_appcontext
def xapi_status() -> None:
    """How many statements are waiting (due now or backing off), dead-lettered and sent; the oldest waiting; the last error."""
    status = xapi.outbox_status(db.session)
    endpoint = str(current_app.config.get("XAPI_ENDPOINT") or "").strip()
    click.echo(f"LRS: {endpoint or 'none configured (statements are kept and exported, not sent)'}")
    if problem := xapi.namespace_problem(db.session):
        click.echo(f"problem: {problem}; until then passes are recorded without their statements")
    for label, value in (("waiting", status.queued), ("  due now", status.due), ("  backing off", status.backing_off),
                         ("dead-lettered", status.dead), ("sent", status.sent)):
        click.echo(f"{label + ':':<16}{value}")
    click.echo(f"oldest waiting: {_moment(status.oldest_waiting)}")
    if status.next_try:
        click.echo(f"next try:       {_moment(status.next_try)} (`lms xapi send --now` tries at once)")
    if status.unkept:
        click.echo(f"older records without a statement yet: {status.unkept} (each `lms xapi send` builds up to {xapi.OLDER_PER_RUN:,})")
    click.echo("last error:     " + (f"at {_moment(status.last_error_at)}: {status.last_error}" if status.last_error else "none"))
    for row in xapi.dead_letters(db.session, limit=20):
        click.echo(f"dead-lettered {row.statement_id} ({xapi.describe(row.body)}), {_moment(row.dead_at)}: {row.last_error}")


@xapi_group.command("retry")
@click.argument("statement_id", required=False)
@click.option("--all", "everything", is_flag=True, help="Retry every dead-lettered statement.")
@with_appcontext
def xapi_retry(statement_id: str | None, everything: bool) -> None:
    """Put a dead-lettered statement (by its id) or all of them (--all) back in the queue for the next `lms xapi send`."""
    if bool(statement_id) == everything:
        raise click.UsageError("give one statement id, or --all")
    if statement_id and not xapi.is_statement_id(statement_id):
        raise click.BadParameter(f"'{statement_id}' is not a statement id: copy one from `lms xapi status`", param_hint="STATEMENT_ID")
    count = xapi.retry_dead(db.session, None, statement_id)
    if statement_id and not count:
        raise click.ClickException(f"no dead-lettered statement has the id {statement_id}: see `lms xapi status`")
    click.echo(f"{count} statement(s) will be sent again by the next `lms xapi send`")
