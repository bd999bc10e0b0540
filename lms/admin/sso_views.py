"""Single sign-on settings: an organisation admin (or a site admin) sets up their organisation's own OpenID Connect
provider, tests the connection to it, or removes it. The rules are lms/services/sso; these views only parse and show."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.admin.sso_forms import SingleSignOnForm
from lms.admin.views import _confirm_page, blueprint
from lms.db import db
from lms.models import Organisation, SingleSignOn
from lms.permissions import ADMIN_ROLES, can_manage_single_sign_on, managed_organisation_or_404, roles_required
from lms.services.organisations import AdminError
from lms.services.sso import client, discovery, refusals, settings
from lms.services.sso.client import SCOPES


def _organisation_or_404(organisation_id: int) -> Organisation:
    """The organisation whose provider the asker may set up; anyone else's is 'not found', as in the rest of admin."""
    organisation = managed_organisation_or_404(db.session, current_user, organisation_id)
    if not can_manage_single_sign_on(current_user, organisation.id):
        abort(404)
    return organisation


def _saved(provider: SingleSignOn | None) -> dict:
    """The form's starting values: what is saved, except the client secret, which is never shown again."""
    if provider is None:
        return {}
    return {"issuer": provider.issuer, "client_id": provider.client_id, "tenant_id": provider.tenant_id,
            "domains": list(provider.domains), "enabled": provider.enabled, "required": provider.required}


def _changes(form: SingleSignOnForm) -> settings.Changes:
    return settings.Changes(issuer=form.issuer.data or "", client_id=form.client_id.data or "",
                            client_secret=form.client_secret.data or "", tenant_id=form.tenant_id.data or "",
                            domains=list(form.domains.data or []), enabled=bool(form.enabled.data), required=bool(form.required.data))


def _saved_message(provider: SingleSignOn) -> tuple[str, str]:
    """What the admin is told after saving, and how loudly: switched on but not tested since is a warning."""
    if not provider.enabled:
        return "Single sign-on settings saved. It is off: nobody is offered it until you switch it on.", "success"
    how = "must sign in" if provider.required else "are sent to your provider to sign in"
    saved = f"Single sign-on settings saved. Staff at {', '.join(provider.domains)} {how}."
    if not provider.check_passed or provider.checked_at is None or provider.checked_at < provider.updated_at:
        return (saved + " These settings have not passed a connection test yet: select “Test connection”, "
                "then sign in once with your own work account."), "important"
    return saved, "success"


def _page(organisation: Organisation, provider: SingleSignOn | None, form: SingleSignOnForm):
    return render_template("admin/single_sign_on.html", organisation=organisation, provider=provider, form=form,
                           approved=settings.approved_domains(db.session, organisation.id),
                           redirect_uri=client.redirect_uri(), signed_out_uri=client.signed_out_uri(), scopes=SCOPES,
                           refused=refusals.recent(db.session, organisation))


@blueprint.route("/organisations/<int:organisation_id>/single-sign-on", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def single_sign_on(organisation_id: int):
    organisation = _organisation_or_404(organisation_id)
    provider = settings.for_organisation(db.session, organisation.id)
    form = SingleSignOnForm() if request.method == "POST" else SingleSignOnForm(data=_saved(provider))
    if form.validate_on_submit():
        try:
            provider = settings.save(db.session, organisation, _changes(form), current_user)
            flash(*_saved_message(provider))
            return redirect(url_for("admin.single_sign_on", organisation_id=organisation.id))
        except AdminError as error:
            getattr(form, error.field or "issuer").errors.append(str(error))
    return _page(organisation, provider, form)


@blueprint.route("/organisations/<int:organisation_id>/single-sign-on/test", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def check_single_sign_on(organisation_id: int):
    """Ask the saved provider for what a sign-in needs; the page then shows what was found, in plain words."""
    organisation = _organisation_or_404(organisation_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    provider = settings.for_organisation(db.session, organisation.id)
    page = url_for("admin.single_sign_on", organisation_id=organisation.id)
    if provider is None:
        flash("There is nothing to test yet: save the provider's settings first.", "important")
        return redirect(page)
    check = discovery.record_check(db.session, provider)
    flash("The connection test passed." if check.passed else "The connection test found problems: they are listed under "
          "\u201cLast connection test\u201d.", "success" if check.passed else "important")
    return redirect(page + "#last-test")


@blueprint.route("/organisations/<int:organisation_id>/single-sign-on/remove", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def remove_single_sign_on(organisation_id: int):
    """GET asks 'Are you sure?'; POST removes the provider's settings, secret and all."""
    organisation = _organisation_or_404(organisation_id)
    provider = settings.for_organisation(db.session, organisation.id)
    page = url_for("admin.single_sign_on", organisation_id=organisation.id)
    if provider is None:
        flash("Single sign-on is not set up, so there is nothing to remove.", "important")
        return redirect(page)
    if request.method == "GET":
        return _confirm_page("Are you sure you want to remove single sign-on?", "Remove single sign-on", page,
                             caption=organisation.name,
                             explain=(f"Staff at {', '.join(provider.domains) or 'your domains'} will sign in with a password "
                                      "again. The provider's settings and client secret are deleted.",
                                      "Accounts that single sign-on created stay. Their owners choose a password with "
                                      "\u201cForgotten your password?\u201d on the sign-in page."))
    if not FlaskForm().validate_on_submit():
        abort(400)
    settings.remove(db.session, provider, current_user)
    flash("Single sign-on removed: staff sign in with a password.", "success")
    return redirect(url_for("admin.organisation", organisation_id=organisation.id))
