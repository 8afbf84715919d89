"""Roster upload form."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from lms.i18n import _l


class RosterUploadForm(FlaskForm):
    """The enterprise and the workbook."""

    organization = SelectField(_l("Enterprise"), coerce=int)
    file = FileField(_l("Roster workbook (.xlsx)"), validators=[FileRequired()])
