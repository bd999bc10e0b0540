"""Setting up organisations that serve several partnerships: which partnerships an organisation serves, the
partnership area (locality) a department or person works in, and joint groups of partnerships with their leads.

Where training counts is lms.services.localities' rule; this module only changes its inputs, each change in the
audit log. Nothing here touches a recorded completion or session, so past quarters never move."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import Department, JointGroup, Organisation, Partnership, Role, User
from lms.services.audit import record_event
from lms.services.localities import locality_of, served_partnership_ids, served_partnerships
from lms.services.organisations import AdminError, add_department, free_slug, organisation_name, slugify


def all_partnerships(session: Session) -> list[Partnership]:
    return list(session.scalars(select(Partnership).order_by(Partnership.name)))


def _partnerships(session: Session, ids: list[int], field: str) -> list[Partnership]:
    """The partnerships with these ids; an id that is not one (a tampered form) is refused on the field."""
    wanted = set(ids)
    found = list(session.scalars(select(Partnership).where(Partnership.id.in_(wanted)).order_by(Partnership.name))) if wanted else []
    if len(found) != len(wanted):
        raise AdminError("Choose partnerships from the list", field)
    return found


def set_served_partnerships(session: Session, organisation: Organisation, partnership_ids: list[int], actor_id: int | None) -> None:
    """Which partnerships the organisation serves besides its home one. Training already recorded keeps counting
    where it was; people whose locality is a partnership no longer served count for the home one from now on."""
    if organisation.partnership_id in partnership_ids:
        raise AdminError(f"{organisation.partnership.name} is the home partnership: it is always served", "partnerships")
    chosen = _partnerships(session, partnership_ids, "partnerships")
    try:
        organisation_name(session, [organisation.partnership_id, *partnership_ids], organisation.name, keep_id=organisation.id)
    except AdminError:
        raise AdminError(f"Another organisation called '{organisation.name}' serves one of those partnerships: rename one of them "
                         "first, so that reports can tell them apart", "partnerships") from None
    with write_transaction(session):
        before = sorted(p.slug for p in organisation.other_partnerships)
        after = sorted(p.slug for p in chosen)
        if before != after:
            organisation.other_partnerships = chosen
            record_event(session, "organisation.partnerships_changed", f"organisation:{organisation.id}", actor_id,
                         home=organisation.partnership.slug, before=before, after=after)


def _served_or_error(organisation: Organisation, partnership_id: int | None) -> int | None:
    if partnership_id is not None and partnership_id not in served_partnership_ids(organisation):
        raise AdminError(f"Choose one of the partnerships {organisation.name} serves", "locality")
    return partnership_id


def _slug_of(session: Session, partnership_id: int | None) -> str | None:
    return session.get(Partnership, partnership_id).slug if partnership_id is not None else None


def set_person_locality(session: Session, person: User, partnership_id: int | None, actor_id: int | None) -> None:
    """The partnership area a person works in (None: their department's, else the home partnership): their next
    completions count there; the ones already recorded stay where they were."""
    _served_or_error(person.organisation, partnership_id)
    with write_transaction(session):
        if person.locality_id != partnership_id:
            record_event(session, "user.locality_changed", f"user:{person.id}", actor_id, organisation_id=person.organisation_id,
                         before=_slug_of(session, person.locality_id), after=_slug_of(session, partnership_id))
            person.locality_id = partnership_id


def set_department_locality(session: Session, department: Department, partnership_id: int | None, actor_id: int | None) -> None:
    """The partnership area a department works in: its people without a locality of their own count there."""
    organisation = session.get(Organisation, department.organisation_id)
    _served_or_error(organisation, partnership_id)
    with write_transaction(session):
        if department.locality_id != partnership_id:
            record_event(session, "department.locality_changed", f"department:{department.id}", actor_id,
                         organisation_id=organisation.id, before=_slug_of(session, department.locality_id),
                         after=_slug_of(session, partnership_id))
            department.locality_id = partnership_id


def add_department_in(session: Session, organisation: Organisation, name: str, partnership_id: int | None,
                      actor_id: int | None) -> Department:
    """A new department, working in one of the partnerships the organisation serves (checked before it is added)."""
    _served_or_error(organisation, partnership_id)
    department = add_department(session, organisation, name, actor_id)
    if partnership_id is not None:
        set_department_locality(session, department, partnership_id, actor_id)
    return department


def locality_description(person: User) -> str:
    """Where a person's training counts today (lms.services.localities decides), and why: "Safer York",
    "Safer York (from their department)"."""
    area = locality_of(person)
    name = next(p.name for p in served_partnerships(person.organisation) if p.id == area)
    if person.locality_id == area:
        return name
    if person.department is not None and person.department.locality_id == area:
        return f"{name} (from their department)"
    return f"{name} (not set: the home partnership)"


# --- joint groups ----------------------------------------------------------------------------------------

def joint_groups(session: Session) -> list[JointGroup]:
    return list(session.scalars(select(JointGroup).order_by(JointGroup.name)))


def group_leads(session: Session, group: JointGroup) -> list[User]:
    return list(session.scalars(select(User).where(User.joint_group_id == group.id).order_by(User.email)))


def partnership_leads(session: Session) -> list[User]:
    """Everyone who can lead a joint group: active partnership leads, by email."""
    return list(session.scalars(select(User).where(User.role == Role.PARTNERSHIP_LEAD, User.active.is_(True)).order_by(User.email)))


def _group_name(session: Session, name: str, keep_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not slugify(name):
        raise AdminError("Enter a name with letters or numbers", "name")
    taken = session.scalar(select(JointGroup.id).where(func.lower(JointGroup.name) == name.lower(), JointGroup.id != (keep_id or -1)))
    if taken:
        raise AdminError(f"There is already a joint group called '{name}': choose another name", "name")
    return name


def _group_partnerships(session: Session, ids: list[int]) -> list[Partnership]:
    chosen = _partnerships(session, ids, "partnerships")
    if len(chosen) < 2:
        raise AdminError("Choose at least two partnerships: a joint group reports on several together", "partnerships")
    return chosen


def create_joint_group(session: Session, name: str, partnership_ids: list[int], actor_id: int | None) -> JointGroup:
    """A named set of partnerships reporting together; its name is unique ignoring case."""
    with write_transaction(session):
        name = _group_name(session, name)
        chosen = _group_partnerships(session, partnership_ids)
        group = JointGroup(slug=free_slug(session, JointGroup.slug, name), name=name, partnerships=chosen)
        session.add(group)
        session.flush()
        record_event(session, "joint_group.created", f"joint_group:{group.id}", actor_id, name=name,
                     partnerships=sorted(p.slug for p in chosen))
    return group


def update_joint_group(session: Session, group: JointGroup, name: str, partnership_ids: list[int], actor_id: int | None) -> None:
    """Rename a group or change its partnerships: its leads' reports cover the new set at once."""
    with write_transaction(session):
        name = _group_name(session, name, keep_id=group.id)
        chosen = _group_partnerships(session, partnership_ids)
        before = {"name": group.name, "partnerships": sorted(p.slug for p in group.partnerships)}
        after = {"name": name, "partnerships": sorted(p.slug for p in chosen)}
        if before != after:
            group.name, group.partnerships = name, chosen
            record_event(session, "joint_group.updated", f"joint_group:{group.id}", actor_id, before=before, after=after)


def add_group_lead(session: Session, group: JointGroup, user_id: int | None, actor_id: int | None) -> User:
    """Make a partnership lead the group's lead: they report on the group's partnerships (leaving any other group)."""
    person = session.get(User, user_id) if user_id is not None else None
    if person is None or person.role != Role.PARTNERSHIP_LEAD or not person.active:
        raise AdminError("Choose a partnership lead from the list", "lead")
    with write_transaction(session):
        if person.joint_group_id != group.id:
            record_event(session, "joint_group.lead_added", f"joint_group:{group.id}", actor_id, user_id=person.id,
                         previous_group_id=person.joint_group_id)
            person.joint_group_id = group.id
    return person


def remove_group_lead(session: Session, group: JointGroup, user_id: int | None, actor_id: int | None) -> User:
    """Stop a person leading the group: they report on their own partnership again."""
    person = session.get(User, user_id) if user_id is not None else None
    if person is None or person.joint_group_id != group.id:
        raise AdminError("Choose one of the group's leads", "lead")
    with write_transaction(session):
        person.joint_group_id = None
        record_event(session, "joint_group.lead_removed", f"joint_group:{group.id}", actor_id, user_id=person.id)
    return person
