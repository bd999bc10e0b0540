"""Who may see or do what, for which organisation: the one place the rule lives.

- learner: their own training only
- trainer: records face-to-face sessions for their partnership's organisations
- organisation admin: manages and reports on their own organisation only
- partnership lead: reports on their own partnership's training (partner agencies' staff working in its area
  included), or a joint group's; a partnership's lead manages its API tokens
- site admin: everything

Another organisation's records are "not found" (404), never "forbidden", so ids reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.models import Organisation, Partnership, Role, TrainingSession, User
from lms.services.localities import organisations_serving, served_partnership_ids, served_partnerships, serves_several
from lms.services.reports import ReportScope

ADMIN_ROLES = (Role.ORG_ADMIN, Role.SITE_ADMIN)
SESSION_ROLES = (Role.TRAINER, Role.ORG_ADMIN, Role.SITE_ADMIN)
REPORT_ROLES = (Role.ORG_ADMIN, Role.PARTNERSHIP_LEAD, Role.SITE_ADMIN)
TOKEN_ROLES = (Role.PARTNERSHIP_LEAD, Role.SITE_ADMIN)
STAFF_ROLES = (Role.TRAINER, Role.ORG_ADMIN, Role.PARTNERSHIP_LEAD, Role.SITE_ADMIN)


def roles_required(*roles: Role) -> Callable:
    """A view for signed-in people with one of `roles` and a confirmed address; anyone else signed in gets 403."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles or not current_user.email_confirmed:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


def assignable_roles(user: User) -> tuple[Role, ...]:
    """The roles a person may hand out: an organisation admin stays within their organisation's roles."""
    if is_site_admin(user):
        return tuple(Role)
    if user.role == Role.ORG_ADMIN:
        return (Role.LEARNER, Role.TRAINER, Role.ORG_ADMIN)
    return ()


def is_site_admin(user: User) -> bool:
    return user.role == Role.SITE_ADMIN


def can_manage(user: User, organisation_id: int) -> bool:
    """Organisation admins manage their own organisation; site admins manage any."""
    return is_site_admin(user) or (user.role == Role.ORG_ADMIN and user.organisation_id == organisation_id)


def managed_organisation_or_404(session: Session, user: User, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not can_manage(user, organisation.id):
        abort(404)
    return organisation


def can_manage_single_sign_on(user: User, organisation_id: int) -> bool:
    """Whose staff sign in through which provider is the organisation's own decision: its admins set it up, or a site admin."""
    return user.is_authenticated and can_manage(user, organisation_id)


PROTECTED_ROLES = (Role.SITE_ADMIN, Role.PARTNERSHIP_LEAD)  # above an organisation admin: only a site admin changes them


def may_use_single_sign_on(person: User) -> bool:
    """Whether an organisation's provider may sign this person in. Not above an organisation admin: an organisation
    admin controls their provider, so it must never open a site admin's or partnership lead's account."""
    return person.role not in PROTECTED_ROLES


def can_manage_person(user: User, person: User) -> bool:
    """Whether the user may deactivate, reactivate or re-role this person: never themselves, and an
    organisation admin only people of their own organisation below a partnership lead."""
    if person.id == user.id or not can_manage(user, person.organisation_id):
        return False
    return is_site_admin(user) or person.role not in PROTECTED_ROLES


def managed_user_or_404(session: Session, user: User, user_id: int) -> User:
    """A person the user may manage; another organisation's is 'not found', a protected colleague 'forbidden'."""
    person = session.get(User, user_id)
    if person is None or not can_manage(user, person.organisation_id):
        abort(404)
    if person.id != user.id and not can_manage_person(user, person):
        abort(403)
    return person


def visible_person_or_404(session: Session, user: User, user_id: int) -> User:
    """A person of an organisation the user manages, to look at; whether they may change them is `can_manage_person`."""
    person = session.get(User, user_id)
    if person is None or not can_manage(user, person.organisation_id):
        abort(404)
    return person


def can_download_packages(user: User) -> bool:
    """SCORM packages carry the answer key: trainers and site admins with a confirmed address only."""
    return user.is_authenticated and user.role in (Role.TRAINER, Role.SITE_ADMIN) and user.email_confirmed


def can_record_sessions(user: User) -> bool:
    """Trainers, organisation admins and site admins record face-to-face sessions."""
    return user.is_authenticated and user.role in SESSION_ROLES


def can_manage_tokens(user: User) -> bool:
    """Partnership leads (of one partnership, not a joint group) and site admins create API tokens for reporting tools."""
    return user.is_authenticated and user.role in TOKEN_ROLES and user.joint_group_id is None


def sees_admin(user: User) -> bool:
    """Whether the Admin link shows: the roles with at least one administration page."""
    return user.is_authenticated and user.role in STAFF_ROLES


def sees_reports(user: User) -> bool:
    return user.is_authenticated and user.role in REPORT_ROLES


def can_reset_attempts(user: User, person: User) -> bool:
    """Trainers and organisation admins let people of their own organisation try an assessment again sooner;
    site admins anyone. Never themselves: a reset is someone else vouching that the learner may retry."""
    if person.id == user.id or user.role not in SESSION_ROLES:
        return False
    return is_site_admin(user) or person.organisation_id == user.organisation_id


def retry_scope(user: User) -> list[int] | None:
    """The organisations whose held-back learners a person sees: None for every organisation (site admins)."""
    return None if is_site_admin(user) else [user.organisation_id]


def managed_organisations(session: Session, user: User) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.name)
    if not is_site_admin(user):
        query = query.where(Organisation.id == user.organisation_id) if user.role == Role.ORG_ADMIN else query.where(False)
    return list(session.scalars(query))


def session_organisations(session: Session, user: User) -> list[Organisation]:
    """Organisations a person may record face-to-face sessions for: those serving a partnership their own
    organisation serves (all, for site admins)."""
    query = select(Organisation).order_by(Organisation.name)
    if not is_site_admin(user):
        query = query.where(organisations_serving(served_partnership_ids(user.organisation)))
    return list(session.scalars(query))


def session_areas(session: Session, user: User) -> list[Partnership]:
    """The partnership areas a person may record a face-to-face session for: those their organisation serves (any, for
    site admins). With only one there is nothing to ask."""
    if is_site_admin(user):
        return list(session.scalars(select(Partnership).order_by(Partnership.name)))
    return served_partnerships(user.organisation)


def can_manage_partnership_areas(user: User) -> bool:
    """Which partnerships an organisation serves moves its people's future training between partnerships: site admins."""
    return user.is_authenticated and is_site_admin(user)


def can_manage_joint_groups(user: User) -> bool:
    """Joint groups and their leads span partnerships: site admins set them up."""
    return user.is_authenticated and is_site_admin(user)


def can_set_locality(user: User, organisation: Organisation) -> bool:
    """An organisation's admins (and site admins) say which area its departments and people work in, when it serves several."""
    return user.is_authenticated and can_manage(user, organisation.id) and serves_several(organisation)


def can_change_session(user: User, training: TrainingSession) -> bool:
    """Who may correct or withdraw a face-to-face session: its recorder, its delivering organisation's admins, site admins."""
    if user.role not in SESSION_ROLES or training.withdrawn_at is not None:
        return False
    return (is_site_admin(user) or training.trainer_id == user.id
            or (user.role == Role.ORG_ADMIN and user.organisation_id == training.delivering_organisation_id))


def session_list_organisations(session: Session, user: User) -> list[int]:
    """Whose sessions a person sees: an organisation admin their own organisation's, others those they may record for."""
    if user.role == Role.ORG_ADMIN:
        return [user.organisation_id]
    return [o.id for o in session_organisations(session, user)]


def report_scope(user: User) -> ReportScope | None:
    """Whose figures a person may see: their organisation, their partnership, everything, or nothing."""
    if user.role == Role.SITE_ADMIN:
        return ReportScope("All partnerships")
    if user.role == Role.PARTNERSHIP_LEAD and user.joint_group is not None:
        group = user.joint_group
        return ReportScope(group.name, joint_group_id=group.id, area_ids=tuple(p.id for p in group.partnerships) or (-1,))
    if user.role == Role.PARTNERSHIP_LEAD:
        partnership = user.organisation.partnership
        return ReportScope(partnership.name, partnership_id=partnership.id)
    if user.role == Role.ORG_ADMIN:
        return ReportScope(user.organisation.name, organisation_id=user.organisation_id)
    return None


def sees_learners(user: User, scope: ReportScope) -> bool:
    """The learner-level list is for an organisation's own admins (and site admins looking at one organisation)."""
    return scope.organisation_id is not None and (user.role == Role.ORG_ADMIN or is_site_admin(user))


def token_partnerships(session: Session, user: User) -> list[Partnership]:
    """Partnerships a person may issue API tokens for."""
    if is_site_admin(user):
        return list(session.scalars(select(Partnership).order_by(Partnership.name)))
    if user.role == Role.PARTNERSHIP_LEAD and user.joint_group_id is None:
        return [user.organisation.partnership]
    return []


def token_visible(user: User, partnership_id: int | None, organisation: Organisation | None) -> bool:
    """Whether a person may see or revoke a token with this scope."""
    if is_site_admin(user):
        return True
    if user.role != Role.PARTNERSHIP_LEAD or user.joint_group_id is not None:
        return False
    own = user.organisation.partnership_id
    return partnership_id == own or (organisation is not None and own in served_partnership_ids(organisation))


TARGET_ROLES = (Role.PARTNERSHIP_LEAD, Role.SITE_ADMIN)


def can_set_targets(user: User) -> bool:
    """Yearly targets per module are a partnership's own plan: its lead (of one partnership, not a joint group) or a site admin."""
    return user.is_authenticated and user.role in TARGET_ROLES and (is_site_admin(user) or user.joint_group_id is None)


def target_partnerships(session: Session, user: User) -> list[Partnership]:
    """Partnerships whose targets a person may set: a lead their own, a site admin any."""
    if not can_set_targets(user):
        return []
    if is_site_admin(user):
        return list(session.scalars(select(Partnership).order_by(Partnership.name)))
    return [user.organisation.partnership]


def can_see_module_governance(user: User) -> bool:
    """A module's owner, review date, guidance and version notes are for the staff who deliver and look after it."""
    return user.is_authenticated and user.role in STAFF_ROLES


def can_review_modules(user: User) -> bool:
    """The list of modules due for review, across every organisation, is for site admins."""
    return user.is_authenticated and is_site_admin(user)


def can_see_notice_outbox(user: User) -> bool:
    """The notice outbox (every organisation's emails, the mail server's refusals) and sending them again are for site admins."""
    return user.is_authenticated and is_site_admin(user) and user.email_confirmed


def can_see_xapi_outbox(user: User) -> bool:
    """The xAPI outbox (every organisation's statements, the LRS's refusals) and retrying them are for site admins."""
    return user.is_authenticated and is_site_admin(user) and user.email_confirmed


# Who gets the weekly compliance digest and the quarterly figures: the planners select people by these roles,
# and the settings page shows each switch to the same people.
ADMIN_DIGEST_ROLES = (Role.ORG_ADMIN,)
QUARTERLY_FIGURES_ROLES = (Role.PARTNERSHIP_LEAD,)


def gets_admin_digest(user: User) -> bool:
    """The weekly compliance digest of an organisation goes to its admins (and the switch for it shows only to them)."""
    return user.role in ADMIN_DIGEST_ROLES


def gets_quarterly_figures(user: User) -> bool:
    """The quarterly "your figures are ready" message goes to partnership leads."""
    return user.role in QUARTERLY_FIGURES_ROLES
