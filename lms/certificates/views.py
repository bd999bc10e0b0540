"""Certificates: the learner's PDF, and the public page that confirms a verification code is genuine."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, url_for
from flask_login import current_user, login_required

from lms.auth.forms import VerifyNameForm
from lms.db import db
from lms.services import certificates, throttling

blueprint = Blueprint("certificates", __name__, template_folder="templates")


def verify_url(code: str) -> str:
    return current_app.config["SITE_URL"].rstrip("/") + url_for("certificates.verify", code=code)


@blueprint.route("/certificates/<code>.pdf")
@login_required
def certificate_pdf(code: str):
    """Only the learner who earned it gets the PDF; anyone else is told it is not found."""
    certificate = certificates.for_owner(db.session, code, current_user)
    if certificate is None:
        abort(404)
    pdf = certificates.render_pdf(certificate, current_app.config["SITE_NAME"], verify_url(certificate.verification.code))
    filename = f"certificate-{certificate.verification.code}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


@blueprint.route("/verify/<code>", methods=["GET", "POST"])
def verify(code: str):
    """Confirm a certificate: module, version, date and organisation; a name can be checked, never shown."""
    found = certificates.verify(db.session, code)
    if found is None:
        return render_template("certificates/not_found.html", code=code), 404
    form, matches, too_many = VerifyNameForm(), None, False
    if form.validate_on_submit():
        matches = throttling.check_certificate_name(db.session, code, form.name.data)
        too_many = matches is None
    return render_template("certificates/verify.html", found=found, form=form, matches=matches, too_many=too_many)
