"""Forms for changing one person: their role and their department, each a set of GOV.UK radios."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field, RadioField
from wtforms.validators import StopValidation

from lms.models import Role

NO_DEPARTMENT = "none"
ROLE_HINTS = {
    Role.LEARNER: "Takes training and sees their own progress",
    Role.TRAINER: "Also records face-to-face sessions and lets learners retry an assessment sooner",
    Role.ORG_ADMIN: "Also manages this organisation's people, join codes and assignments, and sees its reports",
    Role.PARTNERSHIP_LEAD: "Sees reports for every organisation in the partnership and manages its API tokens",
    Role.SITE_ADMIN: "Manages every partnership and organisation",
}


class ChosenFrom:
    """One of the field's own choices, or our message: never WTForms' 'Not a valid choice'."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise StopValidation(self.message)


class RoleForm(FlaskForm):
    role = RadioField("Role", choices=[], validate_choice=False, validators=[ChosenFrom("Select a role")])


class PersonDepartmentForm(FlaskForm):
    department = RadioField("Department", choices=[], validate_choice=False,
                            validators=[ChosenFrom("Select a department, or No department")])
