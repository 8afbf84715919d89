"""Forms of the exam-centre admin's pages: rooms and seats, centre staff, exam sessions."""

from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from exams.centres.models import RoomKind, SessionKind
from exams.centres.sessions import KIND_LABELS
from exams.forms import select_choices
from lms.i18n import _l

CODE = Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dot, dash or underscore."))
ROOM_KIND_LABELS = {RoomKind.THEORY: _l("Computer theory room"), RoomKind.PRACTICAL: _l("Practical room")}
#: Roles a centre admin hands out at the centre.
STAFF_ROLE_CHOICES = [("invigilator", _l("Invigilator")), ("practical_examiner", _l("Practical examiner")),
                      ("exam_centre_admin", _l("Exam-centre admin"))]


class CheckboxListField(SelectMultipleField):
    """Several choices shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RoomForm(FlaskForm):
    """A new room."""

    centre = SelectField(_l("Exam centre"), coerce=int)
    code = StringField(_l("Room code"), validators=[DataRequired(), Length(max=32), CODE])
    name = StringField(lazy_pgettext("thing", "Name"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind of room"),
                       choices=select_choices((k.value, label) for k, label in ROOM_KIND_LABELS.items()))


class SeatsForm(FlaskForm):
    """Seats added by a pattern: prefix and a range of numbers, optionally workstation names."""

    prefix = StringField(_l("Label prefix"), default="A",
                         validators=[Optional(), Length(max=8), CODE])
    first = IntegerField(_l("First number"), default=1,
                         validators=[DataRequired(), NumberRange(min=1, max=999)])
    last = IntegerField(_l("Last number"), validators=[DataRequired(), NumberRange(min=1, max=999)])
    workstation_prefix = StringField(_l("Workstation prefix (optional)"), default="PC-",
                                     validators=[Optional(), Length(max=48)])


class SeatForm(FlaskForm):
    """One seat's workstation and whether it is in use."""

    workstation = StringField(_l("Workstation"), validators=[Optional(), Length(max=64)])
    in_use = BooleanField(_l("In use"))


class StaffGrantForm(FlaskForm):
    """A role at the centre for an account that exists."""

    centre = SelectField(_l("Exam centre"), coerce=int)
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    role = SelectField(_l("Role"), choices=select_choices(STAFF_ROLE_CHOICES))


class NewStaffForm(FlaskForm):
    """A new login for a staff member, with its role at the centre."""

    centre = SelectField(_l("Exam centre"), coerce=int)
    username = StringField(_l("Username"), validators=[
        DataRequired(), Length(min=3, max=64),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dot, dash or underscore."))])
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=10, max=256)])
    role = SelectField(_l("Role"), choices=select_choices(STAFF_ROLE_CHOICES))


class SessionForm(FlaskForm):
    """A draft session; invigilators and examiners are read from per-account selects."""

    kind = SelectField(_l("Kind of exam"), default=SessionKind.SPECIAL_OPS_THEORY.value,
                       choices=select_choices((k.value, label) for k, label in KIND_LABELS.items()))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    operation_subtype = SelectField(_l("Operation sub-type (special operations)"))
    blueprint = SelectField(_l("Blueprint (not for practical exams)"), coerce=int)
    bank = SelectField(_l("Exam bank for the papers"), coerce=int)
    day = DateField(_l("Exam date"), validators=[DataRequired()])
    start = TimeField(_l("Start time"), validators=[DataRequired()])
    end = TimeField(_l("End time"), validators=[DataRequired()])
    registration_closes = DateTimeLocalField(_l("Registration closes"), format="%Y-%m-%dT%H:%M",
                                             validators=[DataRequired()])
    rooms = CheckboxListField(_l("Rooms"), coerce=int)
    capacity = IntegerField(_l("Capacity (empty: every seat in use in the rooms)"),
                            validators=[Optional(), NumberRange(min=1, max=100000)])
    code_prefix = StringField(_l("Session code prefix"),
                              validators=[Optional(), Length(max=12), Regexp(r"^[A-Za-z0-9]+$")])
