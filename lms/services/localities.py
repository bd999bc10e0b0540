"""The one rule for where training counts when an organisation serves several partnerships.

A person's locality is the partnership area they work in: their own setting, else their department's,
else their organisation's home partnership. A setting naming a partnership the organisation no longer
serves is ignored. An e-learning completion counts for the person's locality when it is recorded; a
face-to-face audience line counts for the area the session was run for when the organisation serves it,
else for the organisation's home partnership. Both are written on the row, so a later change of
locality never moves a past quarter (docs/reporting.md, "Partnership areas").
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from lms.models import Organisation, Partnership, User, organisation_partnership


def served_partnership_ids(organisation: Organisation) -> list[int]:
    """The organisation's home partnership first, then the others it serves."""
    return [organisation.partnership_id, *(p.id for p in organisation.other_partnerships if p.id != organisation.partnership_id)]


def served_partnerships(organisation: Organisation) -> list[Partnership]:
    return [organisation.partnership, *(p for p in organisation.other_partnerships if p.id != organisation.partnership_id)]


def serves_several(organisation: Organisation) -> bool:
    """Whether its people need a locality at all (one partnership: everyone counts there)."""
    return any(p.id != organisation.partnership_id for p in organisation.other_partnerships)


def locality_of(person: User) -> int:
    """The partnership a person's training counts for today."""
    served = served_partnership_ids(person.organisation)
    for chosen in (person.locality_id, person.department.locality_id if person.department else None):
        if chosen is not None and chosen in served:
            return chosen
    return person.organisation.partnership_id


def attendance_area(organisation: Organisation, session_area: int | None) -> int:
    """Where one organisation's attendees at a face-to-face session count."""
    if session_area is not None and session_area in served_partnership_ids(organisation):
        return session_area
    return organisation.partnership_id


def organisations_serving(partnership_ids: list[int]):
    """A filter on Organisation: those whose home is one of the partnerships, or which serve one of them."""
    also = select(organisation_partnership.c.organisation_id).where(organisation_partnership.c.partnership_id.in_(partnership_ids))
    return or_(Organisation.partnership_id.in_(partnership_ids), Organisation.id.in_(also))


def counted_for(partnership_column, organisation_column, partnership_ids: list[int]):
    """A filter on rows stamped with a partnership (completions, audience lines) counting for the partnerships.

    Rows an older release wrote during an upgrade have no partnership: they count for the organisation's home."""
    homes = select(Organisation.id).where(Organisation.partnership_id.in_(partnership_ids))
    return or_(partnership_column.in_(partnership_ids), and_(partnership_column.is_(None), organisation_column.in_(homes)))


def people_in_area(people: list[User], partnership_ids: list[int] | tuple[int, ...]) -> list[User]:
    """The people whose locality today is one of the partnerships (compliance stands as of today)."""
    wanted = set(partnership_ids)
    return [person for person in people if locality_of(person) in wanted]
