"""Forms for accounts, grants and API tokens."""

from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.i18n import _l


class GrantForm(FlaskForm):
    """A role and where it applies."""

    role = SelectField(_l("Role"), validators=[DataRequired()])
    organization = SelectField(_l("Organization"), coerce=int, validate_choice=True)
    region = SelectField(_l("Region"), coerce=int, validate_choice=True)


class CreateAccountForm(GrantForm):
    """A new login and its first role."""

    username = StringField(_l("Username"), validators=[
        DataRequired(), Length(min=3, max=64),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dot, dash or underscore."))])
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=10, max=256)])
    id_number = StringField(_l("Resident ID number (optional, links the login to an employee)"),
                            validators=[Optional(), Length(max=32)])


class TokenForm(FlaskForm):
    """A new API token."""

    name = StringField(lazy_pgettext("thing", "Name"), validators=[DataRequired(), Length(max=64)])
    scopes = SelectMultipleField(_l("Scopes"), validators=[DataRequired()])
    days = IntegerField(_l("Valid for (days)"), default=90,
                        validators=[DataRequired(), NumberRange(min=1, max=365)])
