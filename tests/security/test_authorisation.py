"""Who may open what: every route in the app's URL map, for every role, on their own organisation's
records and on another organisation's. A route missing from EXPECTED fails the first test, so a new
route cannot be added without deciding who may use it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import current_app, has_app_context, url_for

from lms.db import db
from lms.models import Role, User
from lms.services import organisations, password_reset
from lms.services.notices.preferences import unsubscribe_token
from lms.services.password_reset import make_token
from tests.conftest import _empty_tables as empty_tables
from tests.security.conftest import ROLES, World, build_world, signed_client

OK, SIGN_IN, DENIED, OWN = "ok", "sign-in", "denied", "own"  # OWN: ok on their own organisation's records, denied on others'
PUBLIC = (OK,) * 6
SIGNED_IN = (SIGN_IN, OK, OK, OK, OK, OK)
OWN_ONLY = (SIGN_IN, OWN, OWN, OWN, OWN, OWN)  # a person's own attempt or certificate
STAFF = (SIGN_IN, DENIED, OK, OK, OK, OK)
SITE_ADMIN = (SIGN_IN, DENIED, DENIED, DENIED, DENIED, OK)
ORGANISATION_ADMIN = (SIGN_IN, DENIED, DENIED, OWN, DENIED, OK)
SESSIONS = (SIGN_IN, DENIED, OK, OK, DENIED, OK)
SESSION_CHANGE = (SIGN_IN, DENIED, OWN, OWN, DENIED, OK)  # its recorder, its delivering organisation's admin, a site admin
TOKENS = (SIGN_IN, DENIED, DENIED, DENIED, OK, OK)
TOKEN_OF_OWN_PARTNERSHIP = (SIGN_IN, DENIED, DENIED, DENIED, OWN, OK)
REPORTS = (SIGN_IN, DENIED, DENIED, OWN, OWN, OK)  # scoped by ?organisation=: a lead's own is their partnership's
TRAINER_DOWNLOAD = (SIGN_IN, DENIED, OK, DENIED, DENIED, OK)  # the SCORM package carries the answer key
API_TOKEN_ONLY = (DENIED,) * 6  # a bearer token, never a session cookie
# Tags escaped into a page's text: a template that built markup into a string (a button showing "Revoke<span ...>").
ESCAPED_MARKUP = re.compile(r"&lt;/?(?:span|strong|a|p|div|em|code|br|ul|li)\b[^&]{0,40}(?:&gt;)?")

# Endpoint: expected outcome for (anonymous, learner, trainer, organisation admin, partnership lead, site admin).
EXPECTED: dict[str, tuple[str, ...]] = {
    "static": PUBLIC,
    "learn.home": PUBLIC,
    "health.healthz": PUBLIC,  # the load balancer's check: no session, no detail
    "site_pages.accessibility": PUBLIC,
    "site_pages.privacy": PUBLIC,
    "site_pages.cookies": PUBLIC,
    "site_pages.help_page": PUBLIC,
    "site_pages.contact": PUBLIC,
    "auth.login": PUBLIC,
    "auth.register": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.set_password": PUBLIC,
    "auth.confirm_email": PUBLIC,
    "auth.resend_confirmation": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.sso_callback": PUBLIC,  # where a provider sends people back; without this browser's sign-in state it refuses
    "auth.signed_out": PUBLIC,  # names an organisation with single sign-on and offers its sign-out; nothing personal
    "certificates.verify": PUBLIC,  # anyone holding a code may check it; OWN/other makes no difference
    "learn.my_training": SIGNED_IN,
    "learn.module": SIGNED_IN,
    "learn.lesson_page": SIGNED_IN,
    "learn.assessment": SIGNED_IN,
    "learn.print_module": SIGNED_IN,
    "content.asset": SIGNED_IN,
    "learn.attempt": OWN_ONLY,
    "learn.result": OWN_ONLY,
    "certificates.certificate_pdf": OWN_ONLY,
    "interop.scorm_package": TRAINER_DOWNLOAD,
    "interop.xapi_outbox": SITE_ADMIN,  # every organisation's statements and the LRS's refusals
    "interop.retry_xapi": SITE_ADMIN,  # GET asks, POST sends the dead-lettered statements again
    "admin.index": STAFF,
    "admin.new_partnership": SITE_ADMIN,
    "admin.new_organisation": SITE_ADMIN,
    "admin.organisation": ORGANISATION_ADMIN,
    "admin.edit_organisation": ORGANISATION_ADMIN,
    "admin.new_department": ORGANISATION_ADMIN,
    "admin.new_join_code": ORGANISATION_ADMIN,
    "admin.revoke_join_code": ORGANISATION_ADMIN,
    "admin.new_domain": ORGANISATION_ADMIN,
    "admin.remove_domain": ORGANISATION_ADMIN,
    "admin.domains": SITE_ADMIN,  # every organisation's claims, for review
    "admin.approve_domain": SITE_ADMIN,
    "admin.refuse_domain": SITE_ADMIN,
    "admin.single_sign_on": ORGANISATION_ADMIN,  # their own organisation's provider
    "admin.check_single_sign_on": ORGANISATION_ADMIN,
    "admin.remove_single_sign_on": ORGANISATION_ADMIN,
    "admin.new_assignment": ORGANISATION_ADMIN,
    "admin.remove_assignment": ORGANISATION_ADMIN,
    "admin.people": ORGANISATION_ADMIN,
    "admin.person": ORGANISATION_ADMIN,  # anyone of their organisation; changing a lead or site admin is refused (below)
    "admin.set_active": ORGANISATION_ADMIN,
    "admin.set_role": ORGANISATION_ADMIN,
    "admin.set_department": ORGANISATION_ADMIN,
    "admin.import_users": ORGANISATION_ADMIN,
    "admin.sessions": SESSIONS,
    "admin.new_session": SESSIONS,
    "admin.correct_session": SESSION_CHANGE,
    "admin.withdraw_session": SESSION_CHANGE,
    "admin.retries": SESSIONS,  # trainers and admins see their own organisation's held-back learners
    "admin.reset_retries": SESSIONS,  # the learner must be theirs: tested in tests/lms/test_assessment_engine.py
    "admin.review_modules": SITE_ADMIN,  # every published module's review-by date
    "admin.notices": SITE_ADMIN,  # every organisation's reminder emails and the mail server's refusals
    "admin.send_notice_again": SITE_ADMIN,  # GET asks, POST sends failed (or one interrupted) notice again
    "admin.organisation_partnerships": SITE_ADMIN,  # which partnerships an organisation serves moves where its training counts
    "admin.set_department_locality": ORGANISATION_ADMIN,  # where a department works (says so when the organisation serves one)
    "admin.set_locality": ORGANISATION_ADMIN,  # where a person works, likewise
    "admin.joint_groups": SITE_ADMIN,  # joint groups of partnerships and their leads span partnerships
    "admin.new_joint_group": SITE_ADMIN,
    "admin.joint_group": SITE_ADMIN,
    "admin.edit_joint_group": SITE_ADMIN,
    "admin.add_group_lead": SITE_ADMIN,
    "admin.remove_group_lead": SITE_ADMIN,
    "admin.tokens": TOKENS,
    "admin.revoke_token": TOKEN_OF_OWN_PARTNERSHIP,
    "reports.dashboard": REPORTS,
    "reports.breakdown": REPORTS,
    "reports.learners": ORGANISATION_ADMIN,  # names people: an organisation's own admins (and site admins) only
    "reports.export": REPORTS,
    "reports.quarterly": REPORTS,  # the board's quarterly report, scoped as every report page
    "reports.quarterly_download": REPORTS,
    "reports.targets": TOKENS,  # a partnership's own leads (not a joint group's) and site admins; GET shows, POST saves
    "api.counts": API_TOKEN_ONLY,
    "notices.settings": SIGNED_IN,  # each person's own notification settings
    "notices.unsubscribe": PUBLIC,  # the signed link says who and which email; GET asks, POST only turns that email off
}

# Routes scoped by a query argument rather than a path argument.
QUERY_SCOPED = {"reports.dashboard": "organisation", "reports.breakdown": "organisation", "reports.learners": "organisation",
                "reports.export": "organisation", "reports.quarterly": "organisation", "reports.quarterly_download": "organisation"}
# GET asks "Are you sure?", POST removes the thing: each person gets a fresh world, as for POST-only routes.
CONFIRMED_REMOVALS = {"admin.remove_assignment", "admin.remove_domain", "admin.revoke_join_code", "admin.revoke_token",
                      "admin.remove_single_sign_on"}


@dataclass
class Case:
    method: str
    path: str


def _argument(name: str, world: World, role: str, scope: str) -> str:
    """The value for one URL argument: something in the asker's own organisation, or in the other one."""
    place = world.own if scope == "own" else world.other
    values = {
        "organisation_id": place.organisation_id, "code_id": place.join_code_id, "domain_id": place.domain_id,
        "assignment_id": place.assignment_id, "token_id": place.token_id, "user_id": place.person_id,
        "attempt_id": world.attempts.get(role, world.other.attempt_id) if scope == "own" else world.other.attempt_id,
        "code": world.certificates.get(role, world.other.certificate_code) if scope == "own" else world.other.certificate_code,
        "slug": "tiny-module", "number": 1, "version_id": world.version_id, "name": world.asset_name, "filename": "site.css",
        "token": world.reset_token, "table": "counts", "fmt": "csv", "breakdown": "modules", "session_id": place.training_session_id,
        "department_id": place.department_id, "group_id": world.joint_group_id,
    }
    if name == "unsubscribe_token" and has_app_context():  # the person's own link in an email (needs the database);
        return unsubscribe_token(db.session.get(User, place.person_id), "optional_reminders", current_app.config["SECRET_KEY"])
    return str(values[name])  # without an app context (the hostile-input tests), an unknown argument: KeyError


SCOPED_ARGUMENTS = {"organisation_id", "code_id", "domain_id", "assignment_id", "token_id", "user_id", "attempt_id", "code", "session_id",
                    "department_id"}


def _cases(app, world: World, endpoint: str, role: str) -> list[tuple[str, Case]]:
    """The requests to make for each scope the route has (own and other, or just one) and each of its
    methods: a POST (with a valid CSRF token and nothing else) must be refused to the same people as a GET."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    scoped = bool(rule.arguments & SCOPED_ARGUMENTS) or endpoint in QUERY_SCOPED
    cases = []
    for scope in ("own", "other") if scoped else ("own",):
        with app.test_request_context():
            path = url_for(endpoint, **{name: _argument(name, world, role, scope) for name in rule.arguments})
        if endpoint in QUERY_SCOPED:
            place = world.own if scope == "own" else world.other
            path += f"?{QUERY_SCOPED[endpoint]}={place.organisation_id}"
        cases += [(scope, Case(method, path)) for method in ("GET", "POST") if method in rule.methods]
    return cases


def _outcome(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/sign-in?next=" in location:
        return SIGN_IN
    if response.status_code in (401, 403, 404):
        return DENIED
    if response.status_code >= 500:
        return f"error {response.status_code}"
    return OK


def test_does_every_route_have_an_entry_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - EXPECTED.keys() == set(), "new routes: decide who may use them and add them to EXPECTED"
    assert EXPECTED.keys() - endpoints == set(), "routes that no longer exist are still in EXPECTED"


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_does_the_route_let_in_only_the_people_it_should(app, tiny_build, endpoint):
    rule = next((r for r in app.url_map.iter_rules() if r.endpoint == endpoint), None)
    if rule is None:
        pytest.fail(f"{endpoint} is in EXPECTED but not in the app")
    acts = "GET" not in rule.methods or endpoint in CONFIRMED_REMOVALS  # it changes something: each person gets a fresh world
    world, wrong = build_world(app, tiny_build), []
    for role, expected in zip(ROLES, EXPECTED[endpoint], strict=True):
        if acts and role != ROLES[0]:
            empty_tables()
            world = build_world(app, tiny_build)
        client, token = signed_client(app, world.users.get(role))
        for scope, case in _cases(app, world, endpoint, role):
            want = (OK if scope == "own" else DENIED) if expected == OWN else expected
            if case.method == "GET":
                response = client.get(case.path)
            else:
                response = client.post(case.path, data={"csrf_token": token})
            got = _outcome(response)
            if got != want:
                wrong.append(f"{role} {case.method} {case.path} ({scope}): expected {want}, got {got} [{response.status_code}]")
            elif got == OK and response.mimetype == "text/html" and ESCAPED_MARKUP.search(response.get_data(as_text=True)):
                wrong.append(f"{role} {case.method} {case.path}: shows markup as text: {ESCAPED_MARKUP.search(response.get_data(as_text=True))[0]}")
    assert wrong == []


@pytest.mark.parametrize("senior", ["site_admin", "partnership_lead"])
@pytest.mark.parametrize(("action", "form"), [("active", {"active": "0"}), ("role", {"role": "learner"})])
def test_is_an_org_admin_refused_when_deactivating_or_re_roling_a_senior_colleague(app, tiny_build, senior, action, form):
    world = build_world(app, tiny_build)
    client, token = signed_client(app, world.users["org_admin"])
    response = client.post(f"/admin/people/{world.users[senior]}/{action}", data={"csrf_token": token, **form})
    assert _outcome(response) == DENIED
    with app.app_context():
        person = db.session.get(User, world.users[senior])
        assert (person.active, person.role.value, person.session_generation) == (True, senior, 0)
        db.session.remove()


# --- after a session ends, the cookies it left behind open nothing -----------------------------------

NEW_PASSWORD = "a brand new passphrase for the test"  # noqa: S105


def _end_session(app, client, token: str, ending: str, user_id: int) -> None:
    """End a person's sessions the way a user or an administrator would."""
    if ending == "sign-out":
        assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
        return
    with app.app_context():
        person = db.session.get(User, user_id)
        if ending == "password reset":
            reset = make_token(person, app.config["SECRET_KEY"])
            password_reset.reset_password(db.session, reset, NEW_PASSWORD, app.config["SECRET_KEY"])
        elif ending == "deactivation":
            organisations.set_active(db.session, person, False, actor_id=None)
        else:
            other_role = Role.LEARNER if person.role != Role.LEARNER else Role.TRAINER
            organisations.set_role(db.session, person, other_role, tuple(Role), actor_id=None)
        db.session.remove()


def _signed_in_paths(app, world: World, role: str) -> list[str]:
    """Every page this role can open on its own organisation's records that a stranger cannot."""
    paths = []
    for endpoint, expected in EXPECTED.items():
        want = expected[ROLES.index(role)]
        if expected[0] == SIGN_IN and want in (OK, OWN):
            paths += [case.path for scope, case in _cases(app, world, endpoint, role) if case.method == "GET" and scope == "own"]
    return paths


@pytest.mark.parametrize("ending", ["sign-out", "password reset", "deactivation", "role change"])
def test_do_the_old_cookies_get_nothing_after_the_session_ends(app, tiny_build, ending):
    world, wrong = build_world(app, tiny_build), []
    for role in ROLES[1:]:
        client, token = signed_client(app, world.users[role])
        paths = _signed_in_paths(app, world, role)
        assert paths and all(_outcome(client.get(path)) == OK for path in paths), f"{role}: the cookie must work before"
        old_cookie = client.get_cookie("session").value
        _end_session(app, client, token, ending, world.users[role])
        replay = app.test_client()
        replay.set_cookie("session", old_cookie)
        wrong += [f"{role} after {ending}: {path} gave {_outcome(replay.get(path))}" for path in paths
                  if _outcome(replay.get(path)) != SIGN_IN]
    assert wrong == []
