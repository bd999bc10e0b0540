"""Who a provider's verified ID token lets in, and where the sign-in page sends an address.

The claims here are what Authlib hands over after checking the token's signature, issuer, audience,
expiry and nonce (the Chromium tests in tests/browser/test_single_sign_on.py drive that part against a
real provider); these tests cover what Safer Learning then decides, case by case.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms import create_app
from lms.models import AuditEvent, EmailDomain, Role, SsoIdentity, User
from lms.services.personal_data import erase_person, export_personal_data
from lms.services.sso import refusals
from lms.services.sso import settings as sso_settings
from lms.services.sso.accounts import Refusal, SsoRefused, person_for
from tests.builders import PASSWORD, make_email_domain, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token, sign_in

ISSUER = "https://login.microsoftonline.com/4b5a6978-0000-1111-2222-a5b4c3d2e1f0/v2.0"
TENANT = "4b5a6978-0000-1111-2222-a5b4c3d2e1f0"


@pytest.fixture
def york(session):
    """City of York Council with york.gov.uk and single sign-on switched on; Selby Council next door."""
    partnership = make_partnership(session, "Safer York")
    council = make_organisation(session, partnership, "City of York Council")
    make_email_domain(session, council, "york.gov.uk")
    admin = make_user(session, council, Role.ORG_ADMIN, email="it.admin@york.gov.uk")
    selby = make_organisation(session, partnership, "Selby Council")
    make_email_domain(session, selby, "selby.gov.uk")
    session.commit()
    provider = sso_settings.save(session, council, sso_settings.Changes(ISSUER, "client", "secret", "", ["york.gov.uk"],
                                                                        True, False), admin)
    return council, selby, provider


def claims(email: str = "amal@york.gov.uk", sub: str = "sub-amal", **more) -> dict:
    return {"iss": ISSUER, "sub": sub, "email": email, "email_verified": True, "name": "Amal Hussain", **more}


def refusal(session, provider, token: dict) -> Refusal:
    with pytest.raises(SsoRefused) as refused:
        person_for(session, provider, token)
    return refused.value.reason


def test_a_changed_email_at_the_provider_follows_the_same_person(session, york):
    council, _, provider = york
    amal = person_for(session, provider, claims())
    again = person_for(session, provider, claims(email="amal.hussain@york.gov.uk"))
    assert again.id == amal.id and again.email == "amal.hussain@york.gov.uk"
    assert session.scalar(select(func.count()).select_from(User).where(User.organisation_id == council.id)) == 2  # admin + Amal


def test_an_existing_password_account_in_the_organisation_is_linked_not_duplicated(session, york):
    council, _, provider = york
    existing = make_user(session, council, email="amal@york.gov.uk", confirmed=False)
    session.commit()
    assert person_for(session, provider, claims(email="Amal@York.gov.uk")).id == existing.id
    assert existing.email_confirmed  # the provider verified the address
    assert session.scalar(select(SsoIdentity.subject).where(SsoIdentity.user_id == existing.id)) == "sub-amal"


def test_an_account_in_another_organisation_is_never_taken_over(session, york):
    _, selby, provider = york
    make_user(session, selby, email="moved@york.gov.uk")
    session.commit()
    assert refusal(session, provider, claims(email="moved@york.gov.uk")) is Refusal.OTHER_ORGANISATION


@pytest.mark.parametrize("role", [Role.SITE_ADMIN, Role.PARTNERSHIP_LEAD])
def test_a_provider_never_signs_in_a_site_admin_or_a_partnership_lead(session, york, role):
    council, _, provider = york
    make_user(session, council, role, email="lead@york.gov.uk")
    session.commit()
    assert refusal(session, provider, claims(email="lead@york.gov.uk")) is Refusal.PASSWORD_ONLY


@pytest.mark.parametrize("token", [
    claims(email_verified=False), claims(email_verified="true"), claims(email=None), claims(email="not-an-address"),
], ids=["unverified", "verified as a string", "no email", "not an address"])
def test_an_email_the_provider_did_not_verify_is_refused(session, york, token):
    assert refusal(session, york[2], token) is Refusal.EMAIL_UNVERIFIED


def test_entra_ids_domain_owner_verified_claim_counts_as_verified(session, york):
    token = claims(email_verified=None, xms_edov=True)
    assert person_for(session, york[2], token).email == "amal@york.gov.uk"


@pytest.mark.parametrize("email", ["cara@selby.gov.uk", "cara@elsewhere.example", "cara@gmail.com", "cara@evilyork.gov.uk"])
def test_an_address_outside_the_providers_domains_is_refused(session, york, email):
    assert refusal(session, york[2], claims(email=email)) is Refusal.DOMAIN_NOT_ALLOWED


def test_a_subdomain_of_an_allowed_domain_signs_in(session, york):
    assert person_for(session, york[2], claims(email="dev@housing.york.gov.uk")).organisation_id == york[0].id


def test_a_released_domain_claim_stops_its_sign_ins_at_once(session, york):
    session.execute(EmailDomain.__table__.delete().where(EmailDomain.domain == "york.gov.uk"))
    session.commit()
    assert refusal(session, york[2], claims()) is Refusal.DOMAIN_NOT_ALLOWED
    assert sso_settings.provider_for_email(session, "amal@york.gov.uk") is None


def test_a_more_specific_claim_by_another_organisation_decides(session, york):
    _, selby, _ = york
    make_email_domain(session, selby, "selby.york.gov.uk")
    session.commit()
    assert sso_settings.provider_for_email(session, "x@selby.york.gov.uk") is None  # Selby has no provider
    assert sso_settings.provider_for_email(session, "x@york.gov.uk").id == york[2].id


def test_a_tenant_id_must_match_the_tokens_tid(session, york):
    council, _, provider = york
    provider.tenant_id = TENANT
    session.commit()
    assert refusal(session, provider, claims(tid="another-tenant")) is Refusal.WRONG_TENANT
    assert refusal(session, provider, claims()) is Refusal.WRONG_TENANT
    assert person_for(session, provider, claims(tid=TENANT)).organisation_id == council.id


def test_a_token_from_another_issuer_or_without_a_subject_is_refused(session, york):
    assert refusal(session, york[2], claims(iss="https://evil.example")) is Refusal.TOKEN_REJECTED
    assert refusal(session, york[2], claims(sub="")) is Refusal.TOKEN_REJECTED


def test_a_deactivated_or_erased_person_stays_out(session, york):
    amal = person_for(session, york[2], claims())
    amal.active = False
    session.commit()
    assert refusal(session, york[2], claims()) is Refusal.ACCOUNT_DISABLED
    amal.active = True
    session.commit()
    erase_person(session, amal, None, "http://127.0.0.1:5000")
    assert session.scalar(select(func.count()).select_from(SsoIdentity)) == 0
    assert person_for(session, york[2], claims()).id != amal.id  # a new account: the old one is anonymous now


def test_a_first_sign_in_is_audited_and_the_export_lists_the_identity(session, york):
    amal = person_for(session, york[2], claims())
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.subject == f"user:{amal.public_id}")))
    assert {"user.created_by_sso", "user.sso_linked"} <= actions
    assert export_personal_data(session, amal, None)["single_sign_on_identities"][0]["subject"] == "sub-amal"


# --- the sign-in, registration and forgotten-password pages ----------------------------------------------------------------


def _post(client, path: str, **form):
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={**form, "csrf_token": csrf_token(page)})


def test_an_address_with_single_sign_on_goes_on_to_the_provider(client, session, york):
    york[2].issuer = "https://127.0.0.1:1"  # nothing listens there
    session.commit()
    response = _post(client, "/sign-in", email="amal@york.gov.uk", password="")
    assert response.status_code == 502  # begun: the provider was asked for its discovery document, and did not answer
    assert "We could not reach your organisation’s sign-in service" in response.get_data(as_text=True)


def test_continuing_with_an_address_that_has_no_single_sign_on_says_so(client, york):
    html = _post(client, "/sign-in", email="cara@selby.gov.uk", with_organisation="y").get_data(as_text=True)
    assert "No organisation here signs in with its own account for selby.gov.uk: check the address" in html
    assert "There is a problem" in html


def test_required_single_sign_on_refuses_passwords_but_not_a_site_admins(client, session, york):
    council, _, provider = york
    provider.required = True
    make_user(session, council, email="staff@york.gov.uk")
    make_user(session, council, Role.SITE_ADMIN, email="root@york.gov.uk")
    session.commit()
    html = sign_in(client, "staff@york.gov.uk").get_data(as_text=True)
    assert "Staff of City of York Council sign in with their work account, not a password" in html
    assert client.get("/my-training").status_code == 302
    staff = session.scalar(select(User).where(User.email == "staff@york.gov.uk"))
    assert staff.last_sign_in_at is None  # a refused password is not a sign-in, however correct
    assert sign_in(client, "root@york.gov.uk", PASSWORD).headers["Location"].endswith("/my-training")


def test_required_single_sign_on_refuses_registration_and_password_resets(client, session, york):
    york[2].required = True
    session.commit()
    html = _post(client, "/register", full_name="New Starter", email="new@york.gov.uk", password="lantern meadow copper fox",
                 confirm="lantern meadow copper fox").get_data(as_text=True)
    assert "Staff of City of York Council sign in with their work account" in html
    assert session.scalar(select(User).where(User.email == "new@york.gov.uk")) is None
    html = _post(client, "/forgot-password", email="new@york.gov.uk").get_data(as_text=True)
    assert "Staff of City of York Council sign in with their work account" in html


# --- what an attacker or a careless setup could try -------------------------------------------------------------------------


def test_an_unconfirmed_registration_of_the_address_is_taken_over_and_its_password_stops(client, session, york):
    """Someone registered amal@york.gov.uk with their own password before Amal's first sign-in: it is hers now."""
    council, selby, provider = york
    squatter = make_user(session, selby, email="amal@york.gov.uk", confirmed=False)  # joined Selby with a join code
    old_public_id = squatter.public_id
    session.commit()
    amal = person_for(session, provider, claims())
    assert (amal.id, amal.organisation_id, amal.full_name, amal.email_confirmed) == (squatter.id, council.id, "Amal Hussain", True)
    assert amal.public_id != old_public_id
    assert sign_in(client, "amal@york.gov.uk", PASSWORD).status_code == 200  # the squatter's password no longer works


def test_someone_at_the_domain_in_another_organisation_keeps_their_password_where_it_is_required(client, session, york):
    _, selby, provider = york
    provider.required = True
    make_user(session, selby, email="seconded@york.gov.uk")
    session.commit()
    assert sign_in(client, "seconded@york.gov.uk", PASSWORD).headers["Location"].endswith("/my-training")


def test_a_known_person_is_refused_once_the_domain_claim_is_gone(session, york):
    person_for(session, york[2], claims())
    session.execute(EmailDomain.__table__.update().where(EmailDomain.domain == "york.gov.uk").values(status="refused"))
    session.commit()
    assert refusal(session, york[2], claims()) is Refusal.DOMAIN_NOT_ALLOWED


@pytest.mark.parametrize("token", [claims(sub="x" * 256), claims(sub="bad\x00sub"), claims(sub=12345)],
                         ids=["too long", "a NUL", "not text"])
def test_an_odd_subject_is_refused_not_stored(session, york, token):
    assert refusal(session, york[2], token) is Refusal.TOKEN_REJECTED


@pytest.mark.parametrize("email", ["amal@evil.example@york.gov.uk", "amal@yor\u212a.gov.uk", "amal@york.gov.uk\n"])
def test_an_odd_address_is_treated_as_none(session, york, email):
    assert refusal(session, york[2], claims(email=email)) is Refusal.EMAIL_UNVERIFIED


def test_a_name_with_control_characters_is_cleaned(session, york):
    assert person_for(session, york[2], claims(name="Amal\x00 Hussain\n")).full_name == "Amal Hussain"


def test_google_accounts_must_come_from_the_workspace_domain(session, york):
    """Every Google account shares one issuer: only those whose hosted domain (hd) is one of the provider's come in."""
    provider = york[2]
    provider.issuer = "https://accounts.google.com"
    session.commit()
    google = {**claims(), "iss": "https://accounts.google.com"}
    assert refusal(session, provider, google) is Refusal.WRONG_TENANT  # a personal Google account using the work address
    assert refusal(session, provider, {**google, "hd": "elsewhere.example"}) is Refusal.WRONG_TENANT
    assert person_for(session, provider, {**google, "hd": "york.gov.uk"}).organisation_id == york[0].id


def test_the_signed_out_page_offers_a_providers_sign_out_only_right_after_signing_out(client, york):
    assert client.get(f"/signed-out?provider={york[2].id}").status_code == 302  # crafted: nothing to show


def test_refusals_are_audited_for_admins_a_limited_number_per_address_on_one_line_each(session, york, caplog):
    forged = SsoRefused(Refusal.TOKEN_REJECTED, "invalid_grant\nFAKE single sign-on accepted for admin")
    for _ in range(refusals.AUDIT_LIMIT + 5):
        refusals.record(session, forged, york[2], "203.0.113.9")
    audited = session.scalars(select(AuditEvent).where(AuditEvent.action == refusals.ACTION)).all()
    assert len(audited) == refusals.AUDIT_LIMIT and "\n" not in audited[0].detail["detail"]
    assert len([r for r in caplog.records if "single sign-on refused" in r.getMessage()]) == refusals.AUDIT_LIMIT + 5
    assert all("\n" not in r.getMessage() for r in caplog.records)
    assert refusals.recent(session, york[0])[0][1].startswith("The provider's answer failed the checks")


def test_a_site_admin_at_a_required_domain_can_still_reset_their_password(app, client, session, york, monkeypatch):
    council, _, provider = york
    provider.required = True
    make_user(session, council, Role.SITE_ADMIN, email="root@york.gov.uk")
    make_user(session, council, email="staff@york.gov.uk")
    session.commit()
    sent = []
    monkeypatch.setattr("lms.mail.send_soon", sent.append)
    pages = [_post(client, "/forgot-password", email=email).get_data(as_text=True)
             for email in ("root@york.gov.uk", "staff@york.gov.uk")]
    assert [message.to for message in sent] == ["root@york.gov.uk"]  # the learner signs in with their work account
    assert all("Sign in with your work account" in page and "Staff of City of York Council" in page for page in pages)


def test_the_setting_allowing_private_addresses_reads_false_as_false(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_SSO_ALLOW_PRIVATE_ADDRESSES", "False")
    monkeypatch.setenv("LMS_SSO_ALLOW_HTTP_LOOPBACK", "no")
    config = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}).config
    assert config["SSO_ALLOW_PRIVATE_ADDRESSES"] is False and config["SSO_ALLOW_HTTP_LOOPBACK"] is False


def test_an_admin_whose_own_address_is_elsewhere_may_require_it_at_once(session, york):
    council, _, provider = york
    outsider = make_user(session, council, Role.ORG_ADMIN, email="contractor@it-partner.example")
    session.commit()
    changes = sso_settings.Changes(ISSUER, "client", "", "", ["york.gov.uk"], True, True)
    assert sso_settings.save(session, council, changes, outsider).required
