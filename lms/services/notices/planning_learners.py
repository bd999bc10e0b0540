"""Which reminders each learner is owed today, read from the standing rule (lms.services.standing) in bulk.

A reminder's key is (person, kind, module:<id>, stage). The stage is what makes it a new occurrence: the
assignment for "assigned", the due date for the due and overdue reminders (so a changed due date is a new
stage), the completion for the refresher reminders (so each completion is reminded about once).

When "assigned" and a due stage fall in the same run (assigned 10 days before the due date), the assigned
email says when it is due and the due reminder is written as covered by it (cancelled), so it is never sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from lms.models import Assignment, Notice, NoticePreference, Organisation, User
from lms.services.accounts import identity_known
from lms.services.notices.messages import LEARNER_KINDS, Reminder, learner_reminder
from lms.services.notices.outbox import Draft
from lms.services.notices.preferences import preferences_for, unsubscribe_url
from lms.services.periods import uk_date
from lms.services.standing import Standing, standings

# "Assigned to you" goes only for assignments made, or people who joined, this recently: upgrading a site
# to a version that sends notices must not tell everyone about every assignment they have had for years.
RECENT = dt.timedelta(days=14)
DUE_STAGES = ((3, "due-3"), (14, "due-14"))  # the latest stage reached is the one owed: nearest first
DUE_KINDS = ("due-14", "due-3", "overdue")
COVERED = "covered by the assigned email, which said when it is due"


def reachable_people() -> Select:
    """People a notice may go to: active, not erased, and with an address they proved or an admin vouched for."""
    return select(User).where(User.active.is_(True), User.erased_at.is_(None), identity_known())


def with_organisation(query: Select) -> Select:
    """The people with their organisation and partnership, which every message names, in the same query."""
    return query.options(joinedload(User.organisation).joinedload(Organisation.partnership)).order_by(User.id)


def people_with_assignments() -> Select:
    return reachable_people().where(User.organisation_id.in_(select(Assignment.organisation_id)))


def people_covered_by(assignment: Assignment) -> Select:
    """The people one assignment applies to: its organisation's, or one department's."""
    query = reachable_people().where(User.organisation_id == assignment.organisation_id)
    return query.where(User.department_id == assignment.department_id) if assignment.department_id is not None else query


def due_stage(days_left: int) -> str | None:
    """'overdue' after the due date, 'due-3' from three days before, 'due-14' from fourteen, else None."""
    if days_left < 0:
        return "overdue"
    return next((kind for days, kind in DUE_STAGES if days_left <= days), None)


def owed(standing: Standing, today: dt.date, now: dt.datetime) -> list[tuple[str, str]]:
    """(kind, stage) of each reminder the standing calls for today; nothing for a module completed and in date."""
    assigned = standing.assigned
    if assigned is None or standing.module.current_version is None or standing.compliance == "in date":
        return []
    found = []
    if now - assigned.assigned_at <= RECENT or now - standing.user.created_at <= RECENT:
        found.append(("assigned", str(min(assigned.assignment_ids))))
    if standing.completion is not None:
        kind = "refresher-60" if standing.compliance == "due" else "refresher-overdue"
        return [*found, (kind, str(standing.completion.id))]
    stage = due_stage((assigned.due_on - today).days) if assigned.due_on is not None else None
    return [*found, (stage, assigned.due_on.isoformat())] if stage else found


@dataclass(frozen=True)
class Owed:
    standing: Standing
    kind: str
    stage: str

    @property
    def key(self) -> tuple[int, str, str, str]:
        return self.standing.user.id, self.kind, f"module:{self.standing.module.id}", self.stage

    @property
    def about(self) -> tuple[int, int]:
        return self.standing.user.id, self.standing.module.id


def existing_keys(session: Session, people: Select, kinds: tuple[str, ...]) -> set[tuple[int, str, str, str]]:
    """The notice keys already written for these people and kinds, so only new ones are worded."""
    query = select(Notice.user_id, Notice.kind, Notice.subject, Notice.stage).where(
        Notice.kind.in_(kinds), Notice.user_id.in_(people.with_only_columns(User.id).order_by(None)))
    return {tuple(row) for row in session.execute(query)}


@dataclass
class Planned:
    """The reminders to write, and the keys among them the same run's "assigned" email already covers."""

    drafts: list[Draft]
    covered: set[tuple[int, str, str, str]]


def learner_drafts(session: Session, people: Select, now: dt.datetime, module_id: int | None = None) -> Planned:
    """The reminders owed to these people (about one module, if given) that no row holds yet, worded."""
    found_people = list(session.scalars(with_organisation(people)).unique())
    today = uk_date(now)
    found = [Owed(s, kind, stage) for s in standings(session, found_people, now) if module_id in (None, s.module.id)
             for kind, stage in owed(s, today, now)]
    written = existing_keys(session, people, LEARNER_KINDS)
    found = [item for item in found if item.key not in written]
    told = {item.about for item in found if item.kind == "assigned"}  # told in this run: their due stage is covered
    covered = {item.key for item in found if item.kind in DUE_KINDS and item.about in told}
    chosen = preferences_for(session, sorted({item.standing.user.id for item in found}))
    drafts = [draft for item in found if (draft := _draft(item, chosen[item.standing.user.id], today)) is not None]
    return Planned(drafts, covered)


def _draft(item: Owed, chosen: NoticePreference, today: dt.date) -> Draft | None:
    """The reminder as a draft, held for the weekly digest if the person chose that; None if they switched it off."""
    standing = item.standing
    if not standing.mandatory and not chosen.optional_reminders:
        return None  # mandatory reminders cannot be switched off, only moved into the digest
    link = "" if standing.mandatory else unsubscribe_url(standing.user, "optional_reminders")
    reminder = Reminder(item.kind, standing.module, standing.user.organisation, standing.mandatory,
                        standing.assigned.due_on, standing.expires)
    message = learner_reminder(standing.user, reminder, today, link)
    _user_id, kind, subject, stage = item.key
    return Draft(standing.user.id, kind, subject, stage, message, mandatory=standing.mandatory,
                 held=chosen.reminders == "weekly", unsubscribe_url=link)
