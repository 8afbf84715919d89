"""Forms of the one-step actions on the gap list: assign the missing training, register for an exam."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField
from wtforms.validators import DataRequired, NumberRange

from lms.i18n import _l


class AssignTrainingForm(FlaskForm):
    """Enrol the person of one employment in one course."""

    employment = IntegerField(_l("Employment"), validators=[DataRequired(), NumberRange(min=1)])
    course = IntegerField(_l("Course"), validators=[DataRequired(message=_l("Choose a course.")),
                                                    NumberRange(min=1)])


class RegisterExamForm(FlaskForm):
    """Register the person of one employment for one exam session."""

    employment = IntegerField(_l("Employment"), validators=[DataRequired(), NumberRange(min=1)])
    session = IntegerField(_l("Exam session"), validators=[DataRequired(), NumberRange(min=1)])
    # The eligibility check asks for it: the candidate's signed health commitment (个人健康书面承诺).
    health_commitment = BooleanField(_l("Health commitment signed"))
