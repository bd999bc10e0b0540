"""Does a CSV import check every row first, import all or nothing, and change nothing the second time?"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from lms.models import AuditEvent, LessonProgress, Role, User, utcnow
from lms.services.accounts import authenticate, unusable_password
from lms.services.user_import import MAX_BYTES, MAX_ROWS, ImportFileError, import_people
from tests.builders import PASSWORD, capture_mail, make_department, make_organisation, make_user
from tests.conftest import csrf_token
from tests.lms.reporting_builders import signed_in

GOOD = "email,full_name,department\nana@alpha.example,Ana Silva,Housing\nben@alpha.example,Ben Okoro,\n"


def people_in(session, organisation) -> list[str]:
    return sorted(session.scalars(select(User.email).where(User.organisation_id == organisation.id)))


@pytest.fixture
def organisation(session):
    organisation = make_organisation(session, name="Alpha Council")
    make_department(session, organisation, "Housing")
    session.commit()
    return organisation


def test_are_valid_rows_imported_as_learners_who_cannot_sign_in_yet(session, organisation):
    result = import_people(session, organisation, GOOD.encode(), None)
    assert (result.imported, result.created, result.errors) == (True, 2, [])
    ana = session.scalar(select(User).where(User.email == "ana@alpha.example"))
    assert ana.role == Role.LEARNER and ana.department.name == "Housing" and ana.full_name == "Ana Silva"
    assert ana.password_hash.startswith("!") and authenticate(session, "ana@alpha.example", ana.password_hash) is None


def test_does_importing_the_same_file_again_change_nothing(session, organisation):
    import_people(session, organisation, GOOD.encode(), None)
    before = people_in(session, organisation)
    again = import_people(session, organisation, GOOD.encode(), None)
    assert (again.created, again.unchanged, again.errors) == (0, 2, []) and people_in(session, organisation) == before


def test_is_every_bad_row_reported_and_nothing_imported(session, organisation):
    other = make_organisation(session, name="Elsewhere")
    make_user(session, other, email="taken@elsewhere.example")
    session.commit()
    data = ("email,full_name,department\n"
            "good@alpha.example,Good Person,\n"            # row 2
            "not-an-address,Bad Email,\n"                  # row 3
            "good@alpha.example,Twice Listed,\n"           # row 4
            "noname@alpha.example,,\n"                     # row 5
            "dept@alpha.example,Wrong Dept,Nowhere\n"      # row 6
            "taken@elsewhere.example,Someone Else,\n")     # row 7
    result = import_people(session, organisation, data.encode(), None)
    assert not result.imported and people_in(session, organisation) == []
    assert result.errors[0] == "Row 3: email 'not-an-address' is not a valid email address — write it like name@example.gov.uk"
    assert result.errors[1] == "Row 4: email 'good@alpha.example' is already on row 2 — keep one of them"
    assert result.errors[2] == "Row 5: full name is empty — enter the person's name"
    assert result.errors[3].startswith("Row 6: department 'Nowhere' does not exist")
    assert result.errors[4].startswith("Row 7: email 'taken@elsewhere.example' already has an account with another organisation")
    assert len(result.errors) == 5


def test_can_the_admin_choose_to_import_only_the_valid_rows(session, organisation):
    data = "email,full_name\nok@alpha.example,Okay Person\nbroken,Broken Row\n"
    result = import_people(session, organisation, data.encode(), None, only_valid=True)
    assert (result.imported, result.created, result.skipped) == (True, 1, 1)
    assert people_in(session, organisation) == ["ok@alpha.example"]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "users.imported"))
    assert event.detail["created"] == 1 and event.detail["skipped"] == 1


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_are_a_byte_order_mark_and_windows_encoding_read(session, organisation, encoding):
    data = "Email,Full Name\nzoe@alpha.example,Zoë Brontë\n".encode(encoding)
    result = import_people(session, organisation, data, None)
    assert result.created == 1
    assert session.scalar(select(User.full_name).where(User.email == "zoe@alpha.example")) == "Zoë Brontë"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty"),
    (b"name,phone\nAna,123\n", "must name the columns email and full_name (missing: email)"),
    (b"\x00\x01binary", "must be a CSV file"),
    (b"email,full_name\n" + b"a" * (MAX_BYTES + 1), "must be smaller than"),
    (("email,full_name\n" + "".join(f"p{i}@alpha.example,P {i}\n" for i in range(MAX_ROWS + 1))).encode(), "more than 5000 people"),
    (b'email,full_name\n"' + b"a" * 200_000 + b'",Long\n', "The selected file is not a readable CSV file: save the spreadsheet as"),
])
def test_is_an_unreadable_file_refused_as_a_whole(session, organisation, data, message):
    with pytest.raises(ImportFileError, match=re.escape(message)) as refused:
        import_people(session, organisation, data, None)
    assert "field limit" not in str(refused.value), "the csv module's own wording never reaches an admin"
    assert session.scalar(select(func.count()).select_from(User).where(User.organisation_id == organisation.id)) == 0


def test_does_the_import_page_show_row_errors_and_import_nothing(app, session, organisation):
    make_user(session, organisation, Role.ORG_ADMIN, email="admin@alpha.example")
    session.commit()
    client = signed_in(app, "admin@alpha.example")
    url = f"/admin/organisations/{organisation.id}/people/import"
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(b"email,full_name\nok@alpha.example,Ok\nbad,Bad\n"), "staff.csv")}
    page = client.post(url, data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "nobody was imported" in page and "<title>Error:" in page
    assert '<li><a href="#file">Row 3: email &#39;bad&#39; is not a valid email address' in page, "each row's problem links to the file field"
    assert 'govuk-form-group govuk-form-group--error' in page and 'class="govuk-file-upload govuk-file-upload--error" id="file"' in page
    assert "The selected file has 1 row with problems: fix it and choose the file again" in page
    assert page.index('id="file-error"') < page.index('id="file"'), "the field's error message comes before the field"
    assert "ok@alpha.example" not in people_in(session, organisation)
    empty = client.post(url, data={"csrf_token": token}, content_type="multipart/form-data").get_data(as_text=True)
    assert "Choose a CSV file to import" in empty and 'href="#file"' in empty


# --- set-password emails and squatted addresses -------------------------------------------------------

@pytest.fixture
def outbox(monkeypatch):
    return capture_mail(monkeypatch)


NEW_PASSWORD = "harbour violet tramline"


def choose_password(client, path: str):
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(page)})


def test_is_each_new_person_emailed_a_link_to_set_their_password(client, session, organisation, outbox):
    import_people(session, organisation, GOOD.encode(), None)
    assert sorted(m.to for m in outbox) == ["ana@alpha.example", "ben@alpha.example"]
    message = outbox.to("ana@alpha.example")[0]
    assert message.subject == "Set your Safer Learning password" and "works for 7 days, and only once" in message.body
    link = outbox.link("/set-password/", "ana@alpha.example")
    assert "Choose your password" in client.get(link).get_data(as_text=True)
    response = choose_password(client, link)
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    session.rollback()
    ana = session.scalar(select(User).where(User.email == "ana@alpha.example"))
    assert ana.email_confirmed and authenticate(session, "ana@alpha.example", NEW_PASSWORD) is not None
    assert client.get(link).status_code == 400, "the link works once"
    import_people(session, organisation, GOOD.encode(), None)
    assert len(outbox) == 2, "importing the file again emails nobody"


def test_does_an_expired_set_password_link_say_how_to_get_another(client, session, organisation, outbox, monkeypatch):
    import_people(session, organisation, GOOD.encode(), None)
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: 4_000_000_000)
    response = client.get(outbox.link("/set-password/", "ana@alpha.example"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Links to set your password work for 7 days" in html and 'href="/forgot-password"' in html


@pytest.fixture
def squatter(session, published):
    """Someone who registered ana's address in another organisation, never confirmed it, and started reading."""
    elsewhere = make_organisation(session, name="Elsewhere")
    user = make_user(session, elsewhere, email="ana@alpha.example", confirmed=False)
    user.full_name, user.role = "Not Ana", Role.TRAINER
    user.created_at = utcnow() - dt.timedelta(days=3)  # its confirmation link has long expired
    session.add(LessonProgress(user_id=user.id, version_id=published.current_version_id, last_page=1))
    session.commit()
    return user


def test_does_an_import_take_an_unconfirmed_self_registration_back(client, session, organisation, squatter, outbox):
    admin = make_user(session, organisation, Role.ORG_ADMIN)
    session.commit()
    old_public_id, old_generation = squatter.public_id, squatter.session_generation
    result = import_people(session, organisation, GOOD.encode(), admin.id)
    assert (result.imported, result.created, result.taken_over, result.errors) == (True, 2, 1, [])
    session.rollback()
    ana = session.get(User, squatter.id)
    assert ana.organisation_id == organisation.id and ana.full_name == "Ana Silva" and ana.department.name == "Housing"
    assert ana.role == Role.LEARNER and ana.password_hash.startswith("!") and not ana.email_confirmed
    assert ana.public_id != old_public_id and ana.session_generation == old_generation + 1
    assert session.scalar(select(func.count(LessonProgress.id)).where(LessonProgress.user_id == ana.id)) == 0
    assert authenticate(session, "ana@alpha.example", PASSWORD) is None, "the squatter's password no longer works"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.taken_over_by_import"))
    assert event.actor_id == admin.id and event.subject == f"user:{ana.public_id}"
    assert outbox.link("/set-password/", "ana@alpha.example")


@pytest.mark.parametrize("how", ["confirmed", "imported"])
def test_is_an_account_elsewhere_that_someone_owns_still_an_error(session, organisation, outbox, how):
    user = make_user(session, make_organisation(session, name="Elsewhere"), email="ana@alpha.example", confirmed=how == "confirmed")
    if how == "imported":
        user.password_hash = unusable_password()
    session.commit()
    result = import_people(session, organisation, GOOD.encode(), None)
    assert not result.imported and "already has an account with another organisation" in result.errors[0]
    assert outbox == []


def test_is_a_fresh_registration_in_another_organisation_not_pulled_into_the_importing_one(session, organisation, outbox):
    """Someone who registered elsewhere a moment ago may simply not have opened their email yet: an admin of
    another organisation must not be able to take them (and see their results) by importing their address."""
    elsewhere = make_organisation(session, name="Elsewhere")
    newcomer = make_user(session, elsewhere, email="ana@alpha.example", confirmed=False)
    admin = make_user(session, organisation, Role.ORG_ADMIN)
    session.commit()
    result = import_people(session, organisation, GOOD.encode(), admin.id)
    assert not result.imported and any("waiting for its owner to confirm it" in e for e in result.errors)
    session.rollback()
    assert session.get(User, newcomer.id).organisation_id == elsewhere.id


def test_does_a_fresh_link_protect_an_old_registration_from_another_organisations_import(session, organisation, outbox):
    """The 48 hours run from the latest confirmation link, not from when the address was first registered."""
    elsewhere = make_organisation(session, name="Elsewhere")
    newcomer = make_user(session, elsewhere, email="ana@alpha.example", confirmed=False)
    newcomer.created_at = utcnow() - dt.timedelta(days=3)
    newcomer.confirmation_sent_at = utcnow() - dt.timedelta(minutes=20)  # they asked for a new link just now
    admin = make_user(session, organisation, Role.ORG_ADMIN)
    session.commit()
    result = import_people(session, organisation, GOOD.encode(), admin.id)
    assert not result.imported and any("waiting for its owner to confirm it" in e for e in result.errors)


def test_does_a_partial_import_mark_the_file_field_with_the_rows_left_out(app, session, organisation):
    make_user(session, organisation, Role.ORG_ADMIN, email="admin@alpha.example")
    session.commit()
    client = signed_in(app, "admin@alpha.example")
    url = f"/admin/organisations/{organisation.id}/people/import"
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "only_valid": "y", "file": (io.BytesIO(b"email,full_name\nok@alpha.example,Ok\nbad,Bad\n"), "staff.csv")}
    page = client.post(url, data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "Some rows were left out" in page and '<li><a href="#file">Row 3:' in page
    assert "1 row of the selected file left out: fix it and import the file again" in page and "govuk-file-upload--error" in page
    assert people_in(session, organisation) == ["admin@alpha.example", "ok@alpha.example"]
