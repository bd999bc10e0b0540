"""Administration forms, validated on the server with errors tied to their fields.

Every validator carries its own message naming the field: WTForms' defaults ("This field is required.",
"Not a valid choice.", "Field cannot be longer than 200 characters.") must never reach a person.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from lms.admin.people_forms import ChosenFrom
from lms.models import OrganisationType, utcnow
from lms.parsing import DATE_HINT, DateInputField
from lms.services.periods import uk_date


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def at_most(label: str, characters: int) -> Length:
    """A length limit whose message names the field: "Venue must be 200 characters or fewer"."""
    return Length(max=characters, message=f"{label} must be {characters} characters or fewer")


def today_or_later(name: str):
    """A validator for dates that only make sense ahead: a join code's last day, an assignment's due date."""
    def check(_form, field) -> None:
        if field.data is not None and field.data < uk_date(utcnow()):
            raise ValidationError(f"{name} must be today or in the future")
    return check


def choice(label: str, missing: str, *, required: bool = True, **kwargs) -> SelectField:
    """A select refusing anything not offered with `missing` (a person sees it only if the page was tampered with)."""
    validators = [DataRequired(missing)] if required else []
    return SelectField(label, choices=kwargs.pop("choices", []), validate_choice=False,
                       validators=[*validators, ChosenFrom(missing)], **kwargs)


TYPE_CHOICES = [(t.value, t.label) for t in OrganisationType]


class PartnershipForm(FlaskForm):
    name = StringField("Partnership name", filters=[_strip],
                       validators=[DataRequired("Enter the partnership's name"), at_most("Partnership name", 200)])


class OrganisationForm(FlaskForm):
    name = StringField("Organisation name", filters=[_strip],
                       validators=[DataRequired("Enter the organisation's name"), at_most("Organisation name", 200)])
    type = choice("Type of organisation", "Choose the type of organisation", choices=TYPE_CHOICES)


class NewOrganisationForm(OrganisationForm):
    partnership = choice("Partnership", "Choose the partnership")


class DepartmentForm(FlaskForm):
    name = StringField("Department name", filters=[_strip],
                       validators=[DataRequired("Enter the department's name"), at_most("Department name", 200)])


class JoinCodeForm(FlaskForm):
    code = StringField("Join code (optional)", filters=[_strip], validators=[at_most("Join code", 32)],
                       description="Leave empty to have one made up, or enter one like YORK-STAFF-2026")
    expires_on = DateInputField("Expiry date (optional)", name_in_errors="Expiry date", validators=[today_or_later("Expiry date")],
                                description=f"The last day the code can be used. {DATE_HINT}")
    department = choice("Department people join (optional)", "Choose a department from the list", required=False)


class DomainForm(FlaskForm):
    domain = StringField("Email domain", filters=[_strip], validators=[DataRequired("Enter the email domain"), at_most("Email domain", 253)],
                         description="The part after the @, like york.gov.uk")


ASSIGNMENT_EMAILS_HINT = "Everyone it applies to gets an email when you save it, and reminders before the due date"


class AssignmentForm(FlaskForm):
    module = choice("Module", "Choose a module")
    department = choice("Who must complete it", "Choose who must complete it from the list", required=False,
                        description=ASSIGNMENT_EMAILS_HINT)
    due_on = DateInputField("Due date (optional)", name_in_errors="Due date", validators=[today_or_later("Due date")])
    mandatory = BooleanField("Mandatory training", default=True)


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to import")],
                     description="A header row with email, full_name and (optionally) department, then one row per person")
    only_valid = BooleanField("If some rows have problems, import only the valid rows")


VENUE_REQUIRED = "Enter where the session was held"


class SessionForm(FlaskForm):
    module = choice("Module", "Choose the module the session covered")
    delivered_on = DateInputField("Date delivered", required=True, empty_message="Enter the date the session was delivered")
    venue = StringField("Venue", filters=[_strip], validators=[DataRequired(VENUE_REQUIRED), at_most("Venue", 200)])
    delivering_organisation = choice("Delivering organisation", "Choose the organisation that delivered the session")
    # asked only when the recorder may record for more than one partnership area (the view removes it otherwise)
    area = RadioField("Which partnership was this session for?", choices=[], validate_choice=False,
                      validators=[ChosenFrom("Select the partnership the session was for")])
    attendees = TextAreaField("Named attendees (optional)", validators=[at_most("Named attendees", 20000)],
                              description="Email addresses of attendees who should get a completion, one on each line")
    not_duplicate = BooleanField("Yes, this is a different session from the one already recorded")


REASON_HINT = "This goes in the audit log with the change. Up to 500 characters."


class SessionCorrectionForm(FlaskForm):
    delivered_on = DateInputField("Date delivered", required=True, empty_message="Enter the date the session was delivered")
    venue = StringField("Venue", filters=[_strip], validators=[DataRequired(VENUE_REQUIRED), at_most("Venue", 200)])
    reason = TextAreaField("Why are you correcting this session?", filters=[_strip], description=REASON_HINT,
                           validators=[DataRequired("Enter why you are correcting the session"), at_most("The reason", 500)])


class SessionWithdrawalForm(FlaskForm):
    reason = TextAreaField("Why are you withdrawing this session?", filters=[_strip], description=REASON_HINT,
                           validators=[DataRequired("Enter why you are withdrawing the session"), at_most("The reason", 500)])


class TokenForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[DataRequired("Enter a name that says who uses the token"), at_most("Name", 200)],
                       description="For example, Partnership Power BI dashboard")
    scope = choice("Figures it can read", "Choose what the token can read")
    months = choice("How long it works", "Choose how long the token works",
                    choices=[("3", "3 months"), ("6", "6 months"), ("12", "12 months"), ("24", "24 months")], default="12",
                    description="It stops working then, or sooner if you revoke it or lose the role that lets you create tokens")
