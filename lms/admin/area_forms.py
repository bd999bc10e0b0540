"""Forms for organisations serving several partnerships: the partnerships served, a department's or person's
locality ("Works in"), joint groups and their leads. Choices are filled by the view; anything not offered
gets our message on its field (lms.admin.people_forms.ChosenFrom), never a 500."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, StopValidation

from lms.admin.forms import _strip, at_most, choice
from lms.admin.people_forms import ChosenFrom

NOT_SET = "none"  # the "Not set" choice of a locality


class AllChosenFrom:
    """Every ticked value one of the field's own choices (a tampered id gets our message)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        offered = {value for value, _label in field.choices}
        if any(value not in offered for value in field.data or []):
            raise StopValidation(self.message)


def ticked_ids(field: SelectMultipleField) -> list[int]:
    """The ticked values as ids (each one of the offered choices, so a number)."""
    return [int(value) for value in dict.fromkeys(field.data or [])]


class ServedPartnershipsForm(FlaskForm):
    partnerships = SelectMultipleField("It also serves", choices=[], validate_choice=False,
                                       validators=[AllChosenFrom("Choose partnerships from the list")])


class PersonLocalityForm(FlaskForm):
    locality = RadioField("Works in", choices=[], validate_choice=False,
                          validators=[ChosenFrom("Select the partnership they work in, or Not set")],
                          description="The partnership whose figures their training counts in from now on. Not set: their "
                                      "department's partnership, or the organisation's home partnership. Training they have "
                                      "already done keeps counting where it was.")


class DepartmentLocalityForm(FlaskForm):
    locality = choice("Works in", "Choose the partnership the department works in, or Not set",
                      description="Its people's training counts for this partnership from now on, unless a person has a partnership "
                                  "of their own; training already done keeps counting where it was")


class NewDepartmentForm(FlaskForm):
    name = StringField("Department name", filters=[_strip],
                       validators=[DataRequired("Enter the department's name"), at_most("Department name", 200)])
    locality = choice("Works in", "Choose the partnership the department works in, or Not set",
                      description="Its people's training counts for this partnership from now on, unless a person has a partnership "
                                  "of their own; training already done keeps counting where it was")


class JointGroupForm(FlaskForm):
    name = StringField("Group name", filters=[_strip],
                       validators=[DataRequired("Enter the joint group's name"), at_most("Group name", 200)],
                       description="For example, Hate crime and community cohesion group")
    partnerships = SelectMultipleField("Partnerships in the group", choices=[], validate_choice=False,
                                       validators=[AllChosenFrom("Choose partnerships from the list")])


class GroupLeadForm(FlaskForm):
    lead = choice("Partnership lead", "Choose a partnership lead from the list",
                  description="Only people with the partnership lead role can lead a group. They then see the group's figures "
                              "instead of their own partnership's.")
