"""Do reporting API tokens stop working when they expire, or when their creator may no longer issue them?"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lms.models import ApiToken, Role, utcnow
from lms.services import api_tokens, organisations
from lms.services.api_tokens import create_token
from lms.services.periods import govuk_date
from tests.builders import make_organisation, make_partnership, make_user
from tests.conftest import csrf_token
from tests.lms.reporting_builders import signed_in

PERIOD = "/api/v1/counts?period=2025-26-Q3"


def reads(app, plain: str) -> int:
    return app.test_client().get(PERIOD, headers={"Authorization": f"Bearer {plain}"}).status_code


@pytest.fixture
def lead(session):
    partnership = make_partnership(session, "Home")
    council = make_organisation(session, partnership, "Council")
    person = make_user(session, council, Role.PARTNERSHIP_LEAD, email="lead@home.example")
    session.commit()
    return person


def test_does_a_new_token_work_for_twelve_months_by_default_and_then_stop(app, session, lead):
    plain, token = create_token(session, "BI", partnership=lead.organisation.partnership, created_by_id=lead.id)
    assert dt.timedelta(days=364) < token.expires_at - token.created_at <= dt.timedelta(days=366)
    assert reads(app, plain) == 200
    assert api_tokens.find_active_token(session, plain, now=token.expires_at - dt.timedelta(seconds=1)) is not None
    assert api_tokens.find_active_token(session, plain, now=token.expires_at) is None
    session.get(ApiToken, token.id).expires_at = utcnow() - dt.timedelta(minutes=1)
    session.commit()
    assert reads(app, plain) == 401


def test_does_a_token_stop_when_its_creator_is_deactivated(app, session, lead):
    plain, _token = create_token(session, "BI", partnership=lead.organisation.partnership, created_by_id=lead.id)
    organisations.set_active(session, lead, False, actor_id=None)
    assert reads(app, plain) == 401
    organisations.set_active(session, lead, True, actor_id=None)
    assert reads(app, plain) == 200  # reactivated with the same role: the token works again


def test_does_a_token_stop_when_its_creator_loses_the_role_that_let_them_make_it(app, session, lead):
    plain, _token = create_token(session, "BI", partnership=lead.organisation.partnership, created_by_id=lead.id)
    organisations.set_role(session, lead, Role.LEARNER, tuple(Role), actor_id=None)
    assert reads(app, plain) == 401


def test_does_a_command_line_token_without_a_creator_keep_working_until_it_expires(app, session, lead):
    slug = lead.organisation.partnership.slug
    result = app.test_cli_runner().invoke(args=["api-token", "create", "Nightly", "--partnership", slug, "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "working until" in result.output
    plain = result.output.strip().splitlines()[-1]
    assert reads(app, plain) == 200
    token = session.scalar(select(ApiToken).where(ApiToken.name == "Nightly"))
    assert dt.timedelta(days=29) < token.expires_at - token.created_at <= dt.timedelta(days=30)
    assert app.test_cli_runner().invoke(args=["api-token", "create", "Forever", "--partnership", slug, "--days", "100000"]).exit_code != 0


def test_does_the_tokens_page_show_when_each_token_stops_and_why(app, session, lead):
    client = signed_in(app, lead.email)
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "How long it works" in page and "12 months" in page
    created = client.post("/admin/api-tokens", data={"csrf_token": csrf_token(page), "name": "Quarterly", "months": "3",
                                                     "scope": f"partnership:{lead.organisation.partnership_id}"}).get_data(as_text=True)
    assert "Token created" in created, created
    token = session.scalar(select(ApiToken).where(ApiToken.name == "Quarterly"))
    assert dt.timedelta(days=90) <= token.expires_at - token.created_at <= dt.timedelta(days=92)
    assert govuk_date(token.expires_at) in created and "Active" in created
    session.get(ApiToken, token.id).expires_at = utcnow() - dt.timedelta(days=1)
    session.commit()
    assert "Expired" in client.get("/admin/api-tokens").get_data(as_text=True)
    bad = client.post("/admin/api-tokens", data={"csrf_token": csrf_token(page), "name": "Odd", "months": "999",
                                                 "scope": f"partnership:{lead.organisation.partnership_id}"})
    assert bad.status_code == 200 and "Choose how long the token works" in bad.get_data(as_text=True)
    assert "Not a valid choice" not in bad.get_data(as_text=True)
