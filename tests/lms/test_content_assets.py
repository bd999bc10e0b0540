"""Are module images served with the type their bytes say, nosniff and a sandbox, and is anything else sneaked into the database refused?"""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from authoring import build
from lms.models import Module, ModuleAsset
from lms.services.publishing import publish
from tests.builders import QUESTION, make_user, write_notebook
from tests.conftest import sign_in

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>'


@pytest.fixture
def version_id(session, tmp_path) -> int:
    """The tiny module with a PNG on its first page, published, and a signed-in learner's session ready."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "dot.png").write_bytes(PNG)
    source = write_notebook(tmp_path / "src" / "m.ipynb", "# Page\n\n![A grey dot](dot.png)", "# Assessment\n\nGo.", QUESTION)
    assert build([source], tmp_path / "out").built
    publish(session, tmp_path / "out")
    make_user(session, email="lee@example.org")
    session.commit()
    return session.scalar(select(Module)).current_version_id


def _sneak(session, version_id: int, name: str, media_type: str, data: bytes) -> str:
    """Write a row straight into the database, as someone with database access (or a past bug) could."""
    session.add(ModuleAsset(version_id=version_id, name=name, media_type=media_type, data=data))
    session.commit()
    return f"/content/{version_id}/assets/{name}"


def _assert_sandboxed(response, media_type: str) -> None:
    assert response.status_code == 200 and response.mimetype == media_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = [part.strip() for part in response.headers["Content-Security-Policy"].split(";")]
    assert "sandbox" in csp and "default-src 'none'" in csp and not any("script-src" in p for p in csp)


def test_is_a_published_image_served_with_its_type_nosniff_and_a_sandbox(client, session, version_id):
    sign_in(client, "lee@example.org")
    name = session.scalar(select(ModuleAsset.name))
    page = client.get("/modules/tiny-module/pages/1").get_data(as_text=True)
    assert f'src="/content/{version_id}/assets/{name}"' in page
    response = client.get(f"/content/{version_id}/assets/{name}")
    _assert_sandboxed(response, "image/png")
    assert response.data == PNG


def test_is_a_plain_svg_served_as_svg_inside_the_sandbox(client, session, version_id):
    sign_in(client, "lee@example.org")
    _assert_sandboxed(client.get(_sneak(session, version_id, "abc-plain.svg", "image/svg+xml", SVG)), "image/svg+xml")


@pytest.mark.parametrize(("name", "media_type", "data"), [
    ("abc-evil.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/admin")</script></svg>'),
    ("abc-page.png", "text/html", b"<html><script>alert(document.cookie)</script></html>"),
    ("abc-page.html", "image/png", b"<!doctype html><p>phishing form</p>"),
])
def test_is_a_non_image_sneaked_into_the_database_not_served(client, session, version_id, name, media_type, data):
    sign_in(client, "lee@example.org")
    response = client.get(_sneak(session, version_id, name, media_type, data))
    assert response.status_code == 404 and data not in response.data


def test_is_the_type_taken_from_the_bytes_not_the_stored_column(client, session, version_id):
    sign_in(client, "lee@example.org")
    _assert_sandboxed(client.get(_sneak(session, version_id, "abc-dot.html", "text/html", PNG)), "image/png")


def test_is_an_image_refused_to_someone_signed_out(client, session, version_id):
    name = session.scalar(select(ModuleAsset.name))
    assert client.get(f"/content/{version_id}/assets/{name}").status_code in (302, 401)
