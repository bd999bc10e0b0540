"""Signing in with the organisation's own account: off to its provider, and back with a verified ID token.

The sign-in form sends a work address here when its domain has single sign-on (lms/auth/views.py). What
is checked, and by whom: Authlib checks state, PKCE, the ID token's signature, issuer, audience, expiry
and nonce; lms/services/sso/accounts.py decides who the person is. Every refusal gets a page of its own
and a line in the log and the audit trail for the organisation's admins.
"""

from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import current_app, redirect, render_template, request, session, url_for
from joserfc.errors import JoseError
from requests import RequestException

from lms import signing_in
from lms.auth.views import blueprint, safe_next
from lms.db import db, write_transaction
from lms.models import SingleSignOn
from lms.services.audit import record_event
from lms.services.sso import accounts, client
from lms.services.sso.accounts import Refusal, SsoRefused
from lms.services.sso.secret_box import SecretUnreadable

FLOW_KEY = "sso_flow"  # which provider this browser was sent to, and where to go after
SIGNED_IN_WITH = "sso_provider"  # kept for the session, so sign-out can offer the provider's sign-out

REFUSAL_STATUS = {Refusal.PROVIDER_UNAVAILABLE: 502, Refusal.NOT_SET_UP: 404}


def begin(provider: SingleSignOn, email: str, next_path: str | None):
    """Send the browser on to the provider, remembering (in the signed session) which one and where to return.

    A page that moves on by itself (meta refresh, with a link), not a redirect: the sign-in form's
    Content-Security-Policy allows forms to go to this site only, and browsers hold a redirect after a
    form to that too.
    """
    try:
        sso_client = client.client_for(provider)
        authorisation = sso_client.create_authorization_url(client.redirect_uri(), login_hint=email)
        sso_client.save_authorize_data(redirect_uri=client.redirect_uri(), **authorisation)
    except (RequestException, AuthlibBaseError, SecretUnreadable, RuntimeError, ValueError) as error:
        return refused(SsoRefused(Refusal.PROVIDER_UNAVAILABLE, repr(error)), provider)
    session[FLOW_KEY] = {"provider": provider.id, "next": safe_next(next_path)}
    return render_template("auth/sso_continue.html", url=authorisation["url"], organisation=provider.organisation.name)


def _token(provider: SingleSignOn) -> dict:
    """The provider's answer, checked by Authlib; each way it can fail named as a Refusal."""
    try:
        return client.client_for(provider).authorize_access_token()
    except MismatchingStateError as error:
        raise SsoRefused(Refusal.STARTED_ELSEWHERE, "state did not match") from error
    except OAuthError as error:
        reason = Refusal.CONSENT_REFUSED if error.error in ("access_denied", "consent_required", "login_required") \
            else Refusal.TOKEN_REJECTED
        raise SsoRefused(reason, f"{error.error}: {error.description}") from error
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as error:
        raise SsoRefused(Refusal.TOKEN_REJECTED, repr(error)) from error
    except (RequestException, SecretUnreadable) as error:
        raise SsoRefused(Refusal.PROVIDER_UNAVAILABLE, repr(error)) from error


@blueprint.route(client.CALLBACK_PATH)
def sso_callback():
    """Where every provider sends the browser back; the session says which provider it went to."""
    flow = session.pop(FLOW_KEY, None)
    provider = db.session.get(SingleSignOn, flow["provider"]) if isinstance(flow, dict) else None
    if provider is None or not provider.enabled:
        return refused(SsoRefused(Refusal.STARTED_ELSEWHERE if provider is None else Refusal.NOT_SET_UP), provider)
    try:
        claims = dict(_token(provider).get("userinfo") or {})
        if not claims:
            raise SsoRefused(Refusal.TOKEN_REJECTED, "no ID token in the provider's answer")
        user = accounts.person_for(db.session, provider, claims)
    except SsoRefused as refusal:
        return refused(refusal, provider)
    signing_in.start_session(user, remember=False)
    session[SIGNED_IN_WITH] = provider.id
    return redirect(flow.get("next") or url_for("learn.my_training"))


def refused(refusal: SsoRefused, provider: SingleSignOn | None):
    """The page for a refused sign-in, logged with the detail (never shown: it may help an attacker)."""
    current_app.logger.warning("single sign-on refused (%s) for organisation %s: %s", refusal.reason,
                               provider.organisation_id if provider else "unknown", refusal.detail)
    if provider is not None:
        with write_transaction(db.session):
            record_event(db.session, "sso.refused", f"organisation:{provider.organisation.slug}", None,
                         reason=str(refusal.reason), detail=refusal.detail[:500])
    organisation = provider.organisation.name if provider is not None else ""
    return render_template("auth/sso_refused.html", reason=refusal.reason.value, organisation=organisation,
                           contact=current_app.config.get("CONTACT_EMAIL")), REFUSAL_STATUS.get(refusal.reason, 400)


@blueprint.route("/signed-out")
def signed_out():
    """After signing out of a session begun at a provider: offer to sign out there too (RP-initiated logout)."""
    provider = db.session.get(SingleSignOn, request.args.get("provider", type=int) or 0)
    if provider is None or not provider.enabled:
        return redirect(url_for("auth.login"))
    after = current_app.config["SITE_URL"].rstrip("/") + url_for("auth.login")
    try:
        logout_url = client.logout_url(provider, after)
    except (RequestException, AuthlibBaseError, SecretUnreadable, RuntimeError, ValueError):
        logout_url = None
    return render_template("auth/signed_out.html", organisation=provider.organisation.name, logout_url=logout_url)
