"""Signing in with the organisation's own account, in Chromium, against a real OpenID provider (npm oidc-provider).

The provider runs on 127.0.0.1 with the app's exact redirect URI; each test drives the whole flow as a
member of staff would: our sign-in page, the provider's sign-in and consent pages, and back.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from lms.models import Role, SsoIdentity, User
from lms.services.sso import settings as sso_settings
from lms.services.sso.client import CALLBACK_PATH
from tests.browser.conftest import look, new_page, sign_in
from tests.builders import PASSWORD, make_email_domain, make_organisation, make_user
from tests.lms.sso.conftest import start_oidc_provider  # noqa: F401 - the fixture
from tests.lms.sso.oidc_provider import CLIENT_ID, CLIENT_SECRET
from tests.lms.sso.oidc_provider import PASSWORD as PROVIDER_PASSWORD

AMAL = "amal@york.gov.uk"
CONTINUE = "Continue with my organisation’s account"


@pytest.fixture
def york(app, session, live_server, learner):
    """City of York Council, owning york.gov.uk, with single sign-on at a real provider (switched on, not required)."""
    app.config.update(SITE_URL=live_server, SSO_ALLOW_HTTP_LOOPBACK=True)
    council = make_organisation(session, learner.organisation.partnership, "City of York Council")
    make_email_domain(session, council, "york.gov.uk")
    admin = make_user(session, council, Role.ORG_ADMIN, email="it.admin@york.gov.uk")
    session.commit()
    return council, admin


def _configure(session, york, provider, required: bool = False, secret: str = CLIENT_SECRET) -> None:
    council, admin = york
    if required:  # the admin came in through it once before requiring it (settings.save insists)
        session.add(SsoIdentity(user_id=admin.id, issuer=provider.issuer, subject="it-admin"))
    sso_settings.save(session, council, sso_settings.Changes(provider.issuer, CLIENT_ID, secret, "", ["york.gov.uk"], True,
                                                             required), admin)


@pytest.fixture
def provider(york, live_server, session, start_oidc_provider):  # noqa: F811 - the fixture, imported above
    started = start_oidc_provider(live_server + CALLBACK_PATH, post_logout_redirect_uris=[live_server + "/sign-in"])
    _configure(session, york, started)
    return started


def _at_provider(page: Page, email: str = AMAL) -> None:
    """From our sign-in page to the provider's sign-in form."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name=CONTINUE).click()
    expect(page.get_by_label("Email address or user ID")).to_be_visible()


def _again_at_provider(page: Page, email: str = AMAL) -> None:
    """A second sign-in in the same browser: the provider remembers the person and their consent, and sends them back."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name=CONTINUE).click()


def _provider_sign_in(page: Page, login: str = AMAL, consent: bool = True) -> None:
    page.get_by_label("Email address or user ID").fill(login)
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Continue" if consent else "Cancel").click()


def _people(session, email: str) -> list[User]:
    session.rollback()
    return list(session.scalars(select(User).where(func.lower(User.email) == email)))


def test_a_first_sign_in_creates_the_person_in_their_organisation_and_a_second_finds_them(page, session, york, provider):
    _at_provider(page)
    _provider_sign_in(page)
    expect(page).to_have_url(re.compile(r"/my-training$"))
    [amal] = _people(session, AMAL)
    assert (amal.organisation_id, amal.full_name, amal.role, amal.email_confirmed) == (york[0].id, "Amal Hussain", Role.LEARNER, True)
    assert session.scalar(select(SsoIdentity.subject).where(SsoIdentity.user_id == amal.id)) == "york-amal-0001"

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name=re.compile("You have signed out"))).to_be_visible()
    page.get_by_role("link", name="Sign in again").click()
    _again_at_provider(page)
    expect(page).to_have_url(re.compile(r"/my-training$"))
    assert [person.id for person in _people(session, AMAL)] == [amal.id]


def test_an_empty_password_at_a_single_sign_on_domain_goes_to_the_provider(page, provider):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(AMAL)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Email address or user ID")).to_be_visible()


def test_signing_out_offers_signing_out_at_the_provider_too(page, provider, live_server):
    _at_provider(page)
    _provider_sign_in(page)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign out of your City of York Council account").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(r"/sign-in"))
    assert page.context.request.get(live_server + "/my-training", max_redirects=0).status == 302
    _at_provider(page)  # the provider asks for the password again: its session ended too


def _callback_urls(page: Page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url) if CALLBACK_PATH in request.url else None)
    return urls


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def _refused(page: Page, heading: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert page.context.request.get(page.url.split("/sign-in")[0] + "/my-training", max_redirects=0).status == 302


def test_a_tampered_state_is_refused(page, provider):
    page.route(f"{provider.issuer}/auth?*", lambda route: route.continue_(url=_with_query(route.request.url, state="forged")))
    _at_provider(page)
    _provider_sign_in(page)
    _refused(page, "Your sign-in could not be finished")


def test_a_replayed_code_is_refused_by_the_provider(page, provider):
    callbacks = _callback_urls(page)
    _at_provider(page)
    _provider_sign_in(page)
    expect(page).to_have_url(re.compile(r"/my-training$"))
    page.get_by_role("button", name="Sign out").click()
    page.goto(callbacks[0])  # the same code and state again: this browser no longer holds the state
    _refused(page, "Your sign-in could not be finished")

    page.route(f"{provider.issuer}/auth?*", lambda route: route.abort())
    page.goto("/sign-in")  # a new sign-in begun here (held before the provider): its state is this browser's now
    page.get_by_label("Email address").fill(AMAL)
    with page.expect_request(f"{provider.issuer}/auth?*") as authorisation:
        page.get_by_role("button", name=CONTINUE).click()
    state = parse_qs(urlsplit(authorisation.value.url).query)["state"][0]
    page.goto(_with_query(callbacks[0], state=state))
    _refused(page, "Your sign-in could not be checked")


@pytest.mark.parametrize("quirk", [{"wrong_audience": True}, {"clock_skew_seconds": -7200}], ids=["wrong audience", "expired"])
def test_an_id_token_for_another_client_or_already_expired_is_refused(page, session, york, live_server, start_oidc_provider,  # noqa: F811
                                                                       quirk):
    _configure(session, york, start_oidc_provider(live_server + CALLBACK_PATH, **quirk))
    _at_provider(page)
    _provider_sign_in(page)
    _refused(page, "Your sign-in could not be checked")
    assert _people(session, AMAL) == []


@pytest.mark.parametrize(("login", "heading"), [("cara@elsewhere.example", "This email address cannot sign in here"),
                                                ("ben@york.gov.uk", "Your work email address could not be confirmed")])
def test_an_account_outside_the_allowed_domains_or_unverified_is_refused(page, session, provider, login, heading):
    _at_provider(page)
    _provider_sign_in(page, login)
    _refused(page, heading)
    assert _people(session, login) == []


def test_refusing_consent_at_the_provider_says_so(page, provider):
    _at_provider(page)
    _provider_sign_in(page, consent=False)
    _refused(page, "You did not finish signing in")


def test_a_deactivated_person_cannot_come_back_through_the_provider(page, session, provider):
    _at_provider(page)
    _provider_sign_in(page)
    [amal] = _people(session, AMAL)
    amal.active = False
    session.commit()
    page.get_by_role("button", name="Sign out").click()
    _again_at_provider(page)
    _refused(page, "Your account here is switched off")


def test_a_wrong_client_secret_is_a_set_up_problem_its_admins_see(page, browser, session, york, live_server,
                                                                   start_oidc_provider):  # noqa: F811
    _configure(session, york, start_oidc_provider(live_server + CALLBACK_PATH), secret="the-secret-id-not-its-value")
    _at_provider(page)
    _provider_sign_in(page)
    _refused(page, "Single sign-on is not working at the moment")
    admin = new_page(browser, live_server)
    sign_in(admin, "it.admin@york.gov.uk")
    admin.goto(f"/admin/organisations/{york[0].id}/single-sign-on")
    expect(admin.locator("#refused + p + table")).to_contain_text("The provider refused our client: check the client ID and secret")
    admin.context.close()


def test_someone_else_still_signed_in_at_the_provider_is_named(page, provider):
    """A shared computer: the provider still holds Amal's session when Dev types his own address."""
    _at_provider(page)
    _provider_sign_in(page)
    page.get_by_role("button", name="Sign out").click()
    _again_at_provider(page, "dev.patel@york.gov.uk")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You are signed in as Amal Hussain (amal@york.gov.uk), not dev.patel@york.gov.uk. If this is not you, sign out now")


def test_a_provider_that_is_down_gets_a_clear_page(page, provider):
    provider.stop()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(AMAL)
    page.get_by_role("button", name=CONTINUE).click()
    _refused(page, "We could not reach your organisation’s sign-in service")


def test_requiring_single_sign_on_refuses_password_sign_in_and_registration(page, session, york, live_server,
                                                                             start_oidc_provider):  # noqa: F811
    make_user(session, york[0], email="dev.patel@york.gov.uk")
    _configure(session, york, start_oidc_provider(live_server + CALLBACK_PATH), required=True)
    session.commit()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("dev.patel@york.gov.uk")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Staff of City of York Council sign in with their work account")
    assert page.context.request.get(live_server + "/my-training", max_redirects=0).status == 302
    page.goto("/register")
    page.get_by_label("Full name").fill("Dev Patel")
    page.get_by_label("Email address").fill("new.starter@york.gov.uk")
    page.get_by_label("Create a password").fill("lantern meadow copper fox")
    page.get_by_label("Confirm password").fill("lantern meadow copper fox")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Staff of City of York Council sign in with their work account")
    assert _people(session, "new.starter@york.gov.uk") == []


def test_the_sign_in_pages_are_accessible_and_look_right(browser, session, provider, live_server, learner, shots):
    """The sign-in page, a refusal and the signed-out page, at 1024 and 320 px, with axe; and other people still use passwords."""
    page = new_page(browser, live_server, bypass_csp=True)
    problems: dict[str, list] = {}
    page.goto("/sign-in")
    look(page, "sso-sign-in", shots, problems)
    _at_provider(page)
    _provider_sign_in(page, "cara@elsewhere.example")
    look(page, "sso-refused", shots, problems)
    page.context.clear_cookies()  # Cara's provider session ends; Amal signs in afresh
    _at_provider(page)
    _provider_sign_in(page)
    page.get_by_role("button", name="Sign out").click()
    look(page, "sso-signed-out", shots, problems)
    sign_in(page)  # a password account elsewhere is untouched
    page.context.close()
    assert problems == {}
