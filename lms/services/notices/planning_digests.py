"""The weekly emails: a learner's outstanding mandatory modules and held reminders in one digest, and each
organisation admin's compliance figures (the compliance report's own table, never a second count, with how
many of its "never" people are past the due date, read from the same standing rule)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lms.models import Assignment, Notice, NoticePreference, Organisation, Role, User
from lms.permissions import ADMIN_DIGEST_ROLES
from lms.services.notices.links import site_link
from lms.services.notices.messages import LEARNER_KINDS, DigestLine, days_text, learner_digest, organisation_digest
from lms.services.notices.outbox import Draft
from lms.services.notices.planning_learners import reachable_people, with_organisation
from lms.services.notices.preferences import preferences_for, unsubscribe_url
from lms.services.periods import govuk_date, uk_date
from lms.services.reports import ReportScope, Table, compliance_table
from lms.services.reports.compliance import active_people, assignment_labels
from lms.services.standing import Standing, past_due, standings


def week_key(today: dt.date) -> str:
    """The ISO week, e.g. '2026-W49': one digest per person (or organisation) each week."""
    year, week, _day = today.isocalendar()
    return f"{year}-W{week:02d}"


def line_state(standing: Standing, today: dt.date) -> str:
    """Where the learner stands with a module now, in a few words for the digest."""
    if standing.completion is not None:
        ends = govuk_date(uk_date(standing.expires))
        return f"refresher due: your training runs out on {ends}" if standing.compliance == "due" else f"refresher overdue: your training ran out on {ends}"
    due_on = standing.assigned.due_on
    if due_on is None:
        return "assigned to you, no due date"
    if standing.status == "overdue":
        return f"overdue, was due by {govuk_date(due_on)}"
    return f"due {days_text((due_on - today).days)}, by {govuk_date(due_on)}"


def _still_owed(standing: Standing | None, optional_reminders: bool) -> bool:
    """A held reminder still belongs in the digest: the module is assigned, not in date, and still wanted."""
    if standing is None or standing.assigned is None or standing.compliance == "in date":
        return False
    return standing.mandatory or optional_reminders


def _urgency(standing: Standing) -> tuple[bool, dt.date]:
    """Overdue (or run out) first, then the soonest due (or soonest to run out)."""
    late = standing.status == "overdue" or standing.compliance == "expired"
    when = standing.due_on or (uk_date(standing.expires) if standing.expires else dt.date.max)
    return not late, when


def outstanding(mine: list[Standing], optional_reminders: bool, held: set[str]) -> list[Standing]:
    """Every mandatory module the person still has to do, most urgent first, then the optional ones held this week."""
    mandatory = sorted((s for s in mine if s.mandatory and _still_owed(s, True)), key=_urgency)
    optional = [s for s in mine if not s.mandatory and f"module:{s.module.id}" in held and _still_owed(s, optional_reminders)]
    return [*mandatory, *sorted(optional, key=_urgency)]


@dataclass
class LearnerDigests:
    """The digests to write, the held rows each one gathers, and held rows no longer true (module done meanwhile)."""

    drafts: list[Draft] = field(default_factory=list)
    gathered: dict[int, list[int]] = field(default_factory=dict)  # user id -> held notice ids
    stale: list[int] = field(default_factory=list)


def _held(session: Session) -> dict[int, dict[str, list[int]]]:
    """Held reminders' ids by person and module subject (ids only: the digest words its own lines)."""
    rows: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    query = select(Notice.id, Notice.user_id, Notice.subject).where(Notice.status == "held", Notice.kind.in_(LEARNER_KINDS))
    for notice_id, user_id, subject in session.execute(query.order_by(Notice.id)):
        rows[user_id][subject].append(notice_id)
    return rows


def learner_digests(session: Session, now: dt.datetime) -> LearnerDigests:
    """A digest for each reachable person with held reminders: all their outstanding mandatory modules (the full
    list, from the standing rule) and the optional ones their held reminders were about."""
    held = _held(session)
    people = list(session.scalars(with_organisation(reachable_people().where(User.id.in_(list(held) or [-1])))).unique())
    by_person: dict[int, list[Standing]] = defaultdict(list)
    for standing in standings(session, people, now):
        by_person[standing.user.id].append(standing)
    chosen = preferences_for(session, [person.id for person in people])
    found, today, reachable = LearnerDigests(), uk_date(now), {person.id for person in people}
    found.stale = [i for user_id, subjects in held.items() if user_id not in reachable for ids in subjects.values() for i in ids]
    for person in people:
        listed = outstanding(by_person[person.id], chosen[person.id].optional_reminders, set(held[person.id]))
        subjects = {f"module:{s.module.id}" for s in listed}
        for subject, ids in held[person.id].items():
            (found.gathered.setdefault(person.id, []) if subject in subjects else found.stale).extend(ids)
        if listed:
            lines = [DigestLine(s.module, line_state(s, today), s.mandatory, site_link("learn.module", slug=s.module.slug)) for s in listed]
            found.drafts.append(_digest(person, lines, today, chosen[person.id]))
    return found


def _digest(person: User, lines: list[DigestLine], today: dt.date, chosen: NoticePreference) -> Draft:
    """The digest, its footer offering only what applies: no stop link once optional reminders are off."""
    link = unsubscribe_url(person, "optional_reminders") if chosen.optional_reminders else ""
    message = learner_digest(person, person.organisation, lines, today, link, weekly=chosen.reminders == "weekly")
    return Draft(person.id, "learner-digest", f"person:{person.id}", week_key(today), message,
                 mandatory=any(line.mandatory for line in lines), unsubscribe_url=link)


def mark_gathered(session: Session, digests: list[Notice], found: LearnerDigests) -> None:
    """Mark the held rows each new digest lists as sent inside it, and stale ones cancelled (caller's transaction)."""
    marks = [{"id": notice_id, "status": "in_digest", "digest_id": digest.id}
             for digest in digests for notice_id in found.gathered.get(digest.user_id, [])]
    if marks:
        session.execute(update(Notice), marks)
    if found.stale:
        session.execute(update(Notice).where(Notice.id.in_(found.stale), Notice.status == "held")
                        .values(status="cancelled", last_error="Not sent: by Monday it was no longer true (completed, or switched off)."))


def wanting(session: Session, roles: tuple[Role, ...], kind: str, stage: str, switch: str,
            group: Callable[[User], Hashable]) -> dict[Hashable, list[User]]:
    """The reachable people with one of `roles` who have `switch` on and no `kind` notice for `stage` yet, by `group`."""
    people = list(session.scalars(with_organisation(reachable_people().where(User.role.in_(roles)))).unique())
    written = set(session.scalars(select(Notice.user_id).where(Notice.kind == kind, Notice.stage == stage)))
    chosen = preferences_for(session, [p.id for p in people if p.id not in written])
    found: dict[Hashable, list[User]] = defaultdict(list)
    for person in people:
        if person.id in chosen and getattr(chosen[person.id], switch):
            found[group(person)].append(person)
    return found


def overdue_never(session: Session, organisation_id: int, table: Table, now: dt.datetime) -> list[int]:
    """How many of each compliance row's "never" people are past that row's own due date (never completed), one
    per row of `table`; the people are the compliance report's own (`active_people`). A person under two
    assignments of one module counts only under the one whose date has gone by."""
    assignments = {a.id: a for a in session.scalars(select(Assignment).where(Assignment.organisation_id == organisation_id))}
    found: dict[tuple, int] = defaultdict(int)
    for standing in standings(session, active_people(session, [organisation_id]), now):
        if standing.completion is not None or standing.assigned is None:
            continue
        for a in (assignments[i] for i in standing.assigned.assignment_ids):
            if past_due(a.due_on, now):
                found[assignment_labels(a)] += 1
    columns = table.columns
    return [found[tuple(row[columns.index(name)] for name in ("Department", "Module", "Assignment", "Due by"))] for row in table.rows]


def organisation_digests(session: Session, now: dt.datetime) -> list[Draft]:
    """Each organisation admin who wants it gets their organisation's compliance table, once a week."""
    today = uk_date(now)
    week = week_key(today)
    wanted = wanting(session, ADMIN_DIGEST_ROLES, "org-digest", week, "admin_digest", lambda admin: admin.organisation_id)
    drafts = []
    for organisation_id, people in wanted.items():
        organisation: Organisation = people[0].organisation
        table = compliance_table(session, ReportScope(organisation.name, organisation_id=organisation_id), now)
        if not table.rows:
            continue  # nothing assigned: a weekly email with nothing in it would teach people to ignore it
        overdue = overdue_never(session, organisation_id, table, now)
        for admin in people:
            link = unsubscribe_url(admin, "admin_digest")
            drafts.append(Draft(admin.id, "org-digest", f"organisation:{organisation_id}", week,
                                organisation_digest(admin, organisation, table, overdue, today, link), unsubscribe_url=link))
    return drafts
