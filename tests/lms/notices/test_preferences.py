"""Can people choose which emails about training they get, and stop an optional one by the link in it,
without ever being able to switch off reminders about mandatory training?"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import insert, select

from lms.models import AuditEvent, NoticePreference, Role
from lms.services.notices import preferences
from lms.services.notices.preferences import UNSUBSCRIBABLE, UnknownSwitch
from lms.services.password_reset import ResetLinkError, make_token
from tests.builders import make_organisation, make_user
from tests.conftest import csrf_token, sign_in

SETTINGS = "/account/notifications"


@pytest.fixture
def people(session):
    """A learner, an organisation admin and a partnership lead of one council, committed."""
    council = make_organisation(session, name="Testville Council")
    made = {role: make_user(session, council, role, email=f"{role.value}@testville.example")
            for role in (Role.LEARNER, Role.ORG_ADMIN, Role.PARTNERSHIP_LEAD)}
    session.commit()
    return made


def saved(session, user) -> NoticePreference:
    session.expire_all()
    return preferences.preferences_for(session, [user.id])[user.id]


def link_path(app, user, switch: str) -> str:
    with app.app_context():
        return urlsplit(preferences.unsubscribe_url(user, switch)).path


def settings_form(client, **choices) -> dict:
    page = client.get(SETTINGS).get_data(as_text=True)
    return {"csrf_token": csrf_token(page), **choices}


# --- the service ---------------------------------------------------------------------------------------


def test_does_someone_who_never_chose_get_every_email_each_as_it_falls_due(session, people):
    learner, admin = people[Role.LEARNER], people[Role.ORG_ADMIN]
    found = preferences.preferences_for(session, [learner.id, admin.id, learner.id])
    assert set(found) == {learner.id, admin.id}
    assert all((p.reminders, p.optional_reminders, p.admin_digest, p.quarterly_figures) == ("each", True, True, True)
               for p in found.values())
    assert session.scalars(select(NoticePreference)).all() == []  # defaults are not written
    assert preferences.preferences_for(session, []) == {}


def test_are_saved_choices_read_back_and_audited_with_what_changed(session, people):
    learner = people[Role.LEARNER]
    preferences.save_preferences(session, learner, "weekly", False, True, True)
    preferences.save_preferences(session, learner, "weekly", False, True, True)  # nothing new: no second event
    row = saved(session, learner)
    assert (row.reminders, row.optional_reminders) == ("weekly", False)
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.notice_preferences_changed")).all()
    assert [(e.subject, e.actor_id, e.detail) for e in events] == [
        (f"user:{learner.public_id}", learner.id, {"reminders": "weekly", "optional_reminders": False})]


def test_is_a_first_save_that_meets_another_first_save_kept_not_an_error(session, people, monkeypatch):
    learner, first_try = people[Role.LEARNER], []
    real = preferences._row_for_update

    def raced(session, user_id):  # another request writes the person's first row between our look and our insert
        row = real(session, user_id)
        if not first_try:
            first_try.append(True)
            session.execute(insert(NoticePreference).values(user_id=user_id, reminders="each", optional_reminders=True,
                                                            admin_digest=True, quarterly_figures=True))
        return row

    monkeypatch.setattr(preferences, "_row_for_update", raced)
    preferences.save_preferences(session, learner, "weekly", True, True, True)
    assert first_try and saved(session, learner).reminders == "weekly"


def test_is_a_reminder_choice_that_does_not_exist_refused(session, people):
    with pytest.raises(ValueError, match="each, weekly"):
        preferences.save_preferences(session, people[Role.LEARNER], "never", True, True, True)
    assert session.scalars(select(NoticePreference)).all() == []


def test_can_mandatory_reminders_never_be_unsubscribed_from_by_a_link(app, session, people):
    assert "reminders" not in UNSUBSCRIBABLE and "mandatory" not in UNSUBSCRIBABLE
    for switch in ("reminders", "mandatory", "everything"):
        with pytest.raises(UnknownSwitch, match="cannot be unsubscribed"):
            preferences.unsubscribe_url(people[Role.LEARNER], switch)


def test_is_the_link_absolute_from_the_site_url_also_outside_a_request(app, session, people):
    app.config["SITE_URL"] = "https://learning.example.gov.uk/"
    url = preferences.unsubscribe_url(people[Role.ORG_ADMIN], "admin_digest")  # the worker's app context: no request
    assert url.startswith("https://learning.example.gov.uk/unsubscribe/") and "//unsubscribe" not in url


def test_does_a_link_turn_off_its_own_switch_once_and_a_repeat_change_nothing(app, session, people):
    admin = people[Role.ORG_ADMIN]
    token = link_path(app, admin, "admin_digest").rsplit("/", 1)[1]
    first, again = preferences.unsubscribe(session, token), preferences.unsubscribe(session, token)
    assert (first.switch, first.changed, again.changed) == ("admin_digest", True, False)
    row = saved(session, admin)
    assert (row.admin_digest, row.optional_reminders, row.quarterly_figures, row.reminders) == (False, True, True, "each")
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.notice_unsubscribed")).all()
    assert [e.detail for e in events] == [{"switch": "admin_digest"}]


def test_is_a_tampered_or_foreign_token_refused(app, session, people):
    admin = people[Role.ORG_ADMIN]
    token = preferences.unsubscribe_token(admin, "optional_reminders", app.config["SECRET_KEY"])
    for bad in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), token.rsplit(".", 1)[0], "nonsense", "",
                preferences.unsubscribe_token(admin, "optional_reminders", "another-secret"),
                make_token(admin, app.config["SECRET_KEY"])):  # a password reset link's token
        with pytest.raises(ResetLinkError) as refused:
            preferences.unsubscribe(session, bad)
        assert not refused.value.expired
    assert saved(session, admin).optional_reminders is True


def test_can_a_link_for_one_switch_not_be_made_to_turn_off_another(app, session, people):
    admin = people[Role.ORG_ADMIN]
    optional = preferences.LINKS["optional_reminders"]
    relabelled = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=optional.salt).dumps(
        {"user": admin.public_id, "fingerprint": "admin_digest"})  # signed for one switch, naming another
    with pytest.raises(ResetLinkError):
        preferences.unsubscribe(session, relabelled)
    token = preferences.unsubscribe_token(admin, "optional_reminders", app.config["SECRET_KEY"])
    assert preferences.unsubscribe(session, token).switch == "optional_reminders"
    row = saved(session, admin)
    assert (row.optional_reminders, row.admin_digest, row.quarterly_figures) == (False, True, True)


# --- the settings page ---------------------------------------------------------------------------------


def test_does_a_learner_see_only_their_own_switches_and_the_mandatory_rule(app, client, people):
    sign_in(client, "learner@testville.example")
    html = client.get(SETTINGS).get_data(as_text=True)
    assert "How do you want reminders about your training?" in html and "Reminders about optional modules" in html
    assert "Reminders about mandatory training cannot be turned off" in html
    assert "Weekly compliance summary" not in html and "Quarterly figures" not in html
    assert 'value="each" checked' in html


@pytest.mark.parametrize(("email", "shown", "hidden"), [
    ("organisation_admin@testville.example", "Weekly compliance summary for my organisation", "Quarterly figures"),
    ("partnership_lead@testville.example", "Quarterly figures for my partnership", "Weekly compliance summary"),
])
def test_do_admins_and_leads_see_the_switch_for_the_email_their_role_gets(client, people, email, shown, hidden):
    sign_in(client, email)
    html = client.get(SETTINGS).get_data(as_text=True)
    assert shown in html and hidden not in html


def test_does_a_learner_save_a_weekly_digest_and_see_it_saved(client, session, people):
    sign_in(client, "learner@testville.example")
    response = client.post(SETTINGS, data=settings_form(client, reminders="weekly"), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "govuk-notification-banner--success" in html and "Your notification settings have been saved" in html
    assert 'value="weekly" checked' in html
    row = saved(session, people[Role.LEARNER])
    assert (row.reminders, row.optional_reminders) == ("weekly", False)  # the unticked box was sent as unticked


def test_can_a_learner_not_switch_off_an_email_for_another_role_by_posting_it(client, session, people):
    learner = people[Role.LEARNER]
    sign_in(client, "learner@testville.example")
    client.post(SETTINGS, data=settings_form(client, reminders="each", optional_reminders="y", admin_digest="", quarterly_figures=""))
    row = saved(session, learner)
    assert (row.admin_digest, row.quarterly_figures, row.optional_reminders) == (True, True, True)


@pytest.mark.parametrize("value", ["never", "", "each<script>"])
def test_is_a_tampered_reminder_choice_a_field_error_not_a_crash(client, session, people, value):
    sign_in(client, "learner@testville.example")
    response = client.post(SETTINGS, data=settings_form(client, reminders=value))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in html
    assert 'href="#reminders">Select how you want reminders about your training</a>' in html
    assert html.count("Error:") >= 2 and "<script>" not in html.split("<main", 1)[1]
    assert session.scalars(select(NoticePreference)).all() == []


def test_does_the_settings_page_need_signing_in(client, people):
    response = client.get(SETTINGS)
    assert response.status_code == 302 and "/sign-in?next=" in response.headers["Location"]


def test_does_my_training_link_to_the_settings(client, people):
    sign_in(client, "learner@testville.example")
    assert f'href="{SETTINGS}"' in client.get("/my-training").get_data(as_text=True)


# --- the unsubscribe page ------------------------------------------------------------------------------


def test_does_opening_the_link_ask_and_change_nothing(app, client, session, people):
    path = link_path(app, people[Role.ORG_ADMIN], "admin_digest")
    for _ in range(2):  # a mail scanner, then the person
        html = client.get(path).get_data(as_text=True)
        assert "Stop these emails?" in html and "Testville Council&#39;s training compliance" in html
        assert "organisation_admin@testville.example" in html and 'name="csrf_token"' in html
    assert saved(session, people[Role.ORG_ADMIN]).admin_digest is True


def test_does_the_button_stop_the_email_without_signing_in_and_a_repeat_say_it_is_done(app, client, session, people):
    path = link_path(app, people[Role.PARTNERSHIP_LEAD], "quarterly_figures")
    token = csrf_token(client.get(path).get_data(as_text=True))
    for _ in range(2):
        response = client.post(path, data={"csrf_token": token})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "You have stopped these emails" in html and f'href="{SETTINGS}"' in html
    assert saved(session, people[Role.PARTNERSHIP_LEAD]).quarterly_figures is False
    assert "You have stopped these emails" in client.get(path).get_data(as_text=True)  # no button to press again


def test_is_the_button_without_a_csrf_token_refused(app, client, session, people):
    path = link_path(app, people[Role.LEARNER], "optional_reminders")
    response = client.post(path, data={"stop": "yes"})
    assert response.status_code == 400 and "Your session has expired" in response.get_data(as_text=True)
    assert saved(session, people[Role.LEARNER]).optional_reminders is True


def test_does_a_mail_clients_one_click_post_stop_the_email(app, client, session, people):
    path = link_path(app, people[Role.LEARNER], "optional_reminders")
    response = client.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert saved(session, people[Role.LEARNER]).optional_reminders is False
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # again, as multipart: same


def test_is_a_one_click_post_with_another_value_treated_as_a_form_needing_its_token(app, client, session, people):
    path = link_path(app, people[Role.LEARNER], "optional_reminders")
    assert client.post(path, data={"List-Unsubscribe": "yes"}).status_code == 400
    assert saved(session, people[Role.LEARNER]).optional_reminders is True


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_does_a_tampered_link_get_a_clear_page_and_change_nothing(app, client, session, people, method):
    path = link_path(app, people[Role.LEARNER], "optional_reminders")
    tampered = path[:-3] + ("xyz" if not path.endswith("xyz") else "abc")
    response = client.open(tampered, method=method, data={"List-Unsubscribe": "One-Click"} if method == "POST" else None)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "This link is not valid" in html and f'href="{SETTINGS}"' in html
    assert saved(session, people[Role.LEARNER]).optional_reminders is True


def test_does_a_link_still_work_after_eleven_months_and_not_after_thirteen(app, client, session, people, monkeypatch):
    path = link_path(app, people[Role.LEARNER], "optional_reminders")
    now = time.time()
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: now + 335 * 24 * 3600)
    assert "Stop these emails?" in client.get(path).get_data(as_text=True)
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: now + 395 * 24 * 3600)
    response = client.get(path)
    assert response.status_code == 400 and "This link has expired" in response.get_data(as_text=True)
