"""The enterprise admin's form for a new assessment."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from exams.assessments.models import AssessmentPurpose
from exams.assessments.services import PASS_PERCENT, TIME_LIMIT_MINUTES
from exams.centres.forms_admin import CheckboxListField
from exams.forms import select_choices
from lms.i18n import _l

PURPOSE_LABELS = {
    AssessmentPurpose.INDUCTION: _l("New-hire three-level induction assessment"),
    AssessmentPurpose.ANNUAL_RETRAINING: _l("Annual retraining assessment"),
    AssessmentPurpose.OTHER: _l("Other assessment"),
}


class AssessmentForm(FlaskForm):
    """An online assessment for employees of one enterprise."""

    enterprise = SelectField(_l("Enterprise"), coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    purpose = SelectField(_l("Purpose"), choices=select_choices(
        (p.value, label) for p, label in PURPOSE_LABELS.items()))
    bank = SelectField(_l("Practice bank"), coerce=int)
    blueprint = SelectField(_l("Composition (questions per type and knowledge point)"), coerce=int)
    opens = DateTimeLocalField(_l("Opens"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    closes = DateTimeLocalField(_l("Closes"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    time_limit = IntegerField(_l("Time limit (minutes)"), default=60,
                              validators=[DataRequired(), NumberRange(*TIME_LIMIT_MINUTES)])
    pass_percent = FloatField(_l("Pass mark (percent of the points)"), default=80,
                              validators=[DataRequired(), NumberRange(*PASS_PERCENT)])
    employees = CheckboxListField(_l("Employees"), coerce=int)


class CancelForm(FlaskForm):
    """Cancel an assessment nobody has started."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])

WINDOW_LABELS = {"upcoming": _l("Not open yet"), "open": _l("Open"), "closed": _l("Closed"),
                 "cancelled": _l("Cancelled")}
