"""Can an organisation's admin (or a site admin) set up its single sign-on provider, safely and in plain words?

The page keeps the client secret encrypted and out of every page; it refuses issuers, domains and switches that
would not work, naming the field; its "test connection" asks a real HTTP server and says what it found."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, text

from lms.models import AuditEvent, Role, SingleSignOn, SsoIdentity, User
from lms.services.sso.secret_box import unseal
from tests.builders import make_email_domain, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token
from tests.lms.reporting_builders import signed_in

SECRET = "s3cret-value-from-the-provider-Qx7~"  # noqa: S105
NEW_SECRET = "a-second-secret-after-rotation-Zp4"  # noqa: S105
ISSUER = "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/v2.0"
PAGE = "/admin/organisations/{}/single-sign-on"


@pytest.fixture
def york(session):
    """A council holding york.gov.uk as an approved claim (and a claim still waiting), its staff, and a neighbour."""
    partnership = make_partnership(session, "Safer York")
    council = make_organisation(session, partnership, "City of York Council")
    make_email_domain(session, council, "york.gov.uk")
    make_email_domain(session, council, "yorkpending.example", status="pending")
    neighbour = make_organisation(session, partnership, "Selby Council")
    people = {role: make_user(session, council, role, email=f"{role.value}@york.gov.uk").email
              for role in (Role.ORG_ADMIN, Role.SITE_ADMIN, Role.LEARNER, Role.TRAINER, Role.PARTNERSHIP_LEAD)}
    people["neighbour"] = make_user(session, neighbour, Role.ORG_ADMIN, email="admin@selby.example").email
    session.commit()
    return council, people


def settings_form(**changes) -> dict:
    form = {"issuer": ISSUER, "client_id": "3f2a-client", "client_secret": SECRET, "tenant_id": "",
            "domains": ["york.gov.uk"], "enabled": "y"}
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def post_settings(client, organisation_id: int, form: dict):
    page = client.get(PAGE.format(organisation_id))
    assert page.status_code == 200
    return client.post(PAGE.format(organisation_id), data={**form, "csrf_token": csrf_token(page.get_data(as_text=True))})


def saved(session, organisation_id: int) -> SingleSignOn | None:
    session.expire_all()
    return session.scalar(select(SingleSignOn).where(SingleSignOn.organisation_id == organisation_id))


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.SITE_ADMIN])
def test_can_an_admin_save_the_provider_with_its_secret_kept_encrypted_and_never_shown(app, session, york, role):
    council, people = york
    admin = session.scalar(select(User).where(User.email == people[role]))
    session.add(SsoIdentity(user_id=admin.id, issuer=ISSUER, subject="their-own-account"))  # came in through it once
    session.commit()
    client = signed_in(app, people[role])
    response = post_settings(client, council.id, settings_form(tenant_id="0f1e2d3c", required="y"))
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE.format(council.id))
    provider = saved(session, council.id)
    assert (provider.issuer, provider.client_id, provider.tenant_id, provider.domains) == (ISSUER, "3f2a-client", "0f1e2d3c", ["york.gov.uk"])
    assert provider.enabled and provider.required
    row = session.execute(text("SELECT client_secret_encrypted FROM single_sign_on")).scalar_one()
    assert SECRET not in row and unseal(row) == SECRET
    settings_page = client.get(PAGE.format(council.id)).get_data(as_text=True)
    assert "Single sign-on settings saved. Staff at york.gov.uk must sign in." in settings_page
    assert "These settings have not passed a connection test yet" in settings_page
    assert "Leave empty to keep the saved secret" in settings_page and "On (required)" in settings_page
    organisation_page = client.get(f"/admin/organisations/{council.id}").get_data(as_text=True)
    assert "On (required)" in organisation_page and f'href="{PAGE.format(council.id)}"' in organisation_page
    for html in (settings_page, organisation_page):
        assert SECRET not in html


def test_does_the_page_show_the_exact_redirect_uri_and_scopes_to_give_the_provider(app, york):
    council, people = york
    html = signed_in(app, people[Role.ORG_ADMIN]).get(PAGE.format(council.id)).get_data(as_text=True)
    assert f'<code class="sl-wrap" id="redirect-uri">{app.config["SITE_URL"]}/sign-in/organisation/callback</code>' in html
    assert "<code>openid email profile</code>" in html
    assert 'type="password"' in html and "never shown again" in html and "Leave empty to keep" not in html
    assert "yorkpending.example" not in html, "a claim still waiting for approval cannot be chosen"


def test_does_an_empty_secret_keep_the_saved_one_and_a_new_one_replace_it(app, session, york):
    council, people = york
    client = signed_in(app, people[Role.ORG_ADMIN])
    post_settings(client, council.id, settings_form())
    assert post_settings(client, council.id, settings_form(client_secret="", client_id="renamed")).status_code == 302
    provider = saved(session, council.id)
    assert (provider.client_id, unseal(provider.client_secret_encrypted)) == ("renamed", SECRET)
    post_settings(client, council.id, settings_form(client_secret=NEW_SECRET))
    assert unseal(saved(session, council.id).client_secret_encrypted) == NEW_SECRET


def test_is_the_audit_event_written_without_the_secret(app, session, york):
    council, people = york
    post_settings(signed_in(app, people[Role.ORG_ADMIN]), council.id, settings_form())
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "sso.settings_saved"))
    assert event.detail["issuer"] == ISSUER and event.detail["secret_changed"] is True
    assert SECRET not in json.dumps(event.detail) and SECRET not in event.subject
    encrypted = saved(session, council.id).client_secret_encrypted
    assert encrypted not in json.dumps(event.detail)


def assert_refused(client, session, organisation_id: int, form: dict, field: str, message: str) -> None:
    """The form comes back with the message on the field and in the error summary, and nothing is saved."""
    before = saved(session, organisation_id)
    before = before and (before.issuer, before.domains, before.enabled, before.required, before.client_secret_encrypted)
    response = post_settings(client, organisation_id, form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in html and "<title>Error: " in html
    assert f'<li><a href="#{field}">{message}' in html
    assert f'id="{field}-error"' in html and message in html.split(f'id="{field}-error"')[1][:400]
    after = saved(session, organisation_id)
    assert (after and (after.issuer, after.domains, after.enabled, after.required, after.client_secret_encrypted)) == before


@pytest.mark.parametrize(("issuer", "message"), [
    ("http://login.example.com", "The issuer URL must start with https://"),
    ("ftp://login.example.com/v2.0", "The issuer URL must start with https://"),
    ("login dot example", "Enter the issuer URL your identity provider gives, like"),
    ("https://", "Enter the issuer URL your identity provider gives, like"),
    ("https://login.example.com/v2.0?tenant=1", "Enter the issuer URL your identity provider gives, like"),
    ("", "Enter the issuer URL your identity provider gives"),
    ("https://login.example.com/" + "x" * 500, "Issuer URL must be 500 characters or fewer"),
])
def test_is_a_bad_issuer_refused_with_a_clear_error_and_nothing_saved(app, session, york, issuer, message):
    council, people = york
    assert_refused(signed_in(app, people[Role.ORG_ADMIN]), session, council.id, settings_form(issuer=issuer), "issuer", message)


def test_does_a_refused_change_leave_the_saved_settings_as_they_were(app, session, york):
    council, people = york
    client = signed_in(app, people[Role.ORG_ADMIN])
    post_settings(client, council.id, settings_form())
    assert_refused(client, session, council.id, settings_form(issuer="http://evil.example", client_secret=NEW_SECRET), "issuer",
                   "The issuer URL must start with https://")
    assert unseal(saved(session, council.id).client_secret_encrypted) == SECRET


@pytest.mark.parametrize("domains", [["elsewhere.example"], ["yorkpending.example"], ["york.gov.uk", "selby.example"]])
def test_is_a_domain_that_is_not_an_approved_claim_refused(app, session, york, domains):
    council, people = york
    assert_refused(signed_in(app, people[Role.ORG_ADMIN]), session, council.id, settings_form(domains=domains), "domains",
                   "Choose only email domains your organisation holds as approved claims")


@pytest.mark.parametrize("switch", [{"enabled": "y"}, {"required": "y"}])
def test_is_switching_on_or_requiring_it_without_a_domain_refused(app, session, york, switch):
    council, people = york
    form = {**settings_form(domains=None, enabled=None), **switch}
    assert_refused(signed_in(app, people[Role.ORG_ADMIN]), session, council.id, form, "domains",
                   "Choose at least one email domain whose staff sign in with this provider")


def test_is_a_first_save_without_a_secret_or_client_id_refused(app, session, york):
    council, people = york
    client = signed_in(app, people[Role.ORG_ADMIN])
    assert_refused(client, session, council.id, settings_form(client_secret=""), "client_secret", "Enter the client secret the provider gave")
    assert_refused(client, session, council.id, settings_form(client_id=" "), "client_id", "Enter the client ID (application ID)")
    assert_refused(client, session, council.id, settings_form(tenant_id="two words"), "tenant_id", "Enter the tenant ID as the provider")


def test_can_it_be_saved_switched_off_with_no_domains_while_being_set_up(app, session, york):
    council, people = york
    client = signed_in(app, people[Role.ORG_ADMIN])
    assert post_settings(client, council.id, settings_form(domains=None, enabled=None)).status_code == 302
    provider = saved(session, council.id)
    assert not provider.enabled and provider.domains == []
    assert "It is off: nobody is offered it" in client.get(PAGE.format(council.id)).get_data(as_text=True)


def test_does_an_organisation_without_approved_domains_hear_how_to_claim_one(app, session, york):
    _, people = york
    client = signed_in(app, people["neighbour"])
    selby = session.scalar(select(User).where(User.email == people["neighbour"])).organisation_id
    html = client.get(PAGE.format(selby)).get_data(as_text=True)
    assert "Selby Council has no approved email domains yet." in html
    assert f'href="/admin/organisations/{selby}/domains/new"' in html


ROUTES = [("GET", ""), ("POST", ""), ("POST", "/test"), ("GET", "/remove"), ("POST", "/remove")]


@pytest.mark.parametrize(("who", "status"), [("neighbour", 404), (Role.LEARNER, 403), (Role.TRAINER, 403), (Role.PARTNERSHIP_LEAD, 403)])
def test_is_everyone_but_its_own_admins_and_site_admins_refused(app, session, york, who, status):
    """Another organisation's admin is told "not found", as everywhere in admin; other roles have no admin pages here."""
    council, people = york
    post_settings(signed_in(app, people[Role.ORG_ADMIN]), council.id, settings_form())
    client = signed_in(app, people[who])
    token = csrf_token(client.get("/my-training").get_data(as_text=True))  # the sign-out button's, valid for any form
    for method, tail in ROUTES:
        path = PAGE.format(council.id) + tail
        response = client.get(path) if method == "GET" else client.post(path, data={**settings_form(issuer="https://evil.example"),
                                                                                     "csrf_token": token})
        assert response.status_code == status, f"{method} {path}"
    provider = saved(session, council.id)
    assert provider is not None and provider.issuer == ISSUER


def test_does_the_organisation_page_link_to_single_sign_on_saying_it_is_off(app, york):
    council, people = york
    html = signed_in(app, people[Role.ORG_ADMIN]).get(f"/admin/organisations/{council.id}").get_data(as_text=True)
    assert ">Off</dd>" in html and f'href="{PAGE.format(council.id)}">Change' in html


# --- test connection --------------------------------------------------------------------------------


def press_test_connection(client, organisation_id: int) -> str:
    """Press "Test connection" and read the page it goes back to."""
    page = client.get(PAGE.format(organisation_id)).get_data(as_text=True)
    response = client.post(PAGE.format(organisation_id) + "/test", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_does_testing_with_nothing_saved_say_so(app, york):
    council, people = york
    html = press_test_connection(signed_in(app, people[Role.ORG_ADMIN]), council.id)
    assert "There is nothing to test yet: save the provider&#39;s settings first." in html


def test_does_an_unreachable_issuer_get_a_plain_words_problem(app, session, york):
    app.config["SSO_ALLOW_HTTP_LOOPBACK"] = True  # a loopback issuer may be asked; nothing listens on port 1
    council, people = york
    client = signed_in(app, people[Role.ORG_ADMIN])
    post_settings(client, council.id, settings_form(issuer="https://127.0.0.1:1"))
    html = press_test_connection(client, council.id)
    assert "The connection test found problems" in html and "Problems found: sign-in will not work until they are fixed" in html
    assert "Could not reach the provider&#39;s discovery document at https://127.0.0.1:1/.well-known/openid-configuration" in html
    provider = saved(session, council.id)
    assert provider.check_passed is False and provider.checked_at is not None


class _Provider(BaseHTTPRequestHandler):
    """Serves one discovery document and its keys, as a provider publishes them."""

    documents: dict[str, dict] = {}

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        found = self.documents.get(self.path)
        body = json.dumps(found).encode() if found is not None else b"not found"
        self.send_response(200 if found is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def provider_serving(issuer_override: str | None = None, padding: int = 0) -> Iterator[str]:
    """A tiny provider on a free local port; its discovery document names `issuer_override` if given, else itself,
    and carries `padding` characters more (a document far too large)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Provider,), {"documents": {}}))
    base = f"http://127.0.0.1:{server.server_port}"
    server.RequestHandlerClass.documents.update({
        "/.well-known/openid-configuration": {
            "issuer": issuer_override or base, "authorization_endpoint": f"{base}/authorize", "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks", "response_types_supported": ["code"], "code_challenge_methods_supported": ["S256"],
            "end_session_endpoint": f"{base}/logout", **({"padding": "x" * padding} if padding else {})},
        "/jwks": {"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": "sXch", "e": "AQAB"}]},
    })
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_does_a_provider_that_publishes_what_sign_in_needs_pass(app, session, york):
    app.config["SSO_ALLOW_HTTP_LOOPBACK"] = True
    council, people = york
    client = signed_in(app, people[Role.ORG_ADMIN])
    with provider_serving() as issuer:
        assert post_settings(client, council.id, settings_form(issuer=issuer)).status_code == 302
        html = press_test_connection(client, council.id)
    assert "The connection test passed." in html and ">Passed</dd>" in html
    assert "The client ID and secret are checked only when someone signs in" in html
    assert "The settings were changed after this test" not in html
    assert saved(session, council.id).check_passed is True


def test_does_a_provider_naming_another_issuer_report_the_mismatch(app, session, york):
    app.config["SSO_ALLOW_HTTP_LOOPBACK"] = True
    council, people = york
    client = signed_in(app, people[Role.ORG_ADMIN])
    with provider_serving("https://login.elsewhere.example/") as issuer:
        post_settings(client, council.id, settings_form(issuer=issuer))
        html = press_test_connection(client, council.id)
    assert "The connection test found problems" in html
    assert f"The provider calls itself &#39;https://login.elsewhere.example/&#39;, not &#39;{issuer}&#39;" in html
    post_settings(client, council.id, settings_form(client_id="changed-after"))
    assert "The settings were changed after this test" in client.get(PAGE.format(council.id)).get_data(as_text=True)


def test_is_http_refused_for_a_loopback_issuer_unless_the_installation_allows_it(app, session, york):
    council, people = york
    assert_refused(signed_in(app, people[Role.ORG_ADMIN]), session, council.id, settings_form(issuer="http://127.0.0.1:9"),
                   "issuer", "The issuer URL must start with https://")


# --- removing it ------------------------------------------------------------------------------------


def test_does_removing_ask_first_then_delete_the_settings_and_audit_it(app, session, york):
    council, people = york
    client = signed_in(app, people[Role.ORG_ADMIN])
    post_settings(client, council.id, settings_form())
    confirm = client.get(PAGE.format(council.id) + "/remove")
    html = confirm.get_data(as_text=True)
    assert "Are you sure you want to remove single sign-on?" in html and "Staff at york.gov.uk will sign in with a password" in html
    assert saved(session, council.id) is not None
    response = client.post(PAGE.format(council.id) + "/remove", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/organisations/{council.id}")
    assert saved(session, council.id) is None
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "sso.settings_removed")).detail == {"issuer": ISSUER}
    assert "Single sign-on removed" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_is_removing_without_a_csrf_token_refused(app, session, york):
    council, people = york
    client = signed_in(app, people[Role.ORG_ADMIN])
    post_settings(client, council.id, settings_form())
    assert client.post(PAGE.format(council.id) + "/remove").status_code == 400
    assert client.post(PAGE.format(council.id) + "/test").status_code == 400
    assert saved(session, council.id) is not None



def test_is_a_huge_discovery_document_refused(app, session, york):
    app.config["SSO_ALLOW_HTTP_LOOPBACK"] = True
    council, people = york
    client = signed_in(app, people[Role.ORG_ADMIN])
    with provider_serving(padding=2 * 1024 * 1024) as issuer:
        post_settings(client, council.id, settings_form(issuer=issuer))
        html = press_test_connection(client, council.id)
    assert "is far larger, or came far more slowly, than one should: check the issuer URL" in html
    assert saved(session, council.id).check_passed is False


def test_can_an_organisation_admin_require_it_only_after_coming_in_through_it(app, session, york):
    """Requiring single sign-on turns off their own password too: first they must have signed in with it once."""
    council, people = york
    client = signed_in(app, people[Role.ORG_ADMIN])
    assert_refused(client, session, council.id, settings_form(required="y"), "required",
                   "Before requiring single sign-on, sign in once with your own work account through it")
    assert post_settings(client, council.id, settings_form()).status_code == 302  # switching it on is fine


@pytest.mark.parametrize("issuer", ["https://127.0.0.1:8443", "https://10.1.2.3", "https://169.254.169.254", "https://[::1]"])
def test_does_test_connection_refuse_to_ask_a_private_network_address(app, session, york, issuer):
    """An admin's provider address must not turn the server into a probe of its own network."""
    council, people = york
    client = signed_in(app, people[Role.ORG_ADMIN])
    post_settings(client, council.id, settings_form(issuer=issuer))
    html = press_test_connection(client, council.id)
    assert "is on a private network address, which this installation does not reach" in html
