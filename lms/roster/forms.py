"""Roster upload form."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField

from lms.i18n import _l


class RosterUploadForm(FlaskForm):
    """The enterprise and the workbook."""

    organization = SelectField(_l("Enterprise"), coerce=int)
    file = FileField(_l("Roster workbook (.xlsx)"), validators=[FileRequired()])
    create_logins = BooleanField(_l("Also create learner logins for the imported people (initial passwords "
                                    "as an Excel list, changed at the first sign-in)"))
