"""Which queue an installation uses, and `soon`, which queues a job from a request and never fails it."""

from __future__ import annotations

import logging
from pathlib import Path

from huey import RedisHuey, SqliteHuey

from lms import create_app
from lms.jobs import build_jobs, jobs_for, soon
from lms.jobs.queue import QUEUE_FILE, queue_name


def test_does_the_default_install_keep_its_queue_in_the_instance_folder(app):
    huey = jobs_for(app).huey
    assert isinstance(huey, SqliteHuey)
    assert Path(huey.storage.filename) == Path(app.instance_path) / QUEUE_FILE


def test_does_setting_a_redis_url_put_the_queue_on_redis(app, redis_url):
    app.config.update(REDIS_URL=redis_url, JOBS_QUEUE="site-a")
    huey = build_jobs(app).huey
    assert isinstance(huey, RedisHuey)
    assert huey.storage.queue_key == "huey.redis.site_a"


def test_do_two_installations_on_one_redis_use_different_queues():
    a = queue_name({"SITE_URL": "https://learning.north.example"}, "/srv/a")
    b = queue_name({"SITE_URL": "https://learning.south.example"}, "/srv/b")
    assert a != b
    assert queue_name({"SITE_URL": "https://learning.north.example"}, "/srv/other-server") == a  # one site, several servers


def test_can_a_test_never_wake_a_real_installations_worker():
    real = queue_name({"SITE_URL": "http://127.0.0.1:5000"}, "/work/instance")
    testing = queue_name({"SITE_URL": "http://127.0.0.1:5000", "TESTING": True}, "/srv/test-1/instance")
    assert testing != real
    assert testing != queue_name({"SITE_URL": "http://127.0.0.1:5000", "TESTING": True}, "/srv/test-2/instance")


def test_does_soon_queue_the_job_for_a_worker_rather_than_run_it(app):
    with app.test_request_context():
        assert soon("purge_throttling") is True
        assert soon("plan_assignment", 42) is True
    pending = jobs_for(app).huey.pending()
    assert [(type(task).__name__, task.args) for task in pending] == [("purge_throttling", ()), ("plan_assignment", (42,))]


def test_does_soon_only_log_when_redis_cannot_be_reached(app, caplog, tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "down"))
    down = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "test-secret",
                       "REDIS_URL": "redis://127.0.0.1:1/0"})
    with down.test_request_context(), caplog.at_level(logging.WARNING, logger="lms.jobs"):
        assert soon("deliver_notices") is False
    assert "could not queue the job deliver_notices" in caplog.text
    assert "periodic jobs will catch up" in caplog.text


def test_is_an_unknown_job_logged_not_raised(app, caplog):
    with app.test_request_context(), caplog.at_level(logging.WARNING, logger="lms.jobs"):
        assert soon("send_everything_twice") is False
    assert "send_everything_twice" in caplog.text
