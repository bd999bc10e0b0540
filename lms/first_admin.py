"""`lms create-admin`: the first site admin of a new installation, with their partnership and organisation.

Everything after that is done in the browser under Admin. Every value is checked before anything is
written, so a refused command leaves the database as it was.
"""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.db import db, write_transaction
from lms.models import Organisation, OrganisationType, Partnership, Role, User
from lms.services.accounts import create_user, normalise_email
from lms.services.audit import record_event
from lms.services.organisations import slugify
from lms.services.passwords import password_problem


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin)


@click.command("create-admin")
@click.option("--partnership", "partnership_name", required=True, help="The partnership's name (created if new).")
@click.option("--organisation", "organisation_name", required=True, help="The admin's organisation (created if new).")
@click.option("--type", "organisation_type", type=click.Choice([t.value for t in OrganisationType]),
              default=OrganisationType.LOCAL_AUTHORITY.value, show_default=True, help="The organisation's type, if it is new.")
@click.option("--email", required=True, help="The admin's email address; they sign in with it.")
@click.option("--name", "full_name", required=True, help="The admin's full name.")
@click.password_option(help="Asked for when not given; 12 characters or more.")
@with_appcontext
def create_admin(partnership_name: str, organisation_name: str, organisation_type: str, email: str, full_name: str,
                 password: str) -> None:
    """Create a site admin (and their partnership and organisation, if new)."""
    email = _checked_email(email)
    problem = password_problem(password, email)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    if not slugify(partnership_name) or not slugify(organisation_name) or not full_name.strip():
        raise click.UsageError("Give the partnership, organisation and admin names in letters or numbers.")
    session = db.session
    with write_transaction(session):
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise click.ClickException(f"{email} already has an account: change its role under Admin, People instead.")
        partnership = _partnership(session, partnership_name)
        organisation = _organisation(session, partnership, organisation_name, OrganisationType(organisation_type))
        user = create_user(session, email, full_name, password, organisation, Role.SITE_ADMIN, confirmed=True)
        record_event(session, "user.created", f"user:{user.id}", None, role=Role.SITE_ADMIN.value, by="lms create-admin")
    click.echo(f"Site admin {email} created in {organisation.name} ({partnership.name}). Sign in at /sign-in.")


def _checked_email(email: str) -> str:
    try:
        return normalise_email(validate_email(email.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="--email") from None


def _partnership(session, name: str) -> Partnership:
    partnership = session.scalar(select(Partnership).where(Partnership.slug == slugify(name)))
    if partnership is None:
        partnership = Partnership(slug=slugify(name), name=name.strip(), settings={})
        session.add(partnership)
        session.flush()
        record_event(session, "partnership.created", f"partnership:{partnership.slug}", None, name=partnership.name)
    return partnership


def _organisation(session, partnership: Partnership, name: str, type_: OrganisationType) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.slug == slugify(name)))
    if organisation is not None and organisation.partnership_id != partnership.id:
        raise click.ClickException(f"{organisation.name} already belongs to another partnership.")
    if organisation is None:
        organisation = Organisation(slug=slugify(name), name=name.strip(), type=type_, partnership_id=partnership.id)
        session.add(organisation)
        session.flush()
        record_event(session, "organisation.created", f"organisation:{organisation.id}", None, name=organisation.name,
                     type=type_.value, partnership=partnership.slug)
    return organisation
