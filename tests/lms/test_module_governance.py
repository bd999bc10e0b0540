"""Do trainers and admins see who owns a module and when it must be reviewed, site admins the modules due
for review, and do Welsh modules and pages reach the HTML as lang="cy" (with the site's words in English)?"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from authoring import build
from authoring.bundle import ANSWER_KEY, MANIFEST, content_version
from lms.models import Module, ModuleVersion, Role, utcnow
from lms.services import module_review
from lms.services.bundles import CONTENT_KEYS
from lms.services.periods import uk_date
from lms.services.publishing import publish
from tests.builders import QUESTION, make_organisation, make_user, settings_cell, write_notebook
from tests.conftest import sign_in


def release(session, tmp_path, slug: str, title: str, review_by: dt.date | None = None, notes: str = "Fixes a link.") -> Module:
    source = write_notebook(tmp_path / "src" / f"{slug}.ipynb", "# Page\n\nText.", "# Assessment\n\nGo.", QUESTION,
                            settings=settings_cell(id=slug, title=title, version_notes=notes))
    assert build([source], tmp_path / "out").built
    publish(session, tmp_path / "out" / slug)
    module = session.scalar(select(Module).where(Module.slug == slug))
    if review_by is not None:  # a date in the past cannot pass `authoring check`; it passes with time
        version = session.get(ModuleVersion, module.current_version_id)
        version.settings = {**version.settings, "review_by": review_by.isoformat()}
        session.commit()
    return module


@pytest.fixture
def people(session):
    organisation = make_organisation(session)
    made = {role: make_user(session, organisation, role, email=f"{role.value}@example.org") for role in Role}
    session.commit()
    return made


TODAY = uk_date(utcnow())


@pytest.mark.parametrize(("role", "sees"), [(Role.LEARNER, False), (Role.TRAINER, True), (Role.ORG_ADMIN, True),
                                            (Role.PARTNERSHIP_LEAD, True), (Role.SITE_ADMIN, True)])
def test_is_a_modules_governance_shown_to_staff_only(client, session, tmp_path, people, role, sees):
    release(session, tmp_path, "tiny-module", "Tiny module")
    sign_in(client, f"{role.value}@example.org")
    page = client.get("/modules/tiny-module").get_data(as_text=True)
    assert ("Looking after this module" in page) is sees
    if sees:
        assert "Only trainers, administrators and partnership leads see this section." in page
        for shown in ("Test team", "1 January 2099", "https://www.gov.uk/report-hate-crime", "Hate crime guidance", "Fixes a link."):
            assert shown in page
        assert "Due for review" not in page and "Review overdue" not in page


@pytest.mark.parametrize(("days", "tag"), [(-1, "Review overdue"), (0, "Due for review"), (30, "Due for review"), (31, None)])
def test_does_the_module_page_say_when_a_review_is_due(client, session, tmp_path, people, days, tag):
    release(session, tmp_path, "tiny-module", "Tiny module", review_by=TODAY + dt.timedelta(days=days))
    sign_in(client, "trainer@example.org")
    page = client.get("/modules/tiny-module").get_data(as_text=True)
    for label in ("Review overdue", "Due for review"):
        assert (label in page) is (label == tag)


def test_does_the_review_list_show_modules_due_within_60_days_soonest_first_with_their_owner(client, session, tmp_path, people):
    release(session, tmp_path, "later", "Later module", review_by=TODAY + dt.timedelta(days=59))
    release(session, tmp_path, "past", "Past module", review_by=TODAY - dt.timedelta(days=10))
    release(session, tmp_path, "far", "Far module", review_by=TODAY + dt.timedelta(days=61))
    due = module_review.due_for_review(session, TODAY)
    assert [(d.module.slug, d.overdue) for d in due] == [("past", True), ("later", False)]
    sign_in(client, "site_admin@example.org")
    assert "/admin/modules/review" in client.get("/admin/").get_data(as_text=True)
    page = client.get("/admin/modules/review").get_data(as_text=True)
    assert page.index("Past module") < page.index("Later module") and "Far module" not in page
    assert "Overdue" in page and "Due soon" in page and page.count("Test team") == 2


def test_is_the_review_list_for_site_admins_only(client, session, people):
    sign_in(client, "organisation_admin@example.org")
    assert client.get("/admin/modules/review").status_code == 403
    assert "/admin/modules/review" not in client.get("/admin/").get_data(as_text=True)


def test_does_the_review_list_say_when_nothing_is_due(client, session, tmp_path, people):
    release(session, tmp_path, "tiny-module", "Tiny module")
    sign_in(client, "site_admin@example.org")
    assert "No module is due for review in the next 60 days" in client.get("/admin/modules/review").get_data(as_text=True)


# --- languages ---------------------------------------------------------------------------------------

def welsh(tmp_path, page_lang: dict[int, str], module_lang: str = ""):
    """The tiny module's bundle with a module language and page languages, hashed again as a build would."""
    source = write_notebook(tmp_path / "src" / "m.ipynb", "# Tudalen un\n\nTestun.", "# Page two\n\nText.", "# Assessment\n\nGo.", QUESTION)
    assert build([source], tmp_path / "out").built
    folder = tmp_path / "out" / "tiny-module"
    manifest, key = json.loads((folder / MANIFEST).read_text()), json.loads((folder / ANSWER_KEY).read_text())
    if module_lang:
        manifest["settings"]["lang"] = module_lang
    for number, lang in page_lang.items():
        manifest["pages"][number - 1]["lang"] = lang
    manifest["version"] = content_version({k: manifest[k] for k in CONTENT_KEYS}, key)
    (folder / MANIFEST).write_text(json.dumps(manifest))
    return tmp_path / "out"


def test_does_a_welsh_module_mark_its_content_and_leave_the_site_english(client, session, tmp_path, people):
    publish(session, welsh(tmp_path, {2: "en"}, module_lang="cy"))
    sign_in(client, "learner@example.org")
    first = client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert '<html lang="en-GB"' in first and '<div class="sl-lesson-content" lang="cy">' in first
    assert first.index('lang="cy"') < first.index("<h1") and "govuk-pagination" in first.split('lang="cy"')[1]
    second = client.get("/modules/tiny-module/pages/2").get_data(as_text=True)
    assert '<div class="sl-lesson-content" lang="en">' in second  # the page's own language wins
    assert 'lang="cy">Tiny module</h1>' in client.get("/modules/tiny-module").get_data(as_text=True)
    assert 'lang="cy"' in client.get("/modules/tiny-module/print").get_data(as_text=True)


def test_does_an_english_module_carry_no_lang_of_its_own(client, session, tmp_path, people):
    publish(session, welsh(tmp_path, {1: "cy"}))
    sign_in(client, "learner@example.org")
    assert '<div class="sl-lesson-content" lang="cy">' in client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert '<div class="sl-lesson-content">' in client.get("/modules/tiny-module/pages/2").get_data(as_text=True)
