"""Removing sign-in throttling rows that hold nothing any more (lms.services.throttling.purge_expired)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from lms.db import write_transaction
from lms.models import SignInThrottle
from lms.services import throttling

NOW = dt.datetime(2026, 12, 4, 3, 15)
MINUTES = dt.timedelta(minutes=1)


def _rows(session, rows: dict[str, tuple[dt.timedelta, dt.timedelta | None]]) -> None:
    """Rows by key: (how long ago the window started, how long ago the lock ended; negative: still locked)."""
    with write_transaction(session):
        session.add_all([SignInThrottle(key=key, failures=3, window_started_at=NOW - started,
                                        locked_until=None if ended is None else NOW - ended) for key, (started, ended) in rows.items()])


def _keys(session) -> set[str]:
    session.rollback()
    return set(session.scalars(select(SignInThrottle.key)))


def test_are_only_rows_whose_window_and_lock_are_both_over_removed(session):
    _rows(session, {
        "email:counting@example.org": (5 * MINUTES, None),  # failures in the current window still count
        "email:old@example.org": (16 * MINUTES, None),  # window over, never locked: holds nothing
        "email:locked@example.org": (60 * MINUTES, -2 * MINUTES),  # still waiting out its lock
        "email:just-served@example.org": (60 * MINUTES, 5 * MINUTES),  # the next failure would wait twice as long
        "address:203.0.113.9": (60 * MINUTES, 20 * MINUTES),  # lock ended long ago: holds nothing
        "certificate:ABCD-EFGH": (15 * MINUTES, 15 * MINUTES),  # exactly a window on both counts: over
    })
    assert throttling.purge_expired(session, NOW) == 3
    assert _keys(session) == {"email:counting@example.org", "email:locked@example.org", "email:just-served@example.org"}


def test_does_purging_change_what_a_later_sign_in_waits(session):
    """A purged address behaves as it would have kept: its next failures start a fresh count."""
    _rows(session, {"email:old@example.org": (16 * MINUTES, 20 * MINUTES)})
    throttling.purge_expired(session, NOW)
    with write_transaction(session):
        for _ in range(throttling.EMAIL_LIMIT - 1):
            throttling.record_failure(session, "old@example.org", None, NOW)
    assert throttling.locked_rows(session, [throttling.email_key("old@example.org")], NOW) == []


def test_is_an_empty_table_purged_without_complaint(session):
    assert throttling.purge_expired(session, NOW) == 0
    assert _keys(session) == set()
