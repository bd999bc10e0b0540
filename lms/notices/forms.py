"""The notification settings form: how reminders arrive, and the optional emails a person may switch off."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField

from lms.admin.people_forms import ChosenFrom
from lms.services.notices.preferences import REMINDER_CHOICES

REMINDER_LABELS = {"each": "Each reminder as it falls due", "weekly": "One weekly email on Mondays"}
REMINDER_HINTS = {"each": "For example, when a module is assigned to you, 14 and 3 days before it is due, and if it is overdue",
                  "weekly": "Everything from the past week in one email"}


class NotificationSettingsForm(FlaskForm):
    """What a person chooses on /account/notifications; switches for emails their role does not get are removed."""

    reminders = RadioField("How do you want reminders about your training?", validate_choice=False,
                           choices=[(value, REMINDER_LABELS[value]) for value in REMINDER_CHOICES],
                           validators=[ChosenFrom("Select how you want reminders about your training")])
    optional_reminders = BooleanField("Reminders about optional modules")
    admin_digest = BooleanField("Weekly compliance summary for my organisation")
    quarterly_figures = BooleanField("Quarterly figures for my partnership")


class UnsubscribeForm(FlaskForm):
    """Only the CSRF token: the link's own token says who and what."""
