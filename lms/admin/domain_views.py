"""Email domain claims: an organisation admin asks for one with proof; a site admin approves, refuses or releases it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms.admin.forms import (
    DomainForm,
)
from lms.admin.views import ROLE_NAMES, _confirm_page, _form_page, blueprint
from lms.db import db
from lms.models import (
    EmailDomain,
    Role,
    User,
)
from lms.permissions import (
    ADMIN_ROLES,
    is_site_admin,
    managed_organisation_or_404,
    roles_required,
)
from lms.services import email_domains
from lms.services.organisations import AdminError

DOMAIN_INTRO = {
    False: "Your own email address must be at this domain (or one of its subdomains) and confirmed. A site admin then checks "
           "the claim: until they approve it, nobody joins your organisation with an address there.",
    True: "As a site admin your claim is approved at once. Shared national domains, such as nhs.net or gov.uk, and public "
          "email services can never be claimed.",
}


@blueprint.route("/organisations/<int:organisation_id>/domains/new", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def new_domain(organisation_id: int):
    organisation = managed_organisation_or_404(db.session, current_user, organisation_id)
    form = DomainForm()
    back = url_for("admin.organisation", organisation_id=organisation.id)
    if form.validate_on_submit():
        try:
            claimed = email_domains.claim_domain(db.session, organisation, form.domain.data, current_user)
            flash(f"{claimed.domain} approved: people with an address there can now join {organisation.name}."
                  if claimed.status == email_domains.APPROVED else
                  f"{claimed.domain} claimed. A site admin will check it; until then nobody joins with it.", "success")
            return redirect(back)
        except AdminError as error:
            form.domain.errors.append(str(error))
    return _form_page(form, "Claim an email domain", back, "Claim domain", organisation.name,
                      intro=DOMAIN_INTRO[is_site_admin(current_user)])


@blueprint.route("/domains")
@roles_required(Role.SITE_ADMIN)
def domains():
    claims = email_domains.claims_for_review(db.session)
    stages = [[c for c in claims if email_domains.review_order(c)[0] == stage] for stage in range(3)]
    ids = {c.requested_by_id for c in claims} | {c.reviewed_by_id for c in claims}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids - {None})))}
    return render_template("admin/domains.html", claims=claims, stages=stages, to_review=len(stages[0]) + len(stages[1]),
                           people=people, role_names=ROLE_NAMES, claimable=email_domains.is_claimable)


def _reviewed_claim(domain_id: int) -> EmailDomain:
    """The claim a site admin's POST names, after its CSRF check."""
    claimed = db.session.get(EmailDomain, domain_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    return claimed


@blueprint.route("/domains/<int:domain_id>/approve", methods=["POST"])
@roles_required(Role.SITE_ADMIN)
def approve_domain(domain_id: int):
    claimed = _reviewed_claim(domain_id)
    try:
        email_domains.review_claim(db.session, claimed, True, current_user.id)
        flash(f"{claimed.domain} approved: people with an address there can join {claimed.organisation.name}.", "success")
    except AdminError as error:
        flash(str(error), "info")
    return redirect(url_for("admin.domains"))


@blueprint.route("/domains/<int:domain_id>/refuse", methods=["POST"])
@roles_required(Role.SITE_ADMIN)
def refuse_domain(domain_id: int):
    claimed = _reviewed_claim(domain_id)
    email_domains.review_claim(db.session, claimed, False, current_user.id)
    flash(f"{claimed.domain} refused: nobody new joins {claimed.organisation.name} with it.", "success")
    return redirect(url_for("admin.domains"))


@blueprint.route("/domains/<int:domain_id>/remove", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def remove_domain(domain_id: int):
    """GET asks 'Are you sure?'; POST releases the claim. A site admin releasing one from the review page goes back there."""
    claimed = db.session.get(EmailDomain, domain_id) or abort(404)
    organisation = managed_organisation_or_404(db.session, current_user, claimed.organisation_id)
    from_review = request.values.get("back") == "review" and is_site_admin(current_user)
    back = url_for("admin.domains") if from_review else url_for("admin.organisation", organisation_id=organisation.id)
    if request.method == "GET":
        verb = "release the claim on" if from_review else "remove the email domain"
        return _confirm_page(f"Are you sure you want to {verb} {claimed.domain}?", "Release claim" if from_review else "Remove domain", back,
                             caption=organisation.name, hidden={"back": "review"} if from_review else None,
                             explain=(f"Nobody new will be able to join {organisation.name} with an address at {claimed.domain}. "
                                      "People who joined with it already stay where they are.",
                                      "Any organisation may then claim the domain afresh."))
    if not FlaskForm().validate_on_submit():
        abort(400)
    name = claimed.domain
    email_domains.release_domain(db.session, claimed, current_user.id)
    flash(f"{name} is no longer claimed.", "success")
    return redirect(back)
