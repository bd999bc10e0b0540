"""A lesson page's content is rendered once per process and kept: does every learner still see only what
is theirs? Their partnership's details, their own CSRF token, and no one else's answer to a check."""

from __future__ import annotations

import re
from collections import OrderedDict

import pytest
from sqlalchemy import select, update

from lms.learn import page_cache
from lms.models import Organisation, Partnership, User
from tests.builders import make_organisation, make_partnership, make_user, publish_module
from tests.conftest import ROOT, csrf_token, sign_in
from tests.numbered_notebook import SLUG, write_numbered_notebook

TINY = ROOT / "tests" / "data" / "tiny-module"
NUMBERS_PAGE = f"/modules/{SLUG}/pages/1"


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch):
    """Each test starts as a newly started server does."""
    monkeypatch.setattr(page_cache, "_rendered", OrderedDict())


@pytest.fixture
def two_partnerships(session, tmp_path):
    """Learners of two partnerships with their own reporting lines, the tiny module and the numbers module."""
    publish_module(session, TINY, tmp_path / "build")
    write_numbered_notebook(tmp_path / "source" / f"{SLUG}.ipynb")
    publish_module(session, tmp_path / "source", tmp_path / "build-numbers", slug=SLUG)
    for place in ("Testville", "Otherville"):
        partnership = make_partnership(session, f"Safer {place}", {"hate_crime_reporting": f"the {place} Hate Crime Hub"})
        make_user(session, make_organisation(session, partnership, f"{place} Council"), email=f"learner@{place.lower()}.example")
    session.commit()


def signed_in(app, place: str):
    client = app.test_client()
    sign_in(client, f"learner@{place.lower()}.example")
    return client


def test_do_learners_of_two_partnerships_each_see_their_own_details_on_the_same_page(app, two_partnerships):
    first = signed_in(app, "Testville").get("/modules/tiny-module/pages/1").get_data(as_text=True)
    second = signed_in(app, "Otherville").get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert "the Testville Hate Crime Hub" in first and "Otherville" not in first
    assert "the Otherville Hate Crime Hub" in second and "Testville" not in second
    again = signed_in(app, "Testville").get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert "the Testville Hate Crime Hub" in again and "Otherville" not in again
    assert len(page_cache._rendered) == 2


def test_does_each_learner_get_their_own_token_in_a_kept_page(app, two_partnerships):
    first, second = signed_in(app, "Testville"), signed_in(app, "Testville")  # one partnership: the same kept page
    first_token = csrf_token(first.get(NUMBERS_PAGE).get_data(as_text=True))
    second_page = second.get(NUMBERS_PAGE).get_data(as_text=True)
    assert page_cache.CSRF_MARK not in second_page and len(page_cache._rendered) == 1
    second_token = csrf_token(second_page)
    assert first_token != second_token
    answer = {"question": "how-many", "how-many": "x"}
    assert second.post(NUMBERS_PAGE, data={**answer, "csrf_token": second_token}).status_code == 200
    assert second.post(NUMBERS_PAGE, data={**answer, "csrf_token": first_token}).status_code == 400  # another's token


def test_is_one_learners_answer_to_a_check_never_shown_to_the_next(app, two_partnerships):
    first, second = signed_in(app, "Testville"), signed_in(app, "Testville")
    page = first.get(NUMBERS_PAGE).get_data(as_text=True)
    option = re.search(r'name="how-many" type="radio" value="(\w+)">\s*<label[^>]*>1 in 100 women', page).group(1)
    answered = first.post(NUMBERS_PAGE, data={"csrf_token": csrf_token(page), "question": "how-many", "how-many": option})
    assert "Not quite" in answered.get_data(as_text=True)
    seen = second.get(NUMBERS_PAGE).get_data(as_text=True)
    assert "Not quite" not in seen and "checked" not in seen and 'id="feedback-how-many"' not in seen
    assert seen.count('name="csrf_token"') == page.count('name="csrf_token"')


def test_does_the_kept_content_stay_within_its_bound(app, two_partnerships, monkeypatch):
    monkeypatch.setattr(page_cache, "CACHE_SIZE", 1)
    client = signed_in(app, "Testville")
    for path in ("/modules/tiny-module/pages/1", NUMBERS_PAGE, "/modules/tiny-module/pages/1"):
        assert client.get(path).status_code == 200
        assert len(page_cache._rendered) == 1


def test_do_a_partnerships_new_name_and_a_learners_move_show_on_the_next_page(app, session, two_partnerships):
    client = signed_in(app, "Testville")
    assert "Safer Testville" in client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    session.execute(update(Partnership).where(Partnership.name == "Safer Testville").values(name="Safer Testville and District"))
    session.commit()
    assert "Safer Testville and District" in client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    other = session.scalar(select(Organisation.id).where(Organisation.name == "Otherville Council"))
    session.execute(update(User).where(User.email == "learner@testville.example").values(organisation_id=other))
    session.commit()
    moved = client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert "the Otherville Hate Crime Hub" in moved and "Testville" not in moved


def test_is_markup_in_a_partnerships_details_shown_as_text(app, session, two_partnerships):
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    session.execute(update(Partnership).where(Partnership.name == "Safer Testville").values(settings={"hate_crime_reporting": hostile}))
    session.commit()
    page = signed_in(app, "Testville").get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "onerror=alert(2)>" not in page and "&lt;script&gt;alert(1)" in page
