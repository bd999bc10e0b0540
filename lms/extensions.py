"""Flask extensions created once and bound to each app in create_app."""

from __future__ import annotations

from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from lms.db import db
from lms.models import Organisation, User

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"

# Built once: SQLAlchemy then reuses its cache key and compiled SQL on every request. The organisation and
# partnership come from plain inner joins (every user has both), cheaper than joinedload's aliased outer joins.
_USER_WITH_PLACE = (select(User).join(User.organisation).join(Organisation.partnership)
                    .options(contains_eager(User.organisation).contains_eager(Organisation.partnership))
                    .where(User.id == bindparam("user_id")))


def parse_session_id(value: str) -> tuple[int, int] | None:
    """(user id, session generation) from what a session cookie carries ("12:3"), or None if malformed."""
    user_id, _, generation = value.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and generation.isascii() and generation.isdigit()) or len(value) > 40:
        return None
    return int(user_id), int(generation)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in person, if the cookie's session generation is still theirs.

    Signing out, a password reset, deactivation or a role change raise the generation in the database,
    so every older session cookie, on any server, loads nobody. The organisation and partnership come
    in the same query: lesson pages fill placeholders from them. Read on every request, so a
    deactivated account is refused at once (Flask-Login checks is_active only at sign-in).
    """
    parsed = parse_session_id(session_id)
    if parsed is None:
        return None
    user = db.session.scalars(_USER_WITH_PLACE, {"user_id": parsed[0]}).first()
    return user if user is not None and user.active and user.session_generation == parsed[1] else None
