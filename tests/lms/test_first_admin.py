"""Can whoever installs Safer Learning create the first site admin, and is a refused command harmless?"""

from __future__ import annotations

from sqlalchemy import func, select

from lms.models import AuditEvent, Organisation, Partnership, Role, User
from tests.conftest import sign_in

ARGS = ["create-admin", "--partnership", "Safer Testshire", "--organisation", "Testshire Council",
        "--email", "Ada@Testshire.gov.uk", "--name", "Ada Admin"]
GOOD_PASSWORD = "a long enough pass phrase"


def test_does_create_admin_make_a_site_admin_who_can_sign_in_and_reach_admin(app, session, client):
    result = app.test_cli_runner().invoke(args=[*ARGS, "--password", GOOD_PASSWORD])
    assert result.exit_code == 0, result.output
    admin = session.scalar(select(User).where(User.email == "ada@testshire.gov.uk"))
    assert admin.role == Role.SITE_ADMIN and admin.organisation.partnership.name == "Safer Testshire"
    assert sign_in(client, "ada@testshire.gov.uk", GOOD_PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert set(session.scalars(select(AuditEvent.action))) == {"partnership.created", "organisation.created", "user.created"}


def test_is_a_weak_password_refused_before_anything_is_written(app, session):
    result = app.test_cli_runner().invoke(args=[*ARGS, "--password", "password1234"])
    assert result.exit_code != 0 and "too easy to guess" in result.output
    assert session.scalar(select(func.count()).select_from(Partnership)) == 0
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_is_a_second_admin_with_the_same_email_refused_and_nothing_duplicated(app, session):
    runner = app.test_cli_runner()
    runner.invoke(args=[*ARGS, "--password", GOOD_PASSWORD])
    again = runner.invoke(args=[*ARGS, "--password", GOOD_PASSWORD])
    assert again.exit_code == 1 and "already has an account" in again.output
    assert session.scalar(select(func.count()).select_from(Organisation)) == 1
    assert session.scalar(select(func.count()).select_from(User)) == 1


def test_is_a_bad_email_explained(app, session):
    result = app.test_cli_runner().invoke(args=[*ARGS[:-4], "--email", "not-an-address", "--name", "Ada", "--password", GOOD_PASSWORD])
    assert result.exit_code == 2 and "--email" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0
