"""Administering partnerships and organisations: departments, join codes, assignments and people
(claimed email domains are in lms.services.email_domains). Every change is written to the audit log
in the same transaction."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import (
    Assignment,
    Department,
    JoinCode,
    Module,
    Organisation,
    OrganisationType,
    Partnership,
    Role,
    User,
    utcnow,
)
from lms.services.account_sessions import end_sessions
from lms.services.audit import record_event
from lms.services.localities import organisations_serving, served_partnership_ids
from lms.services.periods import uk_date, uk_day_start
from lms.services.throttling import count_failures, locked_rows

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
JOIN_CODE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class AdminError(ValueError):
    """A change refused with a message for the person making it; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64]


def create_partnership(session: Session, name: str, actor_id: int | None) -> Partnership:
    slug = slugify(name)
    if not slug:
        raise AdminError("Enter a partnership name with letters or numbers")
    with write_transaction(session):
        if session.scalar(select(Partnership.id).where(Partnership.slug == slug)):
            raise AdminError(f"A partnership called '{name.strip()}' already exists")
        partnership = Partnership(slug=slug, name=name.strip(), settings={})
        session.add(partnership)
        session.flush()
        record_event(session, "partnership.created", f"partnership:{slug}", actor_id, name=partnership.name)
    return partnership


def organisation_name(session: Session, partnership_ids: list[int], name: str, keep_id: int | None = None) -> str:
    """The name tidied, or AdminError if another organisation serving one of the partnerships has it (in any case):
    the partnership's reports list them side by side, so one must never pass for another."""
    name = " ".join(name.split())
    if not slugify(name):
        raise AdminError("Enter an organisation name with letters or numbers", "name")
    taken = session.scalar(select(Organisation.id).where(organisations_serving(partnership_ids), Organisation.id != (keep_id or -1),
                                                         func.lower(Organisation.name) == name.lower()))
    if taken:
        where = "this partnership" if len(set(partnership_ids)) == 1 else "a partnership it serves"
        raise AdminError(f"There is already an organisation called '{name}' in {where}: choose another name", "name")
    return name


def free_slug(session: Session, slug_column, name: str) -> str:
    """A slug for a new row (an organisation, a joint group): taken ones get a number (the same organisation
    name in another partnership, say)."""
    base, number = slugify(name), 1
    slug = base
    while session.scalar(select(slug_column).where(slug_column == slug)):
        number += 1
        slug = f"{base[:60]}-{number}"
    return slug


def create_organisation(session: Session, partnership: Partnership, name: str, type_: OrganisationType,
                        actor_id: int | None) -> Organisation:
    """A new organisation; its name is unique within its partnership."""
    with write_transaction(session):
        name = organisation_name(session, [partnership.id], name)
        organisation = Organisation(slug=free_slug(session, Organisation.slug, name), name=name, type=type_, partnership_id=partnership.id)
        session.add(organisation)
        session.flush()
        record_event(session, "organisation.created", f"organisation:{organisation.id}", actor_id, name=organisation.name,
                     type=type_.value, partnership=partnership.slug)
    return organisation


def update_organisation(session: Session, organisation: Organisation, name: str, type_: OrganisationType, actor_id: int | None) -> None:
    """Rename or retype an organisation, keeping names unique within every partnership it serves."""
    with write_transaction(session):
        name = organisation_name(session, served_partnership_ids(organisation), name, keep_id=organisation.id)
        before = {"name": organisation.name, "type": organisation.type.value}
        organisation.name, organisation.type = name, type_
        record_event(session, "organisation.updated", f"organisation:{organisation.id}", actor_id,
                     before=before, after={"name": organisation.name, "type": type_.value})


def add_department(session: Session, organisation: Organisation, name: str, actor_id: int | None) -> Department:
    name = " ".join(name.split())
    with write_transaction(session):
        exists = session.scalar(select(Department.id).where(Department.organisation_id == organisation.id,
                                                            func.lower(Department.name) == name.lower()))
        if exists:
            raise AdminError(f"There is already a department called '{name}'")
        department = Department(organisation_id=organisation.id, name=name)
        session.add(department)
        session.flush()
        record_event(session, "department.created", f"department:{department.id}", actor_id, organisation_id=organisation.id, name=name)
    return department


def department_of(session: Session, organisation: Organisation, department_id: int | None) -> Department | None:
    """The organisation's own department with this id; another organisation's is refused."""
    if department_id is None:
        return None
    department = session.get(Department, department_id)
    if department is None or department.organisation_id != organisation.id:
        raise AdminError("Choose one of your organisation's departments", "department")
    return department


def create_join_code(session: Session, organisation: Organisation, actor_id: int | None, code: str = "",
                     expires_on: dt.date | None = None, department_id: int | None = None, today: dt.date | None = None) -> JoinCode:
    """A join code (given, or generated when blank) for registering here, usable to the end of its expiry day (UK time)."""
    chosen = bool(code.strip())
    code = code.strip().upper() or "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(5)) for _ in range(4))
    if not (6 <= len(code) <= 32) or not JOIN_CODE.match(code):
        raise AdminError("A join code must be 6 to 32 letters, numbers and single hyphens, like YORK-STAFF-2026", "code")
    if expires_on is not None and expires_on <= (today or dt.date.today()):
        raise AdminError("The expiry date must be in the future", "expires_on")
    department = department_of(session, organisation, department_id)
    if chosen:  # 20 random characters do not clash in practice; the unique constraint is the backstop
        _refuse_taken_code(session, code, actor_id)
    try:
        return _insert_join_code(session, organisation, department, code, actor_id, expires_on)
    except IntegrityError:  # the same code chosen at the same moment by another admin
        raise AdminError("That join code is already in use: choose another", "code") from None


def _insert_join_code(session: Session, organisation: Organisation, department: Department | None, code: str,
                      actor_id: int | None, expires_on: dt.date | None) -> JoinCode:
    with write_transaction(session):
        join_code = JoinCode(organisation_id=organisation.id, department_id=department.id if department else None, code=code,
                             created_by_id=actor_id, expires_at=uk_day_start(expires_on + dt.timedelta(days=1)) if expires_on else None)
        session.add(join_code)
        session.flush()
        record_event(session, "join_code.created", f"join_code:{join_code.id}", actor_id, organisation_id=organisation.id, code=code,
                     expires_on=expires_on.isoformat() if expires_on else None)
    return join_code


def last_usable_day(join_code: JoinCode) -> dt.date | None:
    """The UK day a join code can last be used on (the day the admin chose), or None if it never expires."""
    return uk_date(join_code.expires_at) - dt.timedelta(days=1) if join_code.expires_at else None


TAKEN_CODE_LIMIT = 5  # codes already in use that one admin may try per window: enough for clashes, too few to probe


def _refuse_taken_code(session: Session, code: str, actor_id: int | None) -> None:
    """AdminError if the code is in use (anywhere: codes are unique), counting such tries per admin, since the
    answer says a code exists and another organisation's custom codes could otherwise be probed freely."""
    key, now = f"join-code-taken:{actor_id}", utcnow()
    with write_transaction(session):
        waiting = bool(locked_rows(session, [key], now))
        taken = not waiting and session.scalar(select(JoinCode.id).where(JoinCode.code == code)) is not None
        if taken:
            count_failures(session, {key: TAKEN_CODE_LIMIT}, now)
    if waiting:
        raise AdminError("You have chosen several codes that are already in use. Leave the code empty to have one made up, "
                         "or wait 15 minutes", "code")
    if taken:
        raise AdminError("That join code is already in use: choose another", "code")


def revoke_join_code(session: Session, join_code: JoinCode, actor_id: int | None) -> None:
    with write_transaction(session):
        if join_code.revoked_at is None:
            join_code.revoked_at = utcnow()
            record_event(session, "join_code.revoked", f"join_code:{join_code.id}", actor_id, code=join_code.code)


def assign_module(session: Session, organisation: Organisation, module_id: int, actor_id: int | None, *,
                  department_id: int | None = None, due_on: dt.date | None = None, mandatory: bool = True) -> Assignment:
    """Ask an organisation (or one department) to complete a published module, by a date."""
    module = session.get(Module, module_id)
    if module is None or module.current_version_id is None:
        raise AdminError("Choose a published module")
    department = department_of(session, organisation, department_id)
    with write_transaction(session):
        exists = session.scalar(select(Assignment.id).where(
            Assignment.module_id == module.id, Assignment.organisation_id == organisation.id,
            Assignment.department_id.is_(None) if department is None else Assignment.department_id == department.id))
        if exists:
            raise AdminError(f"'{module.title}' is already assigned to {department.name if department else 'the whole organisation'}")
        assignment = Assignment(module_id=module.id, organisation_id=organisation.id, department_id=department.id if department else None,
                                due_on=due_on, mandatory=mandatory, created_by_id=actor_id)
        session.add(assignment)
        session.flush()
        record_event(session, "assignment.created", f"assignment:{assignment.id}", actor_id, organisation_id=organisation.id,
                     module=module.slug, department_id=assignment.department_id, due_on=due_on.isoformat() if due_on else None,
                     mandatory=mandatory)
    return assignment


def remove_assignment(session: Session, assignment: Assignment, actor_id: int | None) -> None:
    with write_transaction(session):
        record_event(session, "assignment.removed", f"assignment:{assignment.id}", actor_id, organisation_id=assignment.organisation_id,
                     module_id=assignment.module_id)
        session.delete(assignment)


PEOPLE_PER_PAGE = 50


@dataclass
class PeoplePage:
    """One page of an organisation's people, with what the pagination needs to link to the others."""

    people: list[User]
    total: int
    number: int
    pages: int


def find_people(session: Session, organisation: Organisation, search: str = "", page: int = 1,
                per_page: int = PEOPLE_PER_PAGE) -> PeoplePage:
    """The organisation's people whose name or email contains `search`, by name, a page at a time
    (a page past the end is the last page, so a stale link still shows people)."""
    query = select(User).where(User.organisation_id == organisation.id)
    term = search.strip().lower()
    if term:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(func.lower(User.full_name).like(pattern, escape="\\"), func.lower(User.email).like(pattern, escape="\\")))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    number = min(max(page, 1), pages)
    people = session.scalars(query.order_by(User.full_name, User.email, User.id).offset((number - 1) * per_page).limit(per_page))
    return PeoplePage(list(people), total, number, pages)


def set_active(session: Session, person: User, active: bool, actor_id: int | None) -> None:
    """Deactivate (no sign-in; completions and counts kept) or reactivate a person."""
    if person.id == actor_id and not active:
        raise AdminError("You cannot deactivate your own account")
    with write_transaction(session):
        if person.active != active:
            person.active = active
            if not active:
                end_sessions(session, person)  # no copy of a session cookie or remember-me token keeps working
            record_event(session, "user.reactivated" if active else "user.deactivated", f"user:{person.id}", actor_id,
                         organisation_id=person.organisation_id)


def set_role(session: Session, person: User, role: Role, allowed: tuple[Role, ...], actor_id: int | None) -> None:
    """Give a person another role, within the roles the actor may hand out."""
    if person.role not in allowed:
        raise AdminError(f"Only a site admin can change the role of a {person.role.value.replace('_', ' ')}", "role")
    if role not in allowed:
        raise AdminError("Choose one of the roles listed", "role")
    if person.id == actor_id and role != person.role:
        raise AdminError("You cannot change your own role: ask another administrator", "role")
    if role != Role.LEARNER and not person.email_confirmed:
        raise AdminError(f"{person.full_name} has not confirmed their email address yet: only a confirmed person can be given "
                         "a role beyond learner", "role")
    with write_transaction(session):
        if person.role != role:
            record_event(session, "user.role_changed", f"user:{person.id}", actor_id,
                         organisation_id=person.organisation_id, before=person.role.value, after=role.value)
            person.role = role
            end_sessions(session, person)  # sessions opened under the old role end


def set_department(session: Session, person: User, department_id: int | None, actor_id: int | None) -> Department | None:
    """Move a person to one of their organisation's departments, or to none; returns where they are now."""
    department = department_of(session, person.organisation, department_id)
    with write_transaction(session):
        new_id = department.id if department else None
        if person.department_id != new_id:
            record_event(session, "user.department_changed", f"user:{person.id}", actor_id,
                         organisation_id=person.organisation_id, before=person.department_id, after=new_id)
            person.department = department
    return department
