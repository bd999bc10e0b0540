"""API tokens for BI tools: issuing one (shown once) and revoking it."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms.admin.forms import TokenForm
from lms.admin.views import _confirm_page, blueprint
from lms.db import db
from lms.models import ApiToken, Organisation, Partnership, utcnow
from lms.permissions import TOKEN_ROLES, can_manage_tokens, roles_required, token_partnerships, token_visible
from lms.services import api_tokens
from lms.services.reports import ReportScope, organisations_in


def _token_scopes() -> list[tuple[str, str]]:
    """A partnership, or one organisation serving it (a lead's organisation token reads only their partnership's share)."""
    choices, offered = [("", "Choose what it can read")], set()
    for partnership in token_partnerships(db.session, current_user):
        choices.append((f"partnership:{partnership.id}", f"{partnership.name} (the whole partnership)"))
        for organisation in organisations_in(db.session, ReportScope("", partnership_id=partnership.id)).values():
            if organisation.id not in offered:
                offered.add(organisation.id)
                choices.append((f"organisation:{organisation.id}", f"{organisation.name} only"))
    return choices


@blueprint.route("/api-tokens", methods=["GET", "POST"])
@roles_required(*TOKEN_ROLES)
def tokens():
    if not can_manage_tokens(current_user):
        abort(403)  # a joint group's lead: the group's figures have no token of their own
    form, created = TokenForm(), None
    form.scope.choices = _token_scopes()
    if form.validate_on_submit():
        kind, _, ident = form.scope.data.partition(":")
        target = db.session.get(Partnership if kind == "partnership" else Organisation, int(ident))
        lifetime = dt.timedelta(days=round(int(form.months.data) * 365 / 12))
        created, _token = api_tokens.create_token(db.session, form.name.data, created_by_id=current_user.id,
                                                  lifetime=lifetime, **{kind: target})
        form = TokenForm(formdata=None)
        form.scope.choices = _token_scopes()
    listed = [t for t in db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc()))
              if token_visible(current_user, t.partnership_id, db.session.get(Organisation, t.organisation_id) if t.organisation_id else None)]
    scopes, now = dict(_token_scopes()), utcnow()
    states = {t.id: api_tokens.token_state(t, now) if api_tokens.creator_may_still_issue(db.session, t) else "stopped" for t in listed}
    return render_template("admin/tokens.html", form=form, created=created, tokens=listed, scopes=scopes, states=states)


@blueprint.route("/api-tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@roles_required(*TOKEN_ROLES)
def revoke_token(token_id: int):
    """GET asks 'Are you sure?'; POST revokes. A token revoked already goes back to the list."""
    token = db.session.get(ApiToken, token_id)
    organisation = db.session.get(Organisation, token.organisation_id) if token and token.organisation_id else None
    if token is None or not token_visible(current_user, token.partnership_id, organisation):
        abort(404)
    back = url_for("admin.tokens")
    if token.revoked_at is not None:
        flash(f"Token '{token.name}' is revoked already.", "info")
        return redirect(back)
    if request.method == "GET":
        return _confirm_page(f"Are you sure you want to revoke the token '{token.name}'?", "Revoke token", back,
                             explain=("Any reporting tool using it will stop getting figures at once. This cannot be undone: "
                                      "to start again, create a new token.",))
    if not FlaskForm().validate_on_submit():
        abort(400)
    api_tokens.revoke_token(db.session, token, current_user.id)
    flash(f"Token '{token.name}' revoked.", "success")
    return redirect(back)
