"""What each notice says: its subject line, its plain-text and HTML parts, and its links.

Every link is absolute from SITE_URL, as the site's other emails build them, so a message planned by the
worker (an app context, no request, usually no SERVER_NAME) links to the same pages a request would.
Optional notices and digests carry an unsubscribe link; mandatory ones say why they cannot be switched off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app, render_template

from lms.mail import Message
from lms.models import Module, Organisation, User
from lms.services.notices.links import site_link
from lms.services.periods import govuk_date, quarter_key, quarter_label, quarter_months, uk_date
from lms.services.reports import Headline, Table

SETTINGS_ENDPOINT = "notices.settings"  # the notification settings page, /account/notifications
LEARNER_KINDS = ("assigned", "due-14", "due-3", "overdue", "refresher-60", "refresher-overdue")


@dataclass(frozen=True)
class Reminder:
    """One learner reminder about one module, with what its words need."""

    kind: str
    module: Module
    organisation: Organisation
    mandatory: bool
    due_on: dt.date | None = None
    expires: dt.datetime | None = None


def _message(kind: str, to: str, subject: str, **context: object) -> Message:
    """Both parts of a notice from its kind's two templates, with what every notice shows."""
    context = {"site_name": current_app.config["SITE_NAME"], "settings_url": site_link(SETTINGS_ENDPOINT),
               "unsubscribe_url": "", "unsubscribe_text": "Stop getting these emails", "mandatory": False, "weekly": False,
               "subject": subject,
               **context}
    return Message(to, subject, render_template(f"notices/{kind}.txt", **context), html=render_template(f"notices/{kind}.html", **context))


def days_text(days: int) -> str:
    """'today', 'tomorrow' or 'in 12 days'."""
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def reminder_subject(reminder: Reminder, today: dt.date) -> str:
    """The plain subject line, e.g. 'Reminder: Domestic abuse awareness is due in 14 days'."""
    title = reminder.module.title
    if reminder.kind == "assigned":
        return f"You have been asked to complete {title}"
    if reminder.kind in ("due-14", "due-3"):
        return f"Reminder: {title} is due {days_text((reminder.due_on - today).days)}"
    if reminder.kind == "overdue":
        return f"{title} is overdue"
    if reminder.kind == "refresher-60":
        return f"Reminder: your {title} training needs a refresher by {govuk_date(uk_date(reminder.expires))}"
    return f"Your {title} training has run out: take the refresher"


def training_text(mandatory: bool, minutes: int | None) -> str:
    """'It is mandatory training for your role. It takes about 20 minutes.'"""
    kind = "mandatory training for your role" if mandatory else "optional training"
    return f"It is {kind}." + (f" It takes about {minutes} minutes." if minutes else "")


def learner_reminder(user: User, reminder: Reminder, today: dt.date, unsubscribe_url: str = "") -> Message:
    """An 'assigned', 'due', 'overdue' or refresher reminder about one module."""
    if reminder.kind not in LEARNER_KINDS:
        raise ValueError(f"{reminder.kind!r} is not a learner reminder: it must be one of {', '.join(LEARNER_KINDS)}")
    due = govuk_date(reminder.due_on) if reminder.due_on else ""
    expires = govuk_date(uk_date(reminder.expires)) if reminder.expires else ""
    days = (reminder.due_on - today).days if reminder.due_on else None
    version = reminder.module.current_version
    return _message(reminder.kind, user.email, reminder_subject(reminder, today), user=user, reminder=reminder,
                    module=reminder.module, organisation=reminder.organisation, partnership_name=reminder.organisation.partnership.name,
                    due=due, expires=expires, when=days_text(days) if days is not None and days >= 0 else "",
                    training=training_text(reminder.mandatory, version.estimated_minutes if version else None),
                    link=site_link("learn.module", slug=reminder.module.slug), mandatory=reminder.mandatory,
                    unsubscribe_url="" if reminder.mandatory else unsubscribe_url,
                    unsubscribe_text="Stop reminders about optional training")


@dataclass(frozen=True)
class DigestLine:
    """One module in a learner's weekly digest: where they stand with it now."""

    module: Module
    state: str  # e.g. "due in 14 days, by 18 December 2026", "overdue, was due by 1 April 2027"
    mandatory: bool
    link: str


def week_start(today: dt.date) -> dt.date:
    """The Monday of the week `today` is in."""
    return today - dt.timedelta(days=today.weekday())


def learner_digest(user: User, organisation: Organisation, lines: list[DigestLine], today: dt.date, unsubscribe_url: str,
                   weekly: bool = True) -> Message:
    """The Monday email for people who chose one a week: every mandatory module they still have to do, and the
    optional ones reminded about that week. `weekly` is their choice now (the footer offers only what applies)."""
    subject = f"Your training reminders for the week of {govuk_date(week_start(today))}"
    return _message("learner-digest", user.email, subject, user=user, organisation=organisation,
                    required=[line for line in lines if line.mandatory], optional=[line for line in lines if not line.mandatory],
                    partnership_name=organisation.partnership.name, mandatory=any(line.mandatory for line in lines),
                    unsubscribe_url=unsubscribe_url, unsubscribe_text="Stop reminders about optional training",
                    weekly=weekly, link=site_link("learn.my_training"))


def organisation_digest(admin: User, organisation: Organisation, table: Table, overdue: list[int], today: dt.date,
                        unsubscribe_url: str) -> Message:
    """An organisation admin's weekly compliance figures: the compliance report's own table, with how many of each
    row's "never" people are past the due date (`overdue`, one per row), and a link to the report."""
    subject = f"{organisation.name}: training compliance for the week of {govuk_date(week_start(today))}"
    rows = [dict(zip(table.columns, row, strict=True), Overdue=late) for row, late in zip(table.rows, overdue, strict=True)]
    totals = {name: sum(row[name] for row in rows) for name in ("People", "In date", "Due", "Expired", "Never", "Overdue")}
    return _message("org-digest", admin.email, subject, user=admin, organisation=organisation, rows=rows, totals=totals,
                    partnership_name=organisation.partnership.name, unsubscribe_url=unsubscribe_url,
                    govuk_date=govuk_date, link=site_link("reports.breakdown", breakdown="compliance"))


def quarter_figures(lead: User, partnership_name: str, code: int, headline: Headline, organisations: int,
                    unsubscribe_url: str, today: dt.date) -> Message:
    """A partnership lead's 'your figures are ready' after a financial quarter ends: totals only, no one named,
    as of `today` (records added late still change them)."""
    label = quarter_label(code)
    return _message("quarter-figures", lead.email, f"Your training figures for {label} are ready", user=lead, label=label,
                    months=quarter_months(code), as_of=govuk_date(today), headline=headline, organisations=organisations,
                    partnership_name=partnership_name, unsubscribe_url=unsubscribe_url,
                    link=site_link("reports.dashboard", period=quarter_key(code)))


@dataclass(frozen=True)
class ImportCounts:
    created: int
    unchanged: int
    skipped: int


def import_finished(admin: User, organisation: Organisation, counts: ImportCounts) -> Message:
    """Tells the admin who imported a CSV file what it did, with a link to the organisation's people."""
    return _message("import-finished", admin.email, f"Your import of people into {organisation.name} has finished", user=admin,
                    organisation=organisation, counts=counts, partnership_name=organisation.partnership.name,
                    link=site_link("admin.people", organisation_id=organisation.id))
