"""From the admin's click to the learners' inboxes: a new assignment queues its "assigned to you" notices,
and a real worker plans and sends them to a real SMTP server."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.models import Notice, Role, utcnow
from tests.builders import date_boxes, make_organisation, make_partnership, make_user
from tests.conftest import csrf_token
from tests.lms.jobs.worker_process import eventually, running_worker
from tests.lms.reporting_builders import make_module, signed_in


def _sent(session) -> int:
    session.rollback()  # a fresh look at what the worker has committed
    return session.scalar(select(func.count(Notice.id)).where(Notice.status == "sent"))


def test_does_a_new_assignment_reach_its_learners_through_the_worker(app, session, queue, smtp_server):
    organisation = make_organisation(session, make_partnership(session, "Safer Testville"), "Testville Council")
    admin = make_user(session, organisation, Role.ORG_ADMIN, email="admin@testville.example")
    admin.email_confirmed_at = utcnow()
    learners = [make_user(session, organisation, email=f"learner{n}@testville.example") for n in range(3)]
    everyone = [admin, *learners]  # "everyone in the organisation" includes its admin
    module = make_module(session, "Safeguarding adults")
    session.commit()
    client = signed_in(app, admin.email)
    path = f"/admin/organisations/{organisation.id}/assignments/new"
    form = {"csrf_token": csrf_token(client.get(path).get_data(as_text=True)), "module": str(module.id), "department": "",
            **date_boxes("due_on", "2099-06-30"), "mandatory": "y"}
    assert client.post(path, data=form).status_code == 302
    assert _sent(session) == 0  # the request only queued the job
    with running_worker(app) as worker:
        eventually(lambda: len(smtp_server.messages) >= len(everyone) and _sent(session) >= len(everyone), "the notices", worker)
        assert worker.stop() == 0
    assert sorted(r for m in smtp_server.messages for r in m.recipients) == sorted(p.email for p in everyone)
    assert all("Safeguarding adults" in message.subject for message in smtp_server.messages)
    assert "Executing lms.jobs.tasks.plan_assignment" in worker.text()
