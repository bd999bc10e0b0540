"""Account forms (sign in, register, password reset), validated on the server with errors tied to their fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from lms.services.passwords import MAX_LENGTH, password_problem


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org"


class LoginForm(FlaskForm):
    email = EmailField("Email address", filters=[_strip], validators=[DataRequired("Enter your email address"), Email(EMAIL_FORMAT)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password"), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me signed in on this device")


def _meets_policy(form: FlaskForm, field: PasswordField) -> None:
    problem = password_problem(field.data or "", form.policy_email())
    if problem:
        raise ValidationError(problem)


def new_password(label: str, missing: str) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(missing), _meets_policy])


def confirmation() -> PasswordField:
    return PasswordField("Confirm password", validators=[
        DataRequired("Enter the password again"), EqualTo("password", "Passwords do not match: enter the same password twice")])


class RegisterForm(FlaskForm):
    full_name = StringField("Full name", filters=[_strip], validators=[
        DataRequired("Enter your full name"), Length(max=200, message="Full name must be 200 characters or fewer")])
    email = EmailField("Email address", filters=[_strip], validators=[
        DataRequired("Enter your email address"), Length(max=320, message="Email address must be 320 characters or fewer"),
        Email(EMAIL_FORMAT)])
    join_code = StringField("Join code (if you have one)", filters=[_strip], validators=[
        Length(max=32, message="Join code must be 32 characters or fewer")])
    password = new_password("Create a password", "Enter a password")
    confirm = confirmation()

    def policy_email(self) -> str:
        return self.email.data or ""


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", filters=[_strip], validators=[DataRequired("Enter your email address"), Email(EMAIL_FORMAT)])


class ResetPasswordForm(FlaskForm):
    password = new_password("New password", "Enter a new password")
    confirm = confirmation()

    def __init__(self, *args, email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._email = email

    def policy_email(self) -> str:
        return self._email


class VerifyNameForm(FlaskForm):
    name = StringField("Name on the certificate", filters=[_strip], validators=[
        DataRequired("Enter the name shown on the certificate"), Length(max=200, message="Name must be 200 characters or fewer")])
