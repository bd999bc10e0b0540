"""Signing in with the organisation's own account: off to its provider, and back with a verified ID token.

The sign-in form sends a work address here when its domain has single sign-on (lms/auth/views.py). What
is checked, and by whom: Authlib checks state, PKCE, the ID token's signature, issuer, audience, expiry
and nonce; lms/services/sso/accounts.py decides who the person is. Every refusal gets a page of its own,
a line in the log, and (a limited number per client address) an entry in the audit trail that the
organisation's admins see on its single sign-on page.
"""

from __future__ import annotations

import time

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import current_app, flash, redirect, render_template, session, url_for
from joserfc.errors import JoseError
from requests import RequestException

from lms import signing_in
from lms.auth.views import blueprint, client_address, safe_next
from lms.db import db
from lms.models import SingleSignOn, User
from lms.services.sso import accounts, client, refusals
from lms.services.sso.accounts import Refusal, SsoRefused
from lms.services.sso.fetching import FetchProblem
from lms.services.sso.secret_box import SecretUnreadable

FLOW_KEY = "sso_flow"  # which provider this browser was sent to, the address typed, and where to go after
SIGNED_IN_WITH = signing_in.SIGNED_IN_WITH
SIGNED_OUT_OF = "sso_signed_out"  # set at sign-out, read once by the signed-out page
UNREACHABLE = (RequestException, FetchProblem, SecretUnreadable)
BUILD_ERRORS = (*UNREACHABLE, AuthlibBaseError, RuntimeError, ValueError)  # reading the provider, or building its client
STATE_MAX_SECONDS = 3600  # a sign-in not finished within an hour starts again
SET_UP_ERRORS = ("invalid_client", "unauthorized_client", "invalid_scope", "unsupported_response_type", "invalid_request")
REFUSAL_STATUS = {Refusal.PROVIDER_UNAVAILABLE: 502, Refusal.NOT_SET_UP: 404}


def begin(provider: SingleSignOn, email: str, next_path: str | None):
    """Send the browser on to the provider, remembering (in the signed session) which one and where to return.

    A page that moves on by itself (meta refresh, with a link), not a redirect: the sign-in form's
    Content-Security-Policy allows forms to go to this site only, and browsers hold a redirect after a
    form to that too.
    """
    try:
        url = client.authorisation_url(provider, email)
    except BUILD_ERRORS as error:
        return refused(SsoRefused(Refusal.PROVIDER_UNAVAILABLE, str(error)), provider)
    session[FLOW_KEY] = {"provider": provider.id, "next": safe_next(next_path), "typed": email.strip().lower(),
                         "started": time.time()}
    return render_template("auth/sso_continue.html", url=url, organisation=provider.organisation.name)


def _oauth_refusal(error: OAuthError) -> SsoRefused:
    if error.error in ("access_denied", "consent_required", "login_required", "interaction_required"):
        reason = Refusal.CONSENT_REFUSED
    else:
        reason = Refusal.SET_UP_PROBLEM if error.error in SET_UP_ERRORS else Refusal.TOKEN_REJECTED
    return SsoRefused(reason, f"{error.error}: {error.description}")


def _token(provider: SingleSignOn) -> dict:
    """The provider's answer, checked by Authlib; each way it can fail named as a Refusal."""
    try:
        return client.client_for(provider).authorize_access_token()
    except MismatchingStateError as error:
        raise SsoRefused(Refusal.STARTED_ELSEWHERE, "state did not match") from error
    except OAuthError as error:
        raise _oauth_refusal(error) from error
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as error:
        raise SsoRefused(Refusal.TOKEN_REJECTED, repr(error)) from error
    except UNREACHABLE as error:
        raise SsoRefused(Refusal.PROVIDER_UNAVAILABLE, str(error)) from error


@blueprint.route(client.CALLBACK_PATH)
def sso_callback():
    """Where every provider sends the browser back; the session says which provider it went to."""
    flow = session.pop(FLOW_KEY, None)
    provider = db.session.get(SingleSignOn, flow["provider"]) if isinstance(flow, dict) else None
    if provider is None or not provider.enabled:
        return refused(SsoRefused(Refusal.STARTED_ELSEWHERE if provider is None else Refusal.NOT_SET_UP), provider)
    if not isinstance(flow.get("started"), (int, float)) or time.time() - flow["started"] > STATE_MAX_SECONDS:
        return refused(SsoRefused(Refusal.STARTED_ELSEWHERE, "begun over an hour ago"), provider)
    try:
        claims = dict(_token(provider).get("userinfo") or {})
        if not claims:
            raise SsoRefused(Refusal.TOKEN_REJECTED, "no ID token in the provider's answer")
        user = accounts.person_for(db.session, provider, claims)
    except SsoRefused as refusal:
        return refused(refusal, provider)
    signing_in.start_session(user, remember=False)
    session[SIGNED_IN_WITH] = provider.id
    _say_who_if_not_typed(user, flow.get("typed", ""))
    return redirect(flow.get("next") or url_for("learn.my_training"))


def _say_who_if_not_typed(user: User, typed: str) -> None:
    """On a shared computer the provider may still hold a colleague's session: say whose account this is."""
    if typed and typed != user.email.lower():
        flash(f"You are signed in as {user.full_name} ({user.email}), not {typed}. If this is not you, sign out "
              "now, and sign out of your organisation's account too.", "important")


def refused(refusal: SsoRefused, provider: SingleSignOn | None):
    """The page for a refused sign-in; the detail goes to the log and audit trail, never to the page."""
    refusals.record(db.session, refusal, provider, client_address())
    logout_url = None
    if provider is not None and refusal.reason in refusals.WRONG_ACCOUNT:
        try:
            logout_url = client.logout_url(provider)
        except BUILD_ERRORS:
            logout_url = None
    return render_template("auth/sso_refused.html", reason=refusal.reason.value,
                           organisation=provider.organisation.name if provider is not None else "",
                           signed_in_as=refusal.email, logout_url=logout_url,
                           contact=current_app.config.get("CONTACT_EMAIL")), REFUSAL_STATUS.get(refusal.reason, 400)


@blueprint.route("/signed-out")
def signed_out():
    """Just after signing out of a session begun at a provider: offer to sign out there too (RP-initiated logout)."""
    provider = db.session.get(SingleSignOn, session.pop(SIGNED_OUT_OF, None) or 0)
    if provider is None or not provider.enabled:
        return redirect(url_for("auth.login"))
    try:
        logout_url = client.logout_url(provider)
    except BUILD_ERRORS:
        logout_url = None
    return render_template("auth/signed_out.html", organisation=provider.organisation.name, logout_url=logout_url)
