"""Administration: the blueprint, its home page and the helpers its view modules share. Each area has its
own module on this blueprint: organisations and departments, join codes, assignments, people (and the CSV
import), email domains, face-to-face sessions, retries, module review, API tokens and the notice outbox. Views parse, call a
service, render; lms.permissions decides who may do what."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms.db import db
from lms.models import Department, Module, Organisation, Partnership, Role
from lms.parsing import parse_id
from lms.permissions import STAFF_ROLES, can_see_notice_outbox, is_site_admin, managed_organisations, roles_required
from lms.services import email_domains
from lms.services.notices import attention

ROLE_NAMES = {Role.LEARNER: "Learner", Role.TRAINER: "Trainer", Role.ORG_ADMIN: "Organisation admin",
              Role.PARTNERSHIP_LEAD: "Partnership lead", Role.SITE_ADMIN: "Site admin"}
blueprint = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def _module_choices() -> list[tuple[str, str]]:
    modules = db.session.scalars(select(Module).where(Module.current_version_id.is_not(None)).order_by(Module.title))
    return [("", "Choose a module")] + [(str(m.id), m.title) for m in modules]


def _department_choices(organisation: Organisation, empty: str) -> list[tuple[str, str]]:
    departments = db.session.scalars(select(Department).where(Department.organisation_id == organisation.id).order_by(Department.name))
    return [("", empty)] + [(str(d.id), d.name) for d in departments]


def _as_id(value: str | None) -> int | None:
    return parse_id(value)


def _form_page(form: FlaskForm, title: str, back: str, submit: str, caption: str = "", **extra):
    return render_template("admin/form.html", form=form, title=title, back=back, submit=submit, caption=caption, **extra)


def _confirm_page(heading: str, button: str, cancel: str, *, caption: str = "", explain: tuple[str, ...] = (),
                  hidden: dict[str, str] | None = None, warning: bool = True):
    """The page a destructive action asks 'Are you sure?' on (GET); its button POSTs to the same address.
    Every argument is plain text, so no label can ever show markup."""
    return render_template("admin/confirm.html", heading=heading, button=button, cancel=cancel, caption=caption, explain=explain,
                           hidden=hidden or {}, warning=warning)


@blueprint.route("/")
@roles_required(*STAFF_ROLES)
def index():
    site_admin = is_site_admin(current_user)
    partnerships = db.session.scalars(select(Partnership).order_by(Partnership.name)).all() if site_admin else []
    to_review = sum(map(email_domains.needs_review, email_domains.claims_for_review(db.session))) if site_admin else 0
    need_you = attention.outbox_counts(db.session).needing_attention if can_see_notice_outbox(current_user) else 0
    return render_template("admin/index.html", organisations=managed_organisations(db.session, current_user), partnerships=partnerships,
                           domains_to_review=to_review, notices_need_you=need_you)


# Each area's views are in their own module on this blueprint.
from lms.admin import (  # noqa: E402,F401
    area_views,
    assignment_views,
    domain_views,
    join_code_views,
    joint_group_views,
    module_views,
    notice_views,
    organisation_views,
    people_views,
    retry_views,
    session_views,
    sso_views,
    token_views,
)
