"""The load balancer's health check: 200 only while the database answers with a schema this code can use."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lms import create_app, health, migrate
from lms.db import db


def _set_revision(revision: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision})


def health_with_schema_at(app, client, revision: str):
    """/healthz's answer while the database says it is at `revision` (put back to this code's head after)."""
    head = migrate.head_revision()
    with app.app_context():
        _set_revision(revision)
        try:
            return client.get("/healthz")
        finally:
            _set_revision(head)


def test_does_a_healthy_server_answer_ok_without_a_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "schema": "current"}
    assert "Set-Cookie" not in response.headers
    assert client.head("/healthz").status_code == 200


def test_is_a_server_whose_schema_is_behind_taken_out_of_service(app, client):
    response = health_with_schema_at(app, client, "0001")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "ok", "schema": "behind"}


def test_does_an_old_server_stay_in_service_after_the_schema_was_expanded(app, client):
    """During a rolling deployment the next release's migration runs first; old servers must keep serving."""
    response = health_with_schema_at(app, client, "0999")
    assert response.status_code == 200
    assert response.get_json()["schema"] == "newer"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("revision", ["ae1027a6acf", "0001_branch", "0000"])
def test_is_a_database_with_a_revision_that_is_not_ours_out_of_service(app, client, revision):
    """Another project's database behind a wrong LMS_DATABASE_URL, or a branch's: not 'newer'."""
    response = health_with_schema_at(app, client, revision)
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "ok", "schema": "unknown"}


def test_is_a_server_that_cannot_read_its_migration_scripts_a_503_not_a_500(client, monkeypatch):
    def broken() -> None:
        raise RuntimeError("two heads")
    monkeypatch.setattr(health, "_known_revisions", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "ok", "schema": "unreadable"}


def test_is_an_unreachable_database_a_503_that_says_nothing_more(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "DATABASE_URL": "postgresql+psycopg://nobody:secret-pw@127.0.0.1:9/none?connect_timeout=2",
                      "SECRET_KEY": "test-secret"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert "secret-pw" not in response.get_data(as_text=True)
    assert "the database did not answer" in caplog.text
