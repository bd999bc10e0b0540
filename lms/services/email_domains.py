"""Email domains an organisation claims so its staff can join without a join code.

A claim places everyone who registers with an address at the domain, so it is only made with proof:
an organisation admin asks with their own confirmed address at the domain, and a site admin approves
(or refuses) it. Shared national domains and public mail services can never be claimed, because
thousands of people in other organisations hold addresses there. Every step is audited.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import EmailDomain, Organisation, Role, User, utcnow
from lms.services.audit import record_event
from lms.services.organisations import AdminError

PENDING, APPROVED, REFUSED = "pending", "approved", "refused"
DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")

# Shared by many bodies across the country (or a whole sector): one organisation can never own them.
# Their subdomains that belong to one body (york.gov.uk, northyorkshire.police.uk) stay claimable.
SHARED_DOMAINS = frozenset({
    # public sector, national
    "gov.uk", "nhs.net", "nhs.uk", "police.uk", "pnn.police.uk", "justice.gov.uk", "cjsm.net", "gsi.gov.uk", "gsx.gov.uk",
    "gcsx.gov.uk", "gse.gov.uk", "mod.uk", "parliament.uk", "probation.gov.uk", "hmcts.gov.uk", "hmps.gov.uk", "hmrc.gov.uk",
    "dwp.gov.uk", "homeoffice.gov.uk", "cabinetoffice.gov.uk", "education.gov.uk", "dhsc.gov.uk", "ukhsa.gov.uk",
    "ac.uk", "sch.uk", "nhs.scot", "nhs.wales", "gov.wales", "gov.scot", "llyw.cymru", "hscni.net", "gov.im", "gov.je", "gov.gg",
    # second-level public suffixes: anyone can register a name under these
    "co.uk", "org.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "nic.uk", "uk.com", "uk.net", "gb.com", "eu.com",
})
# Second-level suffixes elsewhere ("com.au", "co.nz", "gouv.fr"): a label like these over a country code.
SECOND_LEVEL_LABELS = frozenset({"co", "com", "net", "org", "gov", "gouv", "ac", "edu", "sch", "ltd", "plc", "me", "ne", "or", "nhs",
                                 "police", "mod", "nom", "gob"})

# Public mail: a provider's name over a generic or country suffix (yahoo.fr, yahoo.co.uk, gmx.de, mail.ru ...).
MAIL_PROVIDERS = frozenset({
    "gmail", "googlemail", "yahoo", "ymail", "rocketmail", "hotmail", "outlook", "live", "msn", "windowslive", "passport",
    "aol", "aim", "icloud", "me", "mac", "proton", "protonmail", "tutanota", "tuta", "zoho", "zohomail", "fastmail", "hushmail",
    "mail", "email", "inbox", "mailbox", "gmx", "web", "t-online", "freenet", "arcor", "posteo", "orange", "wanadoo", "free",
    "laposte", "sfr", "neuf", "libero", "virgilio", "tiscali", "alice", "tin", "yandex", "rambler", "qq", "163", "126", "yeah",
    "sina", "sohu", "naver", "hanmail", "daum", "rediffmail", "seznam", "interia", "onet", "ziggo", "kpnmail", "telenet", "skynet",
    "btinternet", "btopenworld", "talktalk", "talk21", "ntlworld", "virginmedia", "blueyonder", "sky", "lineone", "onetel",
    "lycos", "excite",
})
GENERIC_MAIL_SUFFIXES = frozenset({"com", "net", "org", "info", "biz", "me", "io", "email", "mail", "co", "eu", "uk.com"})
COUNTRY_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ne", "or"})


def normalise_domain(text: str) -> str:
    """An email domain in lower case, or AdminError saying what is wrong with how it is written."""
    domain = text.strip().lower().removeprefix("@").rstrip(".")
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(DOMAIN_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise AdminError("Enter an email domain like yorkshire.police.uk, without the part before the @", "domain")
    return domain


def _is_mail_suffix(labels: list[str]) -> bool:
    """A suffix a public mail service sits on: generic (com), a country (fr) or a country's commercial level (co.uk).

    A bare "uk" is left out: nobody offers mail on it, and me.uk and net.uk are registries, not mail services.
    """
    suffix = ".".join(labels)
    if suffix in GENERIC_MAIL_SUFFIXES:
        return True
    if len(labels) == 1:
        return len(suffix) == 2 and suffix != "uk"
    return len(labels) == 2 and labels[0] in COUNTRY_SECOND_LEVEL and len(labels[1]) == 2


def is_public_mail(domain: str) -> bool:
    """Whether anyone can get an address at this domain (or the provider domain it is under)."""
    labels = domain.split(".")
    return any(labels[i] in MAIL_PROVIDERS and _is_mail_suffix(labels[i + 1:]) for i in range(len(labels) - 1))


def is_shared(domain: str) -> bool:
    """Whether the domain is shared national infrastructure or a public suffix, owned by no one organisation."""
    labels = domain.split(".")
    return (domain in SHARED_DOMAINS or len(labels) < 2
            or (len(labels) == 2 and labels[0] in SECOND_LEVEL_LABELS and len(labels[1]) == 2))


def refusal(domain: str) -> str | None:
    """Why a (well-formed) domain can never be claimed, or None when it may be, with proof."""
    if is_shared(domain):
        return (f"{domain} is shared by many organisations across the country, so it cannot be claimed. "
                "Give your staff a join code instead, or claim a part of it that only your organisation uses, "
                "like york.gov.uk or northyorkshire.police.uk")
    if is_public_mail(domain):
        return f"{domain} is a public email service: anyone can have an address there, so it cannot be claimed"
    return None


def is_claimable(domain: str) -> bool:
    """The one rule for whether a domain may belong to an organisation at all."""
    return refusal(domain) is None


def holds_address_at(user: User, domain: str) -> bool:
    """Whether the person's own confirmed address is at the domain or one of its subdomains: the proof of control."""
    at = _address_domain(user)
    return user.email_confirmed and (at == domain or at.endswith("." + domain))


def claimable_domain(text: str) -> str:
    """A well-formed domain that may belong to an organisation, or AdminError saying why not."""
    domain = normalise_domain(text)
    reason = refusal(domain)
    if reason:
        raise AdminError(reason, "domain")
    return domain


def _taken_message(existing: EmailDomain, organisation: Organisation) -> str:
    if existing.organisation_id != organisation.id:
        return f"{existing.domain} is already claimed by another organisation: ask the site administrator"
    if existing.status == REFUSED:
        return f"A site admin refused your organisation's claim to {existing.domain}: ask them why before asking again"
    return f"{existing.domain} is already claimed by your organisation"


def _address_domain(user: User) -> str:
    return user.email.lower().rpartition("@")[2]


def _proof_message(actor: User, domain: str) -> str:
    at = _address_domain(actor)
    if at != domain and not at.endswith("." + domain):
        return (f"To claim {domain}, your own account's email address must be at {domain}. Yours is {actor.email}: "
                "ask an administrator with an address there to claim it, or ask the site administrator")
    return f"Confirm your email address {actor.email} first (use the link we emailed you), then claim {domain} again"


def claim_domain(session: Session, organisation: Organisation, text: str, actor: User) -> EmailDomain:
    """Ask for a domain for an organisation; a site admin's own claim is approved in the same step."""
    domain = claimable_domain(text)
    by_site_admin = actor.role == Role.SITE_ADMIN
    if not by_site_admin and not holds_address_at(actor, domain):
        raise AdminError(_proof_message(actor, domain), "domain")
    with write_transaction(session):
        existing = session.scalar(select(EmailDomain).where(func.lower(EmailDomain.domain) == domain))
        if existing is not None:
            raise AdminError(_taken_message(existing, organisation), "domain")
        now = utcnow()
        claimed = EmailDomain(organisation_id=organisation.id, domain=domain, status=APPROVED if by_site_admin else PENDING,
                              requested_by_id=actor.id, evidence_email=actor.email if holds_address_at(actor, domain) else "",
                              reviewed_by_id=actor.id if by_site_admin else None, reviewed_at=now if by_site_admin else None)
        session.add(claimed)
        session.flush()
        record_event(session, "email_domain.claimed", f"email_domain:{domain}", actor.id, organisation_id=organisation.id,
                     status=claimed.status, evidence_email=claimed.evidence_email)
    return claimed


def review_claim(session: Session, claimed: EmailDomain, approve: bool, actor_id: int | None) -> None:
    """A site admin's decision on a claim; a shared or public domain cannot be approved, even if claimed before the rule."""
    if approve and not is_claimable(claimed.domain):
        raise AdminError(f"{refusal(claimed.domain)}. Refuse or release this claim instead")
    with write_transaction(session):
        before = claimed.status
        claimed.status, claimed.reviewed_by_id, claimed.reviewed_at = (APPROVED if approve else REFUSED), actor_id, utcnow()
        record_event(session, "email_domain.approved" if approve else "email_domain.refused", f"email_domain:{claimed.domain}",
                     actor_id, organisation_id=claimed.organisation_id, before=before, evidence_email=claimed.evidence_email)


def release_domain(session: Session, claimed: EmailDomain, actor_id: int | None) -> None:
    """Remove a claim: nobody new is placed by it, and the domain can be asked for again."""
    with write_transaction(session):
        record_event(session, "email_domain.released", f"email_domain:{claimed.domain}", actor_id, organisation_id=claimed.organisation_id,
                     status=claimed.status)
        session.delete(claimed)


def placing_claim(session: Session, domain: str) -> EmailDomain | None:
    """The claim that places a new account with an address at `domain`: approved, and on a domain that may be claimed."""
    if not is_claimable(domain):
        return None
    return session.scalar(select(EmailDomain).where(func.lower(EmailDomain.domain) == domain.lower(), EmailDomain.status == APPROVED))


def review_order(claimed: EmailDomain) -> tuple[int, str]:
    """Pending claims first, then approved ones no site admin has looked at (as migration 0004 left them), then the rest."""
    if claimed.status == PENDING:
        return 0, claimed.domain
    return (1 if claimed.status == APPROVED and claimed.reviewed_at is None else 2), claimed.domain


def claims_for_review(session: Session) -> list[EmailDomain]:
    """Every claim, in the order a site admin should look at them."""
    return sorted(session.scalars(select(EmailDomain)), key=review_order)


def needs_review(claimed: EmailDomain) -> bool:
    """Whether a site admin has still to decide on this claim."""
    return review_order(claimed)[0] < 2
