"""Forms of the registration pages."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from exams.centres.labels import EDUCATION_LABELS
from exams.forms import select_choices
from lms.i18n import _l


class RegisterForm(FlaskForm):
    """Register one candidate by ID number."""

    id_number = StringField(_l("ID number"), validators=[DataRequired(), Length(max=24)])
    health_commitment = BooleanField(_l("The candidate has signed the written health commitment "
                                        "(个人健康书面承诺)"))
    education = SelectField(_l("Education (if not yet recorded)"), validators=[Optional()],
                            choices=select_choices([("", _l("As recorded")),
                                                    *[(e.value, label) for e, label in
                                                      EDUCATION_LABELS.items()]]))
    photo = FileField(_l("Photo (JPEG or PNG), if the roster has none"))
    override_reason = TextAreaField(_l("Register despite a refusal, because (exam centre only)"),
                                    validators=[Optional(), Length(max=500)])


class WithdrawForm(FlaskForm):
    """Withdraw a registration."""

    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])
