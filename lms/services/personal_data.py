"""A person's data: everything we hold about them (a subject access request), and erasure by anonymising.

The rules for erasure:

- The account stays, so its completions keep counting: reports for past periods do not move.
  Completions and attempts are kept as they are (they say what was done and when, not by whom).
- Name and email are replaced ("Erased user", a unique address at erased.invalid, which can receive
  nothing); the password becomes unusable; the account is deactivated; `erased_at` is set.
- `public_id` is rotated: xAPI statements already sent to a learning record store named the person by
  the old one, and password reset links carry it, so neither can be tied back to the account again.
  Every statement in the outbox about them, queued or already sent, is re-pointed at the new
  pseudonym and keeps no email, old pseudonym or name (`xapi.forget_person`); queued ones are sent
  like that. Copies an LRS already holds are out of our reach: erasure returns (and audits) how many
  went to which LRS, so they can be erased there (`xapi.sent_elsewhere`).
- Every session and remember-me token of theirs ends.
- Sign-in throttle counters kept under their email address are removed.
- Emails about their training (`notice` rows) lose their wording and the address they went to; the
  rows themselves stay, so the reminders already sent are never planned again, and any not yet sent
  are cancelled. Their notice preferences hold nothing personal and are kept.
- The audit log is kept (it holds who did what, not names or emails), its events about the person
  re-pointed at the new pseudonym; the erasure itself is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import (
    Attempt,
    AuditEvent,
    Completion,
    LessonProgress,
    Module,
    ModuleVersion,
    Notice,
    NoticePreference,
    SignInThrottle,
    SsoIdentity,
    User,
    utcnow,
)
from lms.services.account_sessions import end_sessions
from lms.services.accounts import normalise_email
from lms.services.audit import record_event
from lms.services.throttling import email_key
from lms.services.xapi import Identity, Site, forget_person, outbox_about, sent_elsewhere

ERASED_NAME = "Erased user"
ERASED_DOMAIN = "erased.invalid"  # a reserved top-level domain: mail to it can never be delivered
UNUSABLE_PASSWORD = "!erased"  # noqa: S105 - not a hash of anything, so no password ever matches it


class PersonalDataError(LookupError):
    """No such person, or the person was already erased."""


def find_person(session: Session, email: str) -> User:
    person = session.scalar(select(User).where(User.email == normalise_email(email)))
    if person is None:
        raise PersonalDataError(f"no account has the email address {normalise_email(email)}")
    return person


def _when(moment: dt.datetime | dt.date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _about(person: User):
    """Audit events about the person (subjects name them by public id or by id) or done by them."""
    return or_(AuditEvent.subject.in_([f"user:{person.public_id}", f"user:{person.id}"]), AuditEvent.actor_id == person.id)


def export_personal_data(session: Session, person: User, actor_id: int | None, via: str = "cli") -> dict[str, Any]:
    """Everything held about one person, as plain data for a JSON file; the export itself is audited."""
    modules = dict(session.execute(select(Module.id, Module.title)).all())
    versions = {v.id: v for v in session.execute(select(ModuleVersion.id, ModuleVersion.module_id, ModuleVersion.number))}
    attempts = session.scalars(select(Attempt).where(Attempt.user_id == person.id).order_by(Attempt.started_at, Attempt.id)).all()
    completions = session.scalars(select(Completion).where(Completion.user_id == person.id).order_by(Completion.completed_at)).all()
    progress = session.scalars(select(LessonProgress).where(LessonProgress.user_id == person.id)).all()
    events = session.scalars(select(AuditEvent).where(_about(person)).order_by(AuditEvent.occurred_at, AuditEvent.id)).all()
    throttle = session.get(SignInThrottle, email_key(person.email))
    data = {
        "generated_at": _when(utcnow()),
        "account": {
            "public_id": person.public_id, "email": person.email, "full_name": person.full_name, "role": person.role.value,
            "organisation": person.organisation.name, "department": person.department.name if person.department else None,
            "active": person.active, "created_at": _when(person.created_at), "last_sign_in_at": _when(person.last_sign_in_at),
            "erased_at": _when(person.erased_at),
        },
        "attempts": [{
            "module": modules[versions[a.version_id].module_id], "module_version": versions[a.version_id].number,
            "started_at": _when(a.started_at), "submitted_at": _when(a.submitted_at), "answers": a.answers,
            "score": a.score, "passed": a.passed,
        } for a in attempts],
        "completions": [{
            "module": modules.get(c.module_id), "channel": c.channel.value, "completed_at": _when(c.completed_at), "score": c.score,
            "verification_code": c.verification_code,
        } for c in completions],
        "lesson_progress": [{"module": modules[versions[p.version_id].module_id], "module_version": versions[p.version_id].number, "last_page": p.last_page, "updated_at": _when(p.updated_at)}
                            for p in progress],
        "audit_events": [{"occurred_at": _when(e.occurred_at), "action": e.action, "subject": e.subject,
                          "by_this_person": e.actor_id == person.id, "detail": e.detail} for e in events],
        "failed_sign_ins": {"failures": throttle.failures, "locked_until": _when(throttle.locked_until)} if throttle else None,
        **_statements_held(session, person),
        **_notices_held(session, person),
        "single_sign_on_identities": [{"issuer": i.issuer, "subject": i.subject, "linked_at": _when(i.created_at),
                                       "last_sign_in_at": _when(i.last_sign_in_at)}
                                      for i in session.scalars(select(SsoIdentity).where(SsoIdentity.user_id == person.id))],
    }
    with write_transaction(session):
        record_event(session, "user.personal_data_exported", f"user:{person.public_id}", actor_id, via=via)
    return data


def _statements_held(session: Session, person: User) -> dict[str, Any]:
    """The xAPI statements about the person that we keep, and which LRS already holds copies of them."""
    rows = outbox_about(session, person, _identity(person))
    return {"xapi_statements": [{"queued_at": _when(row.created_at), "sent_at": _when(row.sent_at), "sent_to": row.sent_to or None,
                                 "dead_lettered_at": _when(row.dead_at), "statement": row.statement} for row in rows],
            "xapi_copies_held_by_an_lrs": sent_elsewhere(rows)}


def _notices_held(session: Session, person: User) -> dict[str, Any]:
    """The emails about their training we planned or sent, and what they chose about them."""
    notices = session.scalars(select(Notice).where(Notice.user_id == person.id).order_by(Notice.created_at, Notice.id)).all()
    preference = session.get(NoticePreference, person.id)
    return {"notices": [{"kind": n.kind, "email_subject": n.email_subject, "status": n.status, "created_at": _when(n.created_at),
                         "sent_at": _when(n.sent_at), "sent_to": n.sent_to or None, "text": n.body_text} for n in notices],
            "notice_preferences": {"reminders": preference.reminders, "optional_reminders": preference.optional_reminders,
                                   "admin_digest": preference.admin_digest, "quarterly_figures": preference.quarterly_figures}
            if preference else None}


def _forget_in_notices(session: Session, person: User) -> None:
    """Notices keep their keys (so nothing is planned again) but no wording or address; unsent ones are cancelled,
    also one a sender has claimed but not begun (it then skips it)."""
    session.execute(update(Notice).where(Notice.user_id == person.id, Notice.status.in_(("pending", "held", "claimed")))
                    .values(status="cancelled", claim_token=None))
    session.execute(update(Notice).where(Notice.user_id == person.id)
                    .values(email_subject="[erased]", body_text="", body_html="", unsubscribe_url="", sent_to="", last_error=""))


def erase_person(session: Session, person: User, actor_id: int | None, site_url: str, via: str = "cli") -> list[str]:
    """Anonymise the person by the rules above, in one transaction with its audit event.

    Returns what must still be erased elsewhere: the statements about them an LRS already holds."""
    if person.erased_at is not None:
        raise PersonalDataError("this person's data was already erased")
    with write_transaction(session):
        old_email, old_public_id, who = person.email, person.public_id, _identity(person)
        person.public_id = str(uuid.uuid4())
        person.email = f"erased-{uuid.uuid4().hex}@{ERASED_DOMAIN}"
        person.full_name = ERASED_NAME
        person.password_hash = UNUSABLE_PASSWORD
        person.active = False
        person.last_sign_in_at = None
        person.erased_at = utcnow()
        session.execute(delete(SignInThrottle).where(SignInThrottle.key == email_key(old_email)))
        elsewhere = _forget_in_statements(session, person, who, site_url)
        _forget_in_notices(session, person)
        session.execute(delete(SsoIdentity).where(SsoIdentity.user_id == person.id))  # their provider can no longer find them
        end_sessions(session, person)
        session.execute(update(AuditEvent).where(AuditEvent.subject == f"user:{old_public_id}").values(subject=f"user:{person.public_id}"))
        record_event(session, "user.erased", f"user:{person.public_id}", actor_id, organisation_id=person.organisation_id, via=via,
                     xapi_copies_held_by_an_lrs=elsewhere)
    return elsewhere


def _identity(person: User) -> Identity:
    return Identity(person.email, person.public_id, person.full_name)


def _forget_in_statements(session: Session, person: User, who: Identity, site_url: str) -> list[str]:
    """Kept xAPI statements about the person (and an LRS's answers quoting them) keep only the new pseudonym;
    queued ones are still sent. Returns the notes on copies an LRS already holds."""
    site = Site(site_url.rstrip("/"), "")
    rows = outbox_about(session, person, who)
    for row in rows:
        forgotten = forget_person(row.statement, who, person.public_id, site)
        if forgotten != row.statement:
            row.statement = forgotten
        row.last_error = str(forget_person(row.last_error, who, person.public_id, site))
    return sent_elsewhere(rows)
