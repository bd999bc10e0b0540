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


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # The organisation and partnership come in the same query: lesson pages fill placeholders from them.
    # Read on every request, so a deactivated account is refused at once (Flask-Login checks is_active).
    return db.session.scalars(_USER_WITH_PLACE, {"user_id": int(user_id)}).first() if user_id.isdigit() else None
