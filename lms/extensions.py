"""Flask extensions created once and bound to each app in create_app."""

from __future__ import annotations

from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from lms.db import db
from lms.models import Organisation, User

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"

# Built once: SQLAlchemy then reuses its cache key and compiled SQL on every request.
_USER_WITH_PLACE = (select(User).options(joinedload(User.organisation).joinedload(Organisation.partnership))
                    .where(User.id == bindparam("user_id")))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # The organisation and partnership come in the same query: lesson pages fill placeholders from them.
    return db.session.scalars(_USER_WITH_PLACE, {"user_id": int(user_id)}).unique().first() if user_id.isdigit() else None
