"""Sign-in form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from lms.i18n import _l


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    next = HiddenField()


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""


class PasswordChangeForm(FlaskForm):
    """The current password and a new one, typed twice."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=10, max=256, message=_l("Use at least 10 characters."))])
    repeat = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])


#: One @, no spaces, a dot in the domain: enough to catch typing slips (email-validator is not a
#: dependency); whether the address works shows when mail arrives.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class EmailForm(FlaskForm):
    """The address e-mail copies of notifications go to; empty means none."""

    email = EmailField(_l("E-mail address"), filters=[lambda value: value.strip() if value else value],
                       validators=[Optional(), Length(max=254),
                                   Regexp(EMAIL_PATTERN, message=_l("Enter an e-mail address."))])
