"""What each person chose about notices, and signed unsubscribe links that need no sign-in.

An unsubscribe link is the project's emailed-link token (lms.services.password_reset: itsdangerous, the
app's SECRET_KEY, one salt per kind of link) holding the person's public_id and the switch it turns off.
Each switch has its own salt as well as its name in the token, so a link for one switch can never be
replayed for another. A link only ever turns a switch off, so it needs no sign-in and may be used again.

Links work for a year (MAX_AGE_SECONDS): people keep emails and act on an old digest or a quarterly
message months later, and the worst a forwarded link can do is switch off an optional email its owner
can switch back on. A year still bounds a link that leaks; after that the page sends people to their
notification settings. Changing SECRET_KEY ends every link at once, as it does every other emailed link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import NoticePreference, User
from lms.services.audit import record_event
from lms.services.notices.links import site_link
from lms.services.password_reset import LinkKind, ResetLinkError, make_token, user_for_token

# The switches a one-click unsubscribe link may turn off. Mandatory training reminders are not among them.
UNSUBSCRIBABLE = ("optional_reminders", "admin_digest", "quarterly_figures")
REMINDER_CHOICES = ("each", "weekly")  # each reminder as it falls due, or one digest on Mondays
MAX_AGE_SECONDS = 365 * 24 * 60 * 60
CHOICES = ("reminders", *UNSUBSCRIBABLE)
DEFAULTS = {name: NoticePreference.__table__.c[name].default.arg for name in CHOICES}  # the model's column defaults
IDS_PER_QUERY = 30_000  # below SQLite's limit of 32,766 bound values in one statement


def _switch_is(switch: str) -> Callable[[User], str]:
    return lambda user: switch


UNSUBSCRIBE_PATH = "/unsubscribe/"  # its token is a secret: lms/log_redaction.py keeps it out of request logs
LINKS = {switch: LinkKind(UNSUBSCRIBE_PATH, f"notice-unsubscribe:{switch}", MAX_AGE_SECONDS, _switch_is(switch))
         for switch in UNSUBSCRIBABLE}


class UnknownSwitch(ValueError):
    """Not a switch an unsubscribe link may turn off (mandatory reminders never are)."""


@dataclass(frozen=True)
class Unsubscribed:
    """What a link turned off, for whom, and whether it was on until now (False: a repeat)."""

    user: User
    switch: str
    changed: bool


def preferences_for(session: Session, user_ids: list[int]) -> dict[int, NoticePreference]:
    """Each person's preferences; people without a row get an unsaved row holding the defaults."""
    ids, saved = list(dict.fromkeys(user_ids)), {}
    for start in range(0, len(ids), IDS_PER_QUERY):  # one query, unless asked about more people than one can name
        chunk = ids[start:start + IDS_PER_QUERY]
        saved.update((row.user_id, row) for row in session.scalars(select(NoticePreference).where(NoticePreference.user_id.in_(chunk))))
    return {user_id: saved.get(user_id) or NoticePreference(user_id=user_id, **DEFAULTS) for user_id in ids}


def save_preferences(session: Session, user: User, reminders: str, optional_reminders: bool, admin_digest: bool,
                     quarterly_figures: bool) -> NoticePreference:
    """Store what a person chose on the settings page, with an audit event saying what changed."""
    if reminders not in REMINDER_CHOICES:
        raise ValueError(f"reminders must be one of {', '.join(REMINDER_CHOICES)}, not {reminders!r}")
    chosen = {"reminders": reminders, "optional_reminders": bool(optional_reminders), "admin_digest": bool(admin_digest),
              "quarterly_figures": bool(quarterly_figures)}
    return _once_more_if_raced(lambda: _save(session, user, chosen))


def _save(session: Session, user: User, chosen: dict) -> NoticePreference:
    with write_transaction(session):
        row = _row_for_update(session, user.id)
        changed = {name: value for name, value in chosen.items() if getattr(row, name) != value}
        for name, value in chosen.items():
            setattr(row, name, value)
        if changed:
            record_event(session, "user.notice_preferences_changed", f"user:{user.public_id}", user.id, **changed)
    return row


def _row_for_update(session: Session, user_id: int) -> NoticePreference:
    """The person's saved row, locked, or a new one holding the defaults, added to the session."""
    row = session.scalar(select(NoticePreference).where(NoticePreference.user_id == user_id).with_for_update())
    if row is None:
        row = NoticePreference(user_id=user_id, **DEFAULTS)
        session.add(row)
    return row


def _once_more_if_raced(work):
    """Run a change again if another request wrote the person's first row between our read and our insert."""
    try:
        return work()
    except IntegrityError:
        return work()


def _link(switch: str) -> LinkKind:
    if switch not in LINKS:
        raise UnknownSwitch(f"{switch!r} cannot be unsubscribed from by a link; it is not one of {', '.join(UNSUBSCRIBABLE)}")
    return LINKS[switch]


def unsubscribe_token(user: User, switch: str, secret_key: str) -> str:
    """The signed part of an unsubscribe link: this person, this switch."""
    return make_token(user, secret_key, _link(switch))


def unsubscribe_url(user: User, switch: str) -> str:
    """An absolute link (SITE_URL) that turns `switch` off for `user` after one button press; needs an app context."""
    token = unsubscribe_token(user, switch, current_app.config["SECRET_KEY"])
    return site_link("notices.unsubscribe", unsubscribe_token=token)


def read_token(session: Session, token: str, secret_key: str | None = None) -> tuple[User, str]:
    """(person, switch) an unsubscribe link is for, or ResetLinkError (expired, tampered, or its person gone)."""
    secret_key, expired = secret_key or current_app.config["SECRET_KEY"], False
    for switch, kind in LINKS.items():
        try:
            return user_for_token(session, token, secret_key, kind), switch
        except ResetLinkError as error:
            expired = expired or error.expired
    raise ResetLinkError(expired=expired)


def unsubscribe(session: Session, token: str, secret_key: str | None = None) -> Unsubscribed:
    """Turn off the switch a link names; using it again changes nothing and says so. ResetLinkError if the
    link is expired or not one of ours."""
    return _once_more_if_raced(lambda: _unsubscribe(session, token, secret_key))


def _unsubscribe(session: Session, token: str, secret_key: str | None) -> Unsubscribed:
    with write_transaction(session):
        user, switch = read_token(session, token, secret_key)
        row = _row_for_update(session, user.id)
        changed = getattr(row, switch) is not False
        if changed:
            setattr(row, switch, False)
            record_event(session, "user.notice_unsubscribed", f"user:{user.public_id}", user.id, switch=switch)
    return Unsubscribed(user, switch, changed)
