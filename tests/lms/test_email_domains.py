"""Is an email domain claimed only with proof, approved by a site admin, and never a shared or public one?"""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import select

from lms.models import AuditEvent, EmailDomain, Role, User, utcnow
from lms.services import email_domains
from lms.services.email_domains import claim_domain, claimable_domain, is_claimable, is_public_mail, is_shared, review_claim
from lms.services.organisations import AdminError
from lms.services.registration import RegistrationError, register
from tests.builders import make_email_domain, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token
from tests.lms.reporting_builders import signed_in

PASSWORD = "lantern meadow copper fox"

PUBLIC_MAIL = [
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "yahoo.co.uk", "yahoo.com.au", "uk.yahoo.com", "ymail.com", "rocketmail.com",
    "hotmail.com", "hotmail.fr", "hotmail.co.uk", "outlook.com", "outlook.de", "live.com", "live.co.uk", "msn.com", "aol.com",
    "aol.co.uk", "icloud.com", "me.com", "mac.com", "gmx.de", "gmx.com", "gmx.net", "web.de", "t-online.de", "orange.fr",
    "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr", "libero.it", "virgilio.it", "mail.ru", "yandex.ru", "yandex.com", "qq.com",
    "163.com", "126.com", "mail.com", "protonmail.com", "proton.me", "btinternet.com", "btopenworld.com", "talktalk.net",
    "ntlworld.com", "virginmedia.com", "blueyonder.co.uk", "sky.com", "tiscali.co.uk", "zoho.com",
]
SHARED = [
    "gov.uk", "nhs.net", "nhs.uk", "police.uk", "pnn.police.uk", "justice.gov.uk", "cjsm.net", "gsi.gov.uk", "gcsx.gov.uk",
    "mod.uk", "parliament.uk", "probation.gov.uk", "hmcts.gov.uk", "hmrc.gov.uk", "dwp.gov.uk", "homeoffice.gov.uk", "ac.uk",
    "sch.uk", "co.uk", "org.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "gov.wales", "gov.scot", "nhs.scot", "llyw.cymru",
    "com.au", "co.nz", "gouv.fr",
]
ONE_BODY = [
    "york.gov.uk", "northyorkshire.police.uk", "cityoflondon.police.uk", "yorkhospitals.nhs.uk", "york.ac.uk", "saferyork.org.uk",
    "yorkshire-business.co.uk", "mail.york.gov.uk", "outlook.york.gov.uk", "robin.me.uk", "york.gov.uk.cjsm.net",
    "northyorkshire.pnn.police.uk", "sky.uk", "tesco.com", "example.org", "london-fire.gov.uk",
]


@pytest.mark.parametrize("domain", PUBLIC_MAIL)
def test_is_every_national_variant_of_a_public_mail_service_refused(domain):
    assert is_public_mail(domain) and not is_claimable(domain)
    with pytest.raises(AdminError, match="public email service"):
        claimable_domain(domain)


@pytest.mark.parametrize("domain", SHARED)
def test_is_a_shared_national_domain_or_public_suffix_never_claimable(domain):
    assert is_shared(domain) and not is_claimable(domain)
    with pytest.raises(AdminError, match="shared by many organisations"):
        claimable_domain(domain.upper())


@pytest.mark.parametrize("domain", ONE_BODY)
def test_is_a_domain_that_belongs_to_one_body_claimable(domain):
    assert is_claimable(domain) and claimable_domain(f" @{domain.upper()}. ") == domain


@pytest.mark.parametrize("text", ["", "not a domain", "localhost", "-bad-.example", "1.2.3.4", "a@b.example", "x" * 300 + ".uk",
                                  "york..gov.uk", "york.gov.uk/evil", "yörk.gov.uk"])
def test_is_a_badly_written_domain_refused_with_an_example(text):
    with pytest.raises(AdminError, match="Enter an email domain like"):
        claimable_domain(text)


@pytest.fixture
def york(session):
    """A council in one partnership, its organisation admin (with a confirmed address at york.gov.uk) and a site admin."""
    council = make_organisation(session, make_partnership(session, "Safer York"), "City of York Council")
    admin = make_user(session, council, Role.ORG_ADMIN, email="admin@york.gov.uk")
    admin.email_confirmed_at = utcnow()
    site = make_user(session, council, Role.SITE_ADMIN, email="site@safer.example")
    site.email_confirmed_at = utcnow()
    session.commit()
    return council, admin, site


def joined(session, email: str) -> int | None:
    """The organisation a learner registering with this address is placed in, or None when none is."""
    try:
        register(session, "Robin Patel", email, PASSWORD)
    except RegistrationError:
        session.rollback()
        return None
    session.rollback()
    return session.scalar(select(User.organisation_id).where(User.email == email.lower()))


def test_does_a_claim_wait_for_a_site_admin_before_anyone_joins_with_it(session, york):
    council, admin, site = york
    claimed = claim_domain(session, council, "York.gov.uk", admin)
    assert (claimed.status, claimed.requested_by_id, claimed.evidence_email, claimed.reviewed_at) == ("pending", admin.id,
                                                                                                       "admin@york.gov.uk", None)
    assert joined(session, "early@york.gov.uk") is None
    review_claim(session, claimed, True, site.id)
    assert (claimed.status, claimed.reviewed_by_id) == ("approved", site.id) and claimed.reviewed_at is not None
    assert joined(session, "robin@york.gov.uk") == council.id
    events = session.scalars(select(AuditEvent).where(AuditEvent.subject == "email_domain:york.gov.uk").order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id) for e in events] == [("email_domain.claimed", admin.id), ("email_domain.approved", site.id)]
    assert events[0].detail["evidence_email"] == "admin@york.gov.uk"


def test_can_an_admin_with_an_address_at_a_subdomain_claim_the_parent_domain(session, york):
    council, admin, _site = york
    admin.email = "admin@housing.york.gov.uk"
    assert claim_domain(session, council, "york.gov.uk", admin).evidence_email == "admin@housing.york.gov.uk"


@pytest.mark.parametrize(("email", "confirmed", "message"), [
    ("admin@elsewhere.example", True, "your own account's email address must be at york.gov.uk"),
    ("admin@notyork.gov.uk", True, "must be at york.gov.uk"),  # a lookalike ending is not a subdomain
    ("admin@york.gov.uk.evil.example", True, "must be at york.gov.uk"),
    ("admin@york.gov.uk", False, "Confirm your email address admin@york.gov.uk first"),
])
def test_is_a_claim_without_proof_of_control_refused(session, york, email, confirmed, message):
    council, admin, _site = york
    admin.email, admin.email_confirmed_at = email, utcnow() if confirmed else None
    with pytest.raises(AdminError, match=message):
        claim_domain(session, council, "york.gov.uk", admin)
    assert session.scalar(select(EmailDomain.id)) is None


@pytest.mark.parametrize("domain", ["nhs.net", "justice.gov.uk", "gov.uk", "yahoo.fr"])
def test_is_a_shared_or_public_domain_refused_even_to_someone_with_an_address_there(session, york, domain):
    council, admin, site = york
    admin.email = f"admin@{domain}"
    for actor in (admin, site):
        with pytest.raises(AdminError, match="cannot be claimed"):
            claim_domain(session, council, domain, actor)


def test_is_another_partnerships_domain_refused(session, york):
    council, admin, _site = york
    make_email_domain(session, make_organisation(session, make_partnership(session, "Elsewhere")), "york.gov.uk")
    with pytest.raises(AdminError, match="already claimed by another organisation"):
        claim_domain(session, council, "york.gov.uk", admin)


def test_is_a_site_admins_claim_approved_in_the_same_step(session, york):
    council, _admin, site = york
    claimed = claim_domain(session, council, "yorkfire.example", site)
    assert (claimed.status, claimed.reviewed_by_id, claimed.evidence_email) == ("approved", site.id, "")
    assert joined(session, "crew@yorkfire.example") == council.id


def test_does_a_refused_claim_place_nobody_and_stay_refused(session, york):
    council, admin, site = york
    claimed = claim_domain(session, council, "york.gov.uk", admin)
    review_claim(session, claimed, False, site.id)
    assert claimed.status == "refused" and joined(session, "robin@york.gov.uk") is None
    with pytest.raises(AdminError, match="refused your organisation's claim"):
        claim_domain(session, council, "york.gov.uk", admin)


def test_does_an_old_approved_claim_on_a_shared_domain_place_nobody_and_refuse_approval(session, york):
    council, _admin, site = york
    old = make_email_domain(session, council, "nhs.net")  # approved and never reviewed, as migration 0004 left it
    session.commit()
    assert joined(session, "nurse@nhs.net") is None
    with pytest.raises(AdminError, match="Refuse or release this claim"):
        review_claim(session, old, True, site.id)
    assert old.reviewed_at is None


def test_are_claims_listed_pending_first_then_unreviewed_then_the_rest(session, york):
    council, admin, site = york
    make_email_domain(session, council, "a-reviewed.example").reviewed_at = utcnow()
    make_email_domain(session, council, "b-refused.example", status="refused").reviewed_at = utcnow()
    make_email_domain(session, council, "c-old.example")
    claim_domain(session, council, "york.gov.uk", admin)
    assert [c.domain for c in email_domains.claims_for_review(session)] == [
        "york.gov.uk", "c-old.example", "a-reviewed.example", "b-refused.example"]


def forget() -> None:
    """The test's app context is shared by every request, so drop the user and CSRF token Flask cached in `g`."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def as_signed_in(app, email: str):
    forget()
    return signed_in(app, email)


def get(client, path: str):
    forget()
    return client.get(path)


def page_of(client, path: str) -> str:
    return get(client, path).get_data(as_text=True)


def post(client, path: str, page_path: str, **fields):
    token = csrf_token(page_of(client, page_path))
    g.pop("_login_user", None)  # keep the CSRF token: it belongs to this client's session
    return client.post(path, data={"csrf_token": token, **fields})


def test_can_an_org_admin_claim_and_a_site_admin_approve_on_the_web(app, session, york):
    council, admin, site = york
    org_admin = as_signed_in(app, admin.email)
    new = f"/admin/organisations/{council.id}/domains/new"
    assert "must be at this domain" in page_of(org_admin, new)
    assert post(org_admin, new, new, domain="@York.gov.uk").status_code == 302
    page = page_of(org_admin, f"/admin/organisations/{council.id}")
    assert "york.gov.uk" in page and "Waiting for a site admin to approve" in page
    assert get(org_admin, "/admin/domains").status_code == 403
    claimed = session.scalar(select(EmailDomain))
    assert post(org_admin, f"/admin/domains/{claimed.id}/approve", "/admin/").status_code == 403
    reviewer = as_signed_in(app, site.email)
    assert "1 to review" in page_of(reviewer, "/admin/")
    review = page_of(reviewer, "/admin/domains")
    for shown in ("york.gov.uk", "City of York Council", "Safer York", "Test Person (organisation admin)", "admin@york.gov.uk",
                  "1 claim needs a decision"):
        assert shown in review
    response = post(reviewer, f"/admin/domains/{claimed.id}/approve", "/admin/domains")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/domains"
    assert "Approved" in page_of(org_admin, f"/admin/organisations/{council.id}")
    session.refresh(claimed)
    assert claimed.status == "approved" and claimed.reviewed_by_id == site.id


def test_are_shared_domains_flagged_and_refusing_and_releasing_audited_on_the_review_page(app, session, york):
    council, _admin, site = york
    old = make_email_domain(session, council, "nhs.net")
    other = make_email_domain(session, council, "yorkfire.example", status="pending")
    session.commit()
    reviewer = as_signed_in(app, site.email)
    review = page_of(reviewer, "/admin/domains")
    assert "it can never be approved" in review and f"/admin/domains/{old.id}/approve" not in review
    assert "Approved before claims were checked" in review and "claimed before claims were checked" in review
    forced = post(reviewer, f"/admin/domains/{old.id}/approve", "/admin/domains")
    assert forced.status_code == 302 and "it cannot be claimed" in page_of(reviewer, "/admin/domains")
    post(reviewer, f"/admin/domains/{other.id}/refuse", "/admin/domains")
    released = post(reviewer, f"/admin/domains/{old.id}/remove", "/admin/domains", back="review")
    assert released.headers["Location"] == "/admin/domains"
    assert [(d.domain, d.status) for d in session.scalars(select(EmailDomain))] == [("yorkfire.example", "refused")]
    actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("email_domain.%")).order_by(AuditEvent.id)))
    assert actions == ["email_domain.refused", "email_domain.released"]


def test_is_a_review_without_csrf_or_for_an_unknown_claim_refused(app, session, york):
    council, _admin, site = york
    claimed = make_email_domain(session, council, "yorkfire.example", status="pending")
    session.commit()
    reviewer = as_signed_in(app, site.email)
    get(reviewer, "/admin/domains")
    assert reviewer.post(f"/admin/domains/{claimed.id}/approve").status_code == 400
    assert post(reviewer, "/admin/domains/999999/approve", "/admin/domains").status_code == 404
    assert post(reviewer, "/admin/domains/99999999999999999999/refuse", "/admin/domains").status_code == 404
    session.refresh(claimed)
    assert claimed.status == "pending"


@pytest.mark.parametrize(("text", "message"), [
    ("gmail.com", "public email service"), ("nhs.net", "shared by many organisations"), ("x" * 5000, "253 characters"),
    ("", "Enter the email domain"), ("elsewhere.example", "must be at elsewhere.example"),
])
def test_does_the_claim_form_say_what_is_wrong_at_its_field(app, session, york, text, message):
    council, admin, _site = york
    client = as_signed_in(app, admin.email)
    new = f"/admin/organisations/{council.id}/domains/new"
    response = post(client, new, new, domain=text)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'href="#domain"' in page and message in page
    assert session.scalar(select(EmailDomain.id)) is None
