"""The single sign-on settings form: an organisation's OpenID Connect provider, as its admin enters it.

The length limits are the settings service's (lms/services/sso/settings.py), so a person hears about an overlong
value here, by its field, before the service is asked. Which email domains may be chosen is the service's rule.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired

from lms.admin.forms import _strip, at_most
from lms.services.sso.settings import CLIENT_ID_MAX, ISSUER_MAX, SECRET_MAX, TENANT_MAX


class SingleSignOnForm(FlaskForm):
    issuer = StringField("Issuer URL", filters=[_strip],
                         validators=[DataRequired("Enter the issuer URL your identity provider gives"), at_most("Issuer URL", ISSUER_MAX)])
    client_id = StringField("Client ID", filters=[_strip],
                            validators=[DataRequired("Enter the client ID (application ID) the provider gave"),
                                        at_most("Client ID", CLIENT_ID_MAX)])
    client_secret = PasswordField("Client secret", validators=[at_most("Client secret", SECRET_MAX)])
    tenant_id = StringField("Tenant ID (optional)", filters=[_strip], validators=[at_most("Tenant ID", TENANT_MAX)])
    # Not checked against the choices here: the service refuses a domain that is not an approved claim, in its words.
    domains = SelectMultipleField("Email domains it signs in", choices=[], validate_choice=False)
    enabled = BooleanField("Switch on single sign-on")
    required = BooleanField("Require single sign-on")
