"""The one rule for where a learner stands with a module: which assignments apply to them, the completion
their standing rests on, when it falls due for refresher, and the status and compliance state that follow.

My training, the compliance report, the learner list and the reminders all read it from here, so a person
is never "overdue" on one page and "in date" on another.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import BindParameter, Executable, bindparam, select, union
from sqlalchemy.orm import Session, contains_eager

from lms.models import Assignment, Attempt, Completion, LessonProgress, Module, ModuleVersion, User, utcnow
from lms.services.periods import uk_date

DUE_SOON = dt.timedelta(days=60)
# A completion from a withdrawn face-to-face session stays on record but counts nowhere: standing,
# compliance, certificates and exports all filter on this.
COUNTS = Completion.withdrawn_at.is_(None)
STATUSES = ("not started", "in progress", "completed", "due for refresher", "overdue")
COMPLIANCE_STATES = ("in date", "due", "expired", "never")
COMPLIANCE_OF_REFRESHER = {"none": "never", "completed": "in date", "due for refresher": "due", "overdue": "expired"}
BOUND_IDS = 2000  # longer id lists are written into the SQL: one query still, within any driver's parameter limit


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` later, or the month's last day when it has no such day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def expires_at(completion: Completion, refresher_months: int) -> dt.datetime | None:
    """When a completion falls due for refresh; None when the module never needs refreshing."""
    return add_months(completion.completed_at, refresher_months) if refresher_months else None


def due_window(completion: Completion, expiry: dt.datetime) -> dt.timedelta:
    """How long before expiry a refresher falls due: DUE_SOON, or a quarter of the completion's life when that
    is shorter, so a module refreshed monthly is not 'due' the moment it is passed (and every pass counted)."""
    return min(DUE_SOON, (expiry - completion.completed_at) / 4)


def refresher_state(completion: Completion | None, refresher_months: int, now: dt.datetime) -> str:
    """'none', 'completed', 'due for refresher' (within `due_window` of expiry) or 'overdue' (expired).

    The boundaries: a completion expires at the very moment `refresher_months` after it was earned,
    and falls due for refresher `due_window` before that moment (DUE_SOON for any refresher of a year or more).
    """
    if completion is None:
        return "none"
    expiry = expires_at(completion, refresher_months)
    if expiry is None or now < expiry - due_window(completion, expiry):
        return "completed"
    return "due for refresher" if now < expiry else "overdue"


def needs_completion(completion: Completion | None, refresher_months: int, now: dt.datetime) -> bool:
    """Whether a pass (or attendance) now would be recorded: never done, or due for refresher, or expired."""
    return refresher_state(completion, refresher_months, now) != "completed"


def compliance_status(completion: Completion | None, refresher_months: int, now: dt.datetime) -> str:
    """'in date', 'due' (refresher due), 'expired' or 'never': the refresher rule in the reports' words."""
    return COMPLIANCE_OF_REFRESHER[refresher_state(completion, refresher_months, now)]


def module_status(completion: Completion | None, refresher_months: int, started: bool, due_on: dt.date | None,
                  now: dt.datetime) -> str:
    """The learner's status for one module: refreshers first, then an assignment's due date, then progress.

    An assignment due on 1 April is overdue from the start of 2 April, UK time, not on the 1st itself.
    """
    state = refresher_state(completion, refresher_months, now)
    if state != "none":
        return state
    if past_due(due_on, now):
        return "overdue"
    return "in progress" if started else "not started"


def past_due(due_on: dt.date | None, now: dt.datetime) -> bool:
    """Whether a due date has gone by: the whole of the due day, UK time, is still in time."""
    return due_on is not None and due_on < uk_date(now)


def _ids(name: str, literal: bool) -> BindParameter:
    return bindparam(name, expanding=True, literal_execute=literal)


@cache
def _queries(literal: bool) -> dict[str, Executable]:
    """The queries the rule reads with, built once: each takes lists of ids, bound as parameters or, when a
    list is longer than BOUND_IDS, written into the SQL (one statement still, within any driver's limits)."""
    users, orgs, modules = _ids("user_ids", literal), _ids("org_ids", literal), _ids("module_ids", literal)
    latest = select(Completion).where(Completion.user_id.in_(users), COUNTS).order_by(Completion.completed_at, Completion.id)
    return {
        "assignments": select(Assignment).where(Assignment.organisation_id.in_(orgs)).order_by(Assignment.id),
        "latest": latest,
        "latest of modules": latest.where(Completion.module_id.in_(modules)),
        # Modules begun in any version: an attempt, or a lesson page opened.
        "started": union(select(Attempt.user_id, ModuleVersion.module_id).join(ModuleVersion, ModuleVersion.id == Attempt.version_id)
                         .where(Attempt.user_id.in_(users)),
                         select(LessonProgress.user_id, ModuleVersion.module_id)
                         .join(ModuleVersion, ModuleVersion.id == LessonProgress.version_id).where(LessonProgress.user_id.in_(users))),
        "modules": select(Module).outerjoin(ModuleVersion, ModuleVersion.id == Module.current_version_id)
                   .options(contains_eager(Module.current_version)).where(Module.id.in_(modules)),
    }


def _query(name: str, *id_lists: Sequence[int]) -> Executable:
    return _queries(max(map(len, id_lists)) > BOUND_IDS)[name]


@dataclass(frozen=True)
class Assigned:
    """Every assignment of one module that applies to one person, taken together: mandatory if any is,
    due by the earliest due date, assigned since the earliest."""

    mandatory: bool
    due_on: dt.date | None
    assignment_ids: tuple[int, ...]
    assigned_at: dt.datetime


def applies_to(assignment: Assignment, person: User) -> bool:
    """An assignment covers its organisation's people, or only one department's."""
    return assignment.organisation_id == person.organisation_id and assignment.department_id in (None, person.department_id)


def _combined(assignments: Iterable[Assignment]) -> dict[int, Assigned]:
    found: dict[int, Assigned] = {}
    for a in assignments:
        had = found.get(a.module_id)
        if had is None:
            found[a.module_id] = Assigned(a.mandatory, a.due_on, (a.id,), a.created_at)
            continue
        dates = [d for d in (had.due_on, a.due_on) if d is not None]
        found[a.module_id] = Assigned(had.mandatory or a.mandatory, min(dates) if dates else None,
                                      (*had.assignment_ids, a.id), min(had.assigned_at, a.created_at))
    return found


def assigned_modules(session: Session, people: Sequence[User]) -> dict[int, dict[int, Assigned]]:
    """User id to module id to the assignments that apply to them (one query, however many people)."""
    org_ids = sorted({p.organisation_id for p in people if p.organisation_id is not None})
    by_org: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in session.scalars(_query("assignments", org_ids), {"org_ids": org_ids}):
        by_org[assignment.organisation_id].append(assignment)
    per_group: dict[tuple[int | None, int | None], dict[int, Assigned]] = {}
    found = {}
    for person in people:
        group = (person.organisation_id, person.department_id)
        if group not in per_group:
            per_group[group] = _combined(a for a in by_org.get(person.organisation_id, ()) if applies_to(a, person))
        found[person.id] = dict(per_group[group])
    return found


def latest_completion(session: Session, user_id: int, module_id: int) -> Completion | None:
    """The completion a learner's standing rests on: the most recently earned, by either channel."""
    return session.scalar(select(Completion).where(Completion.user_id == user_id, Completion.module_id == module_id, COUNTS)
                          .order_by(Completion.completed_at.desc(), Completion.id.desc()).limit(1))


def latest_completions(session: Session, user_ids: Sequence[int], module_ids: Sequence[int] | None = None) -> dict[tuple[int, int], Completion]:
    """Each person's latest counting completion of each module, by (user id, module id): `latest_completion` in bulk."""
    user_ids = list(user_ids)
    if module_ids is None:
        found = session.scalars(_query("latest", user_ids), {"user_ids": user_ids})
    else:
        module_ids = list(module_ids)
        found = session.scalars(_query("latest of modules", user_ids, module_ids), {"user_ids": user_ids, "module_ids": module_ids})
    return {(c.user_id, c.module_id): c for c in found}


def started_modules(session: Session, user_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(user id, module id) for every module each person has begun in any version: an attempt, or a lesson page opened."""
    user_ids = list(user_ids)
    return {(user_id, module_id) for user_id, module_id in session.execute(_query("started", user_ids), {"user_ids": user_ids})}


@dataclass
class Standing:
    """Where one person stands with one module, for every page that shows it and every reminder about it."""

    user: User
    module: Module  # with its current version loaded (None only for a module never published)
    assigned: Assigned | None
    completion: Completion | None  # the latest that counts
    expires: dt.datetime | None
    status: str  # STATUSES
    compliance: str  # COMPLIANCE_STATES

    @property
    def mandatory(self) -> bool:
        return self.assigned is not None and self.assigned.mandatory

    @property
    def due_on(self) -> dt.date | None:
        """The assignment's due date, while the module has not been completed (after that, `expires` governs)."""
        return self.assigned.due_on if self.assigned is not None and self.completion is None else None

    @property
    def needs_action(self) -> bool:
        return self.status in ("due for refresher", "overdue")


def standing_of(user: User, module: Module, assigned: Assigned | None, completion: Completion | None, started: bool,
                now: dt.datetime) -> Standing:
    """The rule itself, with everything it reads already loaded: no query."""
    months = module.current_version.refresher_months if module.current_version is not None else 0
    expiry = expires_at(completion, months) if completion is not None else None
    due_on = assigned.due_on if assigned is not None else None
    return Standing(user, module, assigned, completion, expiry, module_status(completion, months, started, due_on, now),
                    compliance_status(completion, months, now))


def standings(session: Session, people: Sequence[User], now: dt.datetime) -> list[Standing]:
    """One standing per person and module assigned to them or completed by them: people in the order given,
    each one's modules by title. Four queries however many people (the reminders read 5,000 at once)."""
    user_ids = [p.id for p in people]
    assigned = assigned_modules(session, people)
    latest = latest_completions(session, user_ids)
    module_ids = sorted({m for modules in assigned.values() for m in modules} | {m for _user, m in latest})
    modules = sorted(session.scalars(_query("modules", module_ids), {"module_ids": module_ids}), key=lambda m: (m.title, m.id))
    started = started_modules(session, user_ids)
    found = []
    for person in people:
        mine = assigned[person.id]
        found += [standing_of(person, module, mine.get(module.id), latest.get((person.id, module.id)), (person.id, module.id) in started, now)
                  for module in modules if module.id in mine or (person.id, module.id) in latest]
    return found


# Built once. Each module comes with its live version in the same query (the page shows its length and
# language, the status needs its refresher period): one query, not one more per module.
_PUBLISHED_MODULES = (select(Module).join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
                      .options(contains_eager(Module.current_version)).order_by(Module.title))


def training_status(session: Session, user: User, now: dt.datetime | None = None) -> list[Standing]:
    """Every published module with the learner's standing, for My training: assigned ones (soonest due first),
    then the rest by title. Four queries, however many modules."""
    now = now or utcnow()
    modules = session.scalars(_PUBLISHED_MODULES).all()
    started = started_modules(session, [user.id])
    latest = latest_completions(session, [user.id])
    assigned = assigned_modules(session, [user])[user.id]
    found = [standing_of(user, module, assigned.get(module.id), latest.get((user.id, module.id)), (user.id, module.id) in started, now)
             for module in modules]
    return sorted(found, key=_listing_order)


def _listing_order(standing: Standing) -> tuple[bool, dt.date]:
    """Assigned modules first, soonest due (or soonest to refresh) first; the rest keep their title order."""
    if standing.assigned is None:
        return True, dt.date.max
    return False, standing.due_on or (standing.expires.date() if standing.expires else dt.date.max)
