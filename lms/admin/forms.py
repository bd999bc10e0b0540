"""Administration forms, validated on the server with errors tied to their fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.models import OrganisationType


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


TYPE_CHOICES = [(t.value, t.label) for t in OrganisationType]
DATE_HINT = "For example, 2026-03-31"


class PartnershipForm(FlaskForm):
    name = StringField("Partnership name", filters=[_strip], validators=[DataRequired("Enter the partnership's name"), Length(max=200)])


class OrganisationForm(FlaskForm):
    name = StringField("Organisation name", filters=[_strip], validators=[DataRequired("Enter the organisation's name"), Length(max=200)])
    type = SelectField("Type of organisation", choices=TYPE_CHOICES, validators=[DataRequired("Choose the type of organisation")])


class NewOrganisationForm(OrganisationForm):
    partnership = SelectField("Partnership", choices=[], validators=[DataRequired("Choose the partnership")])


class DepartmentForm(FlaskForm):
    name = StringField("Department name", filters=[_strip], validators=[DataRequired("Enter the department's name"), Length(max=200)])


class JoinCodeForm(FlaskForm):
    code = StringField("Join code (optional)", filters=[_strip], validators=[Optional(), Length(max=32)],
                       description="Leave empty to have one made up, or enter one like YORK-STAFF-2026")
    expires_on = DateField("Last day it can be used (optional)", validators=[Optional()], description=DATE_HINT)
    department = SelectField("Department people join (optional)", choices=[])


class DomainForm(FlaskForm):
    domain = StringField("Email domain", filters=[_strip], validators=[DataRequired("Enter the email domain"), Length(max=253)],
                         description="The part after the @, like york.gov.uk")


class AssignmentForm(FlaskForm):
    module = SelectField("Module", choices=[], validators=[DataRequired("Choose a module")])
    department = SelectField("Who must complete it", choices=[])
    due_on = DateField("Due by (optional)", validators=[Optional()], description=DATE_HINT)
    mandatory = BooleanField("Mandatory training", default=True)


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to import")],
                     description="A header row with email, full_name and (optionally) department, then one row per person")
    only_valid = BooleanField("If some rows have problems, import only the valid rows")


class SessionForm(FlaskForm):
    module = SelectField("Module", choices=[], validators=[DataRequired("Choose the module the session covered")])
    delivered_on = DateField("Date delivered", validators=[DataRequired("Enter the date the session was delivered in the form 2026-03-31")],
                             description=DATE_HINT)
    venue = StringField("Venue", filters=[_strip], validators=[DataRequired("Enter where the session was held"), Length(max=200)])
    delivering_organisation = SelectField("Delivering organisation", choices=[],
                                          validators=[DataRequired("Choose the organisation that delivered the session")])
    attendees = TextAreaField("Named attendees (optional)", validators=[Length(max=20000)],
                              description="Email addresses of attendees who should get a completion, one on each line")
    not_duplicate = BooleanField("Yes, this is a different session from the one already recorded")


REASON_HINT = "This goes in the audit log with the change. Up to 500 characters."
REASON_TOO_LONG = "The reason must be 500 characters or fewer"


class SessionCorrectionForm(FlaskForm):
    delivered_on = DateField("Date delivered", validators=[DataRequired("Enter the date the session was delivered in the form 2026-03-31")],
                             description=DATE_HINT)
    venue = StringField("Venue", filters=[_strip], validators=[DataRequired("Enter where the session was held"), Length(max=200)])
    reason = TextAreaField("Why are you correcting this session?", filters=[_strip], description=REASON_HINT,
                           validators=[DataRequired("Enter why you are correcting the session"), Length(max=500, message=REASON_TOO_LONG)])


class SessionWithdrawalForm(FlaskForm):
    reason = TextAreaField("Why are you withdrawing this session?", filters=[_strip], description=REASON_HINT,
                           validators=[DataRequired("Enter why you are withdrawing the session"), Length(max=500, message=REASON_TOO_LONG)])


class TokenForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[DataRequired("Enter a name that says who uses the token"), Length(max=200)],
                       description="For example, Partnership Power BI dashboard")
    scope = SelectField("Figures it can read", choices=[], validators=[DataRequired("Choose what the token can read")])
    months = SelectField("How long it works", choices=[("3", "3 months"), ("6", "6 months"), ("12", "12 months"), ("24", "24 months")],
                         default="12", description="It stops working then, or sooner if you revoke it or lose the role that lets you create tokens")
