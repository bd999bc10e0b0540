"""Does a CSV import check every row first, import all or nothing, and change nothing the second time?"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from lms.models import AuditEvent, Role, User
from lms.services.accounts import authenticate
from lms.services.user_import import MAX_BYTES, MAX_ROWS, ImportFileError, import_people
from tests.builders import make_department, make_organisation, make_user
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
    assert result.errors[0].startswith("row 3: email 'not-an-address' is not a valid address — ")
    assert result.errors[1] == "row 4: email 'good@alpha.example' is already on row 2 — keep one of them"
    assert result.errors[2] == "row 5: full name is empty — enter the person's name"
    assert result.errors[3].startswith("row 6: department 'Nowhere' does not exist")
    assert result.errors[4].startswith("row 7: email 'taken@elsewhere.example' already has an account with another organisation")
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
])
def test_is_an_unreadable_file_refused_as_a_whole(session, organisation, data, message):
    with pytest.raises(ImportFileError, match=re.escape(message)):
        import_people(session, organisation, data, None)
    assert session.scalar(select(func.count()).select_from(User).where(User.organisation_id == organisation.id)) == 0


def test_does_the_import_page_show_row_errors_and_import_nothing(app, session, organisation):
    make_user(session, organisation, Role.ORG_ADMIN, email="admin@alpha.example")
    session.commit()
    client = signed_in(app, "admin@alpha.example")
    url = f"/admin/organisations/{organisation.id}/people/import"
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(b"email,full_name\nok@alpha.example,Ok\nbad,Bad\n"), "staff.csv")}
    page = client.post(url, data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "Nobody was imported" in page and "row 3: email &#39;bad&#39; is not a valid address" in page
    assert "ok@alpha.example" not in people_in(session, organisation)
    empty = client.post(url, data={"csrf_token": token}, content_type="multipart/form-data").get_data(as_text=True)
    assert "Choose a CSV file to import" in empty and 'href="#file"' in empty
