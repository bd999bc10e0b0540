"""Joint groups (site admins): a named set of partnerships that report together, and the partnership leads who see
the group's figures (lms.permissions.report_scope)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.admin.area_forms import GroupLeadForm, JointGroupForm, ticked_ids
from lms.admin.area_views import _areas_page, _show
from lms.admin.views import blueprint
from lms.db import db
from lms.models import JointGroup, Role, User
from lms.parsing import parse_id
from lms.permissions import roles_required
from lms.services import areas
from lms.services.organisations import AdminError

GROUP_HINT = "Choose at least two. The group's leads see these partnerships' figures added together."


def _group_or_404(group_id: int) -> JointGroup:
    group = db.session.get(JointGroup, group_id)
    if group is None:
        abort(404)
    return group


def _group_form(group: JointGroup | None = None) -> JointGroupForm:
    form = JointGroupForm()
    form.partnerships.choices = [(str(p.id), p.name) for p in areas.all_partnerships(db.session)]
    if request.method == "GET" and group is not None:
        form.name.data, form.partnerships.data = group.name, [str(p.id) for p in group.partnerships]
    return form


@blueprint.route("/joint-groups")
@roles_required(Role.SITE_ADMIN)
def joint_groups():
    groups = areas.joint_groups(db.session)
    return render_template("admin/joint_groups.html", groups=groups,
                           leads={g.id: areas.group_leads(db.session, g) for g in groups})


@blueprint.route("/joint-groups/new", methods=["GET", "POST"])
@roles_required(Role.SITE_ADMIN)
def new_joint_group():
    form = _group_form()
    if form.validate_on_submit():
        try:
            group = areas.create_joint_group(db.session, form.name.data, ticked_ids(form.partnerships), current_user.id)
            flash(f"{group.name} added. Now choose its lead.", "success")
            return redirect(url_for("admin.joint_group", group_id=group.id))
        except AdminError as error:
            _show(form, error, "name")
    return _areas_page(form, "Add a joint group", url_for("admin.joint_groups"), "Add joint group", hints={"partnerships": GROUP_HINT})


@blueprint.route("/joint-groups/<int:group_id>")
@roles_required(Role.SITE_ADMIN)
def joint_group(group_id: int):
    group = _group_or_404(group_id)
    return render_template("admin/joint_group.html", group=group, leads=areas.group_leads(db.session, group))


@blueprint.route("/joint-groups/<int:group_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SITE_ADMIN)
def edit_joint_group(group_id: int):
    group = _group_or_404(group_id)
    form = _group_form(group)
    back = url_for("admin.joint_group", group_id=group.id)
    if form.validate_on_submit():
        try:
            areas.update_joint_group(db.session, group, form.name.data, ticked_ids(form.partnerships), current_user.id)
            flash("Joint group saved.", "success")
            return redirect(back)
        except AdminError as error:
            _show(form, error, "name")
    return _areas_page(form, "Change the joint group", back, "Save", group.name, hints={"partnerships": GROUP_HINT})


def _lead_label(person, group: JointGroup) -> str:
    where = (f" – leads {person.joint_group.name} today; choosing them moves them to this group"
             if person.joint_group_id not in (None, group.id) else "")
    return f"{person.email} ({person.full_name}, {person.organisation.partnership.name}){where}"


@blueprint.route("/joint-groups/<int:group_id>/leads/new", methods=["GET", "POST"])
@roles_required(Role.SITE_ADMIN)
def add_group_lead(group_id: int):
    """Choose a partnership lead (by email) to lead the group: they then see the group's figures."""
    group = _group_or_404(group_id)
    form = GroupLeadForm()
    candidates = [p for p in areas.partnership_leads(db.session) if p.joint_group_id != group.id]
    form.lead.choices = [("", "Choose a partnership lead")] + [(str(p.id), _lead_label(p, group)) for p in candidates]
    back = url_for("admin.joint_group", group_id=group.id)
    if form.validate_on_submit():
        try:
            chosen = db.session.get(User, parse_id(form.lead.data) or -1)
            before = chosen.joint_group.name if chosen is not None and chosen.joint_group_id not in (None, group.id) else None
            person = areas.add_group_lead(db.session, group, parse_id(form.lead.data), current_user.id)
            moved = f" They no longer lead {before}." if before else ""
            flash(f"{person.full_name} now leads {group.name} and sees its figures.{moved}", "success")
            return redirect(back)
        except AdminError as error:
            _show(form, error, "lead")
    intro = () if candidates else ("Every partnership lead already leads this group. Give someone the partnership lead role first.",)
    return _areas_page(form, "Add a lead", back, "Add lead", group.name, intro)


@blueprint.route("/joint-groups/<int:group_id>/leads/remove", methods=["POST"])
@roles_required(Role.SITE_ADMIN)
def remove_group_lead(group_id: int):
    """Stop someone leading the group: they see their own partnership's figures again."""
    group = _group_or_404(group_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        person = areas.remove_group_lead(db.session, group, parse_id(request.form.get("user_id")), current_user.id)
        flash(f"{person.full_name} no longer leads {group.name}: they see {person.organisation.partnership.name}'s figures again.",
              "success")
    except AdminError as error:
        flash(str(error), "info")
    return redirect(url_for("admin.joint_group", group_id=group.id))
