"""What each person chose about notices, and signed unsubscribe links that need no sign-in."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lms.models import NoticePreference, User

# The switches a one-click unsubscribe link may turn off. Mandatory training reminders are not among them.
UNSUBSCRIBABLE = ("optional_reminders", "admin_digest", "quarterly_figures")


def preferences_for(session: Session, user_ids: list[int]) -> dict[int, NoticePreference]:
    """Each person's preferences; people without a row get an unsaved row holding the defaults."""
    raise NotImplementedError  # owner: preferences helper


def unsubscribe_url(user: User, switch: str) -> str:
    """An absolute link (SITE_URL) that turns `switch` off for `user` after one button press; needs an app context."""
    raise NotImplementedError  # owner: preferences helper
