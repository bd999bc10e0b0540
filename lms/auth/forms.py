"""Account forms (sign in, register, password reset), validated on the server with errors tied to their fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, StopValidation, ValidationError

from lms.services.passwords import MAX_LENGTH, password_problem


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class AtMost(Length):
    """A length limit that ends the field's checks when it fails, so nothing costlier ever sees a huge value."""

    def __init__(self, max: int, message: str) -> None:
        super().__init__(max=max, message=message)

    def __call__(self, form: FlaskForm, field) -> None:
        if field.data and len(field.data) > self.max:
            raise StopValidation(self.message)


EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org"
EMAIL_MAX = 320  # the longest address SMTP allows, and the length of User.email
PASSWORD_TOO_LONG = f"Password must be {MAX_LENGTH} characters or fewer"


def email_field() -> EmailField:
    """An email address, its length checked before its format, so a huge value is refused at once."""
    return EmailField("Email address", filters=[_strip], validators=[
        DataRequired("Enter your email address"),
        AtMost(EMAIL_MAX, f"Email address must be {EMAIL_MAX} characters or fewer"), Email(EMAIL_FORMAT)])


class LoginForm(FlaskForm):
    email = email_field()
    # Not required here: an address whose organisation has single sign-on needs none (lms/auth/views.py asks for it otherwise).
    password = PasswordField("Password", validators=[AtMost(MAX_LENGTH, PASSWORD_TOO_LONG)])
    remember = BooleanField("Keep me signed in on this device")


def _meets_policy(form: FlaskForm, field: PasswordField) -> None:
    problem = password_problem(field.data or "", form.policy_email())
    if problem:
        raise ValidationError(problem)


def new_password(label: str, missing: str) -> PasswordField:
    """A new password: its length is checked before the policy (and the deny-list) looks at it."""
    return PasswordField(label, validators=[DataRequired(missing), AtMost(MAX_LENGTH, PASSWORD_TOO_LONG), _meets_policy])


def confirmation() -> PasswordField:
    return PasswordField("Confirm password", validators=[
        DataRequired("Enter the password again"), AtMost(MAX_LENGTH, PASSWORD_TOO_LONG),
        EqualTo("password", "Passwords do not match: enter the same password twice")])


class RegisterForm(FlaskForm):
    full_name = StringField("Full name", filters=[_strip], validators=[
        DataRequired("Enter your full name"), AtMost(200, "Full name must be 200 characters or fewer")])
    email = email_field()
    join_code = StringField("Join code (if you have one)", filters=[_strip], validators=[
        AtMost(32, "Join code must be 32 characters or fewer")])
    password = new_password("Create a password", "Enter a password")
    confirm = confirmation()

    def policy_email(self) -> str:
        return self.email.data or ""


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResendConfirmationForm(FlaskForm):
    email = email_field()


class ConfirmEmailForm(FlaskForm):
    """The password chosen at registration: only its owner, who also reads the mail, can confirm the account."""

    password = PasswordField("The password you chose when you created the account", validators=[
        DataRequired("Enter the password you chose when you created the account"), AtMost(MAX_LENGTH, PASSWORD_TOO_LONG)])


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
        DataRequired("Enter the name shown on the certificate"), AtMost(200, "Name must be 200 characters or fewer")])
