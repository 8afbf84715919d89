"""Flask-WTF forms of the courses pages."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.i18n import _l


class CourseForm(FlaskForm):
    """A new course."""

    owner = SelectField(_l("Owner"), coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=2000)])
    catalogue = SelectField(_l("Catalogue"))
    operation_category = SelectField(_l("Operation category (special operations only)"),
                                     validators=[Optional()])
    induction_level = SelectField(_l("Induction level (induction only)"), validators=[Optional()])


class ModuleForm(FlaskForm):
    """A new module."""

    module_title = StringField(_l("Module title"), validators=[DataRequired(), Length(max=200)])


class LessonForm(FlaskForm):
    """A lesson's text and planned length."""

    title = StringField(_l("Lesson title"), validators=[DataRequired(), Length(max=200)])
    body_md = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=100_000)])
    minutes = IntegerField(_l("Planned minutes"), default=45,
                           validators=[DataRequired(), NumberRange(min=1, max=600)])


class NewLessonForm(LessonForm):
    """A lesson added to a module."""

    module = SelectField(_l("Module"), coerce=int)


class FileForm(FlaskForm):
    """A file attached to a lesson."""

    file = FileField(_l("Image, video (MP4, WebM) or PDF"), validators=[FileRequired()])


class AssignForm(FlaskForm):
    """Assign courses to a group of employees."""

    organization = SelectField(_l("Enterprise"), coerce=int)
    courses = SelectMultipleField(_l("Courses"), coerce=int, validators=[DataRequired()])
    post = SelectField(_l("Post"), validators=[Optional()])
    operation_category = SelectField(_l("Operation category"), validators=[Optional()])
    department = StringField(_l("Department"), validators=[Optional(), Length(max=64)])
    people = SelectMultipleField(_l("Or pick people from the roster"), coerce=int,
                                 validators=[Optional()])
    due_date = DateField(_l("Due date"), validators=[Optional()])


class InductionForm(FlaskForm):
    """One level of a new employee's induction."""

    person = SelectField(_l("Employee"), coerce=int)
    level = SelectField(_l("Level"))
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    trainer = StringField(_l("Trainer"), validators=[DataRequired(), Length(max=64)])
    class_hours = FloatField(_l("Class hours"), validators=[DataRequired(),
                                                             NumberRange(min=0.5, max=200)])
    content = TextAreaField(_l("Content"), validators=[DataRequired(), Length(max=4000)])


class AbsenceForm(FlaskForm):
    """A stretch away from work, recorded on return."""

    absent_person = SelectField(_l("Employee"), coerce=int)
    left_on = DateField(_l("Away from"), validators=[DataRequired()])
    returned_on = DateField(_l("Back on"), validators=[DataRequired()])


class ExternalTrainingForm(FlaskForm):
    """Training an employee did with another provider, with its proof."""

    organization = SelectField(_l("Enterprise"), coerce=int)
    provider = StringField(_l("Training provider"), validators=[DataRequired(), Length(max=200)])
    title = StringField(_l("Course or subject"), validators=[DataRequired(), Length(max=200)])
    started_on = DateField(_l("First day"), validators=[DataRequired()])
    ended_on = DateField(_l("Last day"), validators=[DataRequired()])
    class_hours = FloatField(_l("Class hours"), validators=[DataRequired(), NumberRange(min=0.5, max=500)])
    proof = FileField(_l("Proof: certificate or sign-in sheet (PDF or image)"), validators=[FileRequired()])
