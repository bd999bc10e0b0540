"""A double click, two tabs, a request retried after a timeout: however a pass arrives, it counts once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from lms.models import Attempt, Completion, ModuleVersion, User
from lms.services import completions
from tests.faults.live import add_learners

THREADS = 4


def _post_together(app, cookie: str, requests: list[tuple[str, str]]) -> list[tuple[int, str]]:
    """Send the requests at the same moment from separate threads, as separate browser connections would."""
    barrier = threading.Barrier(len(requests), timeout=10)

    def send(path_and_body: tuple[str, str]) -> tuple[int, str]:
        client = app.test_client()
        client.set_cookie("session", cookie.removeprefix("session="))
        barrier.wait()
        response = client.post(path_and_body[0], data=path_and_body[1], content_type="application/x-www-form-urlencoded",
                               headers={"User-Agent": "lms-fault-test/1"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
        return response.status_code, response.headers.get("Location", "")

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


def _completions(session, user_id: int) -> int:
    session.rollback()  # read afresh: the requests committed in their own threads
    return session.scalar(select(func.count(Completion.id)).where(Completion.user_id == user_id))


def test_do_simultaneous_clicks_on_submit_count_once(app, session, organisation):
    learner = add_learners(app, session, organisation, 1)[0]
    path = f"/attempts/{learner.attempt_id}"
    responses = _post_together(app, learner.cookie, [(path, learner.passing_form)] * THREADS)
    assert responses == [(302, f"{path}/result")] * THREADS  # every click lands on the one result
    assert _completions(session, learner.user_id) == 1


def test_does_a_request_retried_after_a_timeout_count_once(app, session, organisation):
    learner = add_learners(app, session, organisation, 1)[0]
    client = app.test_client()
    client.set_cookie("session", learner.cookie.removeprefix("session="))
    path = f"/attempts/{learner.attempt_id}"
    environ = {"REMOTE_ADDR": "127.0.0.1"}
    first = client.post(path, data=learner.passing_form, content_type="application/x-www-form-urlencoded",
                        headers={"User-Agent": "lms-fault-test/1"}, environ_base=environ)
    # The learner never saw that answer (their connection timed out) and the browser sends the form again.
    retry = client.post(path, data=learner.passing_form, content_type="application/x-www-form-urlencoded",
                        headers={"User-Agent": "lms-fault-test/1"}, environ_base=environ)
    assert first.status_code == retry.status_code == 302
    assert retry.headers["Location"] == first.headers["Location"] == f"{path}/result"
    result = client.get(f"{path}/result", headers={"User-Agent": "lms-fault-test/1"}, environ_base=environ).get_data(as_text=True)
    assert "You passed" in result
    assert _completions(session, learner.user_id) == 1


def test_do_two_tabs_passing_at_the_same_moment_count_once(app, session, organisation):
    learner = add_learners(app, session, organisation, 1)[0]
    version = session.get(ModuleVersion, session.get(Attempt, learner.attempt_id).version_id)
    second_tab = completions.start_attempt(session, session.get(User, learner.user_id), version)  # the same module opened again
    assert second_tab.id == learner.attempt_id, "a second tab gets the open attempt, not a second draw"
    responses = _post_together(app, learner.cookie, [(f"/attempts/{learner.attempt_id}", learner.passing_form),
                                                     (f"/attempts/{second_tab.id}", learner.passing_form)])
    assert [status for status, _location in responses] == [302, 302]
    assert _completions(session, learner.user_id) == 1
    session.expire_all()
    marked = session.scalars(select(Attempt).where(Attempt.user_id == learner.user_id)).all()
    assert len(marked) == 1 and marked[0].submitted_at is not None and marked[0].passed  # both tabs see the one mark


def test_do_many_learners_passing_at_once_each_count_once(app, session, organisation):
    learners = add_learners(app, session, organisation, 12)

    def submit(learner) -> int:
        client = app.test_client()
        client.set_cookie("session", learner.cookie.removeprefix("session="))
        return client.post(f"/attempts/{learner.attempt_id}", data=learner.passing_form, content_type="application/x-www-form-urlencoded",
                           headers={"User-Agent": "lms-fault-test/1"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code

    with ThreadPoolExecutor(THREADS) as pool:
        assert list(pool.map(submit, learners)) == [302] * len(learners)
    session.rollback()
    per_learner = dict(session.execute(select(Completion.user_id, func.count(Completion.id)).group_by(Completion.user_id)).all())
    assert per_learner == {learner.user_id: 1 for learner in learners}
