"""Sign-in form, validated on the server with errors tied to their fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField("Email address", filters=[lambda value: value.strip() if value else value], validators=[DataRequired("Enter your email address"), Email("Enter an email address in the correct format, like name@example.org")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password"), Length(max=256)])
    remember = BooleanField("Keep me signed in on this device")
