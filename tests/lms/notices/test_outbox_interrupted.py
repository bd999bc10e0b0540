"""Is a notice whose worker was killed mid-send left for a site admin, never sent again by itself?"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

from sqlalchemy import select

from lms.models import Notice, utcnow
from lms.services.notices.attention import needing_attention, outbox_counts, send_again
from lms.services.notices.outbox import CLAIM_FOR, deliver_due
from tests.conftest import ROOT
from tests.lms.notices.outbox_builders import draft, learners, written

WORKER = """
import json, sys
from lms import create_app
from lms.db import db
from lms.services.notices.outbox import deliver_due
app = create_app({"TESTING": True, "DATABASE_URL": sys.argv[1], "SECRET_KEY": "test-secret", **json.loads(sys.argv[2])})
with app.app_context():
    deliver_due(db.session)
"""


def _worker(app, smtp_server, tmp_path) -> subprocess.Popen:
    """`deliver_due` in a process of its own, as the job queue's consumer runs it."""
    env = {**os.environ, "LMS_INSTANCE_PATH": str(tmp_path / "worker-instance")}
    return subprocess.Popen([sys.executable, "-c", WORKER, app.config["DATABASE_URL"], json.dumps(smtp_server.mail_config)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_mid_send(app, smtp_server, tmp_path) -> None:
    """Start a worker, let its message reach the server, and kill it before the server answers."""
    smtp_server.hold_replies()
    worker = _worker(app, smtp_server, tmp_path)
    try:
        assert smtp_server.wait_for(1), "the worker's message never reached the server"
    finally:
        worker.kill()
        worker.wait()
    smtp_server.release()


def test_is_a_notice_whose_worker_was_killed_mid_send_interrupted_not_sent_again(app, session, smtp_server, tmp_path):
    [amal] = learners(session, 1)
    written(session, [draft(amal)])
    _kill_mid_send(app, smtp_server, tmp_path)
    session.expire_all()
    assert session.scalar(select(Notice.status)) == "sending"

    assert deliver_due(session, settings=smtp_server.mail_config).interrupted == 0, "its claim has not run out: it may still be going"
    later = utcnow() + CLAIM_FOR + dt.timedelta(minutes=1)
    report = deliver_due(session, now=later, settings=smtp_server.mail_config)
    assert (report.interrupted, report.sent) == (1, 0)
    assert deliver_due(session, now=later + dt.timedelta(days=7), settings=smtp_server.mail_config).sent == 0
    assert len(smtp_server.messages) == 1, "whatever happened to it, it was not sent a second time by itself"
    [notice] = needing_attention(session)
    assert (notice.status, notice.attempts) == ("interrupted", 1)
    assert "whether it was sent is not known" in notice.last_error
    assert outbox_counts(session)["interrupted"] == 1


def test_does_send_again_on_an_interrupted_notice_send_it_with_the_same_message_id(app, session, smtp_server, tmp_path):
    [amal] = learners(session, 1)
    written(session, [draft(amal)])
    _kill_mid_send(app, smtp_server, tmp_path)
    deliver_due(session, now=utcnow() + CLAIM_FOR + dt.timedelta(minutes=1), settings=smtp_server.mail_config)
    [notice] = needing_attention(session)
    assert send_again(session, notice.id, actor_id=None) is not None
    assert deliver_due(session, settings=smtp_server.mail_config).sent == 1
    first, second = smtp_server.messages
    assert first.message_id == second.message_id == f"<notice-{notice.id}@safer-learning.test>", "a mail client can see the copy for what it is"



def test_is_a_notice_the_server_never_answered_for_interrupted_not_retried(session, smtp_server):
    """The message reached the server but its answer never came back: it may have gone, so it is not tried again."""
    [amal] = learners(session, 1)
    written(session, [draft(amal)])
    smtp_server.hold_replies()
    report = deliver_due(session, settings={**smtp_server.mail_config, "MAIL_TIMEOUT": 1})
    smtp_server.release()
    assert (report.interrupted, report.retrying, report.sent) == (1, 0, 0)
    [notice] = needing_attention(session)
    assert notice.last_error.startswith("no answer from the mail server after the message was sent")
    assert deliver_due(session, now=utcnow() + dt.timedelta(days=2), settings=smtp_server.mail_config).sent == 0
    assert len(smtp_server.messages) == 1
