"""Site information pages, open to everyone, signed in or not; their details come from settings (lms.config)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from lms.services.account_sessions import REMEMBER_FOR
from lms.signing_in import REMEMBER_COOKIE

blueprint = Blueprint("site_pages", __name__, template_folder="templates")


@blueprint.route("/accessibility")
def accessibility():
    """The accessibility statement public-sector websites must publish (WCAG 2.2 AA)."""
    return render_template("site_pages/accessibility.html")


@blueprint.route("/privacy")
def privacy():
    return render_template("site_pages/privacy.html")


@blueprint.route("/cookies")
def cookies():
    """Only essential cookies are set, so this page explains them and needs no consent banner."""
    essential = [
        (current_app.config.get("SESSION_COOKIE_NAME", "session"), "Keeps you signed in as you move between pages, "
         "and protects the forms you send", "When you close your browser"),
        (REMEMBER_COOKIE, "Keeps you signed in on this device, only if you choose \"Keep me signed in\"",
         f"{REMEMBER_FOR.days} days, or when you sign out"),
    ]
    return render_template("site_pages/cookies.html", essential=essential)


@blueprint.route("/help")
def help_page():
    return render_template("site_pages/help.html")


@blueprint.route("/contact")
def contact():
    return render_template("site_pages/contact.html")
