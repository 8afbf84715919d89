"""Forms of the officer's certificate actions."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FloatField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from certificates.lifecycle import REVOCATION_GROUNDS
from exams.forms import select_choices
from lms.i18n import _l


class ReasonForm(FlaskForm):
    """Suspend, lift a suspension or cancel, with the reason."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class RevokeForm(ReasonForm):
    """Revoke on a ground the rules name."""

    ground = SelectField(_l("Ground (令30号 第30条)"), choices=select_choices(
        (g.code, g.label) for g in REVOCATION_GROUNDS))


class NoteForm(FlaskForm):
    """An extension or replacement, with an optional note."""

    reason = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])


class ReviewForm(NoteForm):
    """A review: the review exam's score and, where the holder qualifies, the longer interval."""

    exam_score = FloatField(_l("Review exam score (of 100)"),
                            validators=[DataRequired(), NumberRange(0, 100)])
    extended = BooleanField(_l("Ten continuous years in the operation without violations: review every 6 "
                               "years"))


class PrintForm(FlaskForm):
    """Which issued certificates to print: by exam session, by enterprise, by issue date."""

    class Meta:
        csrf = False  # a download chosen by GET: it changes nothing

    session = SelectField(_l("Exam session"), coerce=int, validators=[Optional()])
    enterprise = SelectField(_l("Enterprise"), coerce=int, validators=[Optional()])
    issued_from = DateField(_l("Issued on or after"), validators=[Optional()])
    issued_to = DateField(_l("Issued on or before"), validators=[Optional()])
