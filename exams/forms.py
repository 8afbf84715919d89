"""Forms of the exams pages."""

from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from exams.labels import FORMAT_LABELS, PURPOSE_LABELS, TIER_LABELS, TYPE_LABELS
from lms.i18n import _l
from lms.labels import POST_LABELS


def select_choices(pairs) -> list[SelectChoice]:
    """Select choices from (value, label) pairs (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


CODE = Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dot, dash or underscore."))


class BankForm(FlaskForm):
    """A new bank."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), CODE])
    name = StringField(lazy_pgettext("thing", "Name"), validators=[DataRequired(), Length(max=200)])
    purpose = SelectField(_l("Purpose"), choices=select_choices(PURPOSE_LABELS.items()))
    tier = SelectField(_l("Tier"), choices=select_choices(TIER_LABELS.items()))
    organization = SelectField(_l("Owner"), coerce=int)


class QuestionForm(FlaskForm):
    """One question; options one per line, key as letters (or true/false)."""

    qtype = SelectField(_l("Question type"), choices=select_choices(TYPE_LABELS.items()))
    stem = TextAreaField(_l("Stem"), validators=[DataRequired(), Length(max=4000)])
    options = TextAreaField(_l("Options, one per line (choice questions)"))
    key = StringField(_l("Key"), validators=[DataRequired(), Length(max=16)])
    explanation = TextAreaField(_l("Explanation"), validators=[Length(max=4000)])
    knowledge_point = SelectField(_l("Knowledge point"))
    difficulty = SelectField(_l("Difficulty"), choices=select_choices((str(i), str(i)) for i in range(1, 6)),
                             default="3")
    posts = SelectMultipleField(_l("Posts (none selected: every post)"),
                                choices=select_choices((p.value, label) for p, label in POST_LABELS.items()))
    operation_codes = StringField(_l("Operation categories or sub-types, e.g. 1.2"),
                                  validators=[Length(max=120)])
    #: The route checks the content (lms.storage), whatever the file name says.
    image = FileField(_l("Image (PNG, JPEG, GIF or WebP, optional)"))


class ImportForm(FlaskForm):
    """A question file and how to read it."""

    file = FileField(_l("Question file"), validators=[FileRequired()])
    fmt = SelectField(_l("Format"), choices=select_choices(FORMAT_LABELS.items()), default="auto")
    default_kp = SelectField(_l("Knowledge point for items that name none"))
    default_difficulty = SelectField(_l("Difficulty for items that give none"), default="3",
                                     choices=select_choices((str(i), str(i)) for i in range(1, 6)))
    publish = BooleanField(_l("Publish the questions at once (practice banks only; exam-bank "
                              "questions always arrive as drafts for an editor to read)"))


class CategoryDecisionForm(FlaskForm):
    """What to do, when confirming an import, with file categories that match no knowledge point."""

    unknown = RadioField(_l("Categories that match no knowledge point"), default="reject",
                         choices=select_choices([
                             ("reject", _l("Do not import their questions")),
                             ("create", _l("Create them as knowledge points")),
                             ("default", _l("Put their questions under the knowledge point below"))]))
    under = SelectField(_l("Knowledge point (new categories go under it, or questions into it)"))


class KnowledgePointForm(FlaskForm):
    """A node of the knowledge-point tree."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=48), CODE])
    name = StringField(lazy_pgettext("thing", "Name"), validators=[DataRequired(), Length(max=200)])
    parent = SelectField(_l("Parent"))


class NewBlueprintForm(FlaskForm):
    """A blueprint with its defaults taken from the rules."""

    kind = SelectField(_l("Paper"), choices=select_choices([
        ("special_ops_theory", _l("Special-operations theory paper")),
        ("principal", _l("Principal / safety-manager paper"))]))
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=48), CODE])
    name = StringField(lazy_pgettext("thing", "Name"), validators=[DataRequired(), Length(max=200)])
    organization = SelectField(_l("Exam centre"), coerce=int)
    operation_code = StringField(_l("Operation sub-type (special operations), e.g. 1.2"),
                                 validators=[Optional(), Length(max=8)])


class BlueprintCellForm(Form):
    """One row of the cell editor: type, knowledge point, difficulty range, count, remove."""

    qtype = SelectField(_l("Question type"))
    knowledge_point = SelectField(_l("Knowledge point"))
    difficulty_min = IntegerField(_l("Difficulty from"), validators=[Optional(), NumberRange(1, 5)])
    difficulty_max = IntegerField(_l("Difficulty to"), validators=[Optional(), NumberRange(1, 5)])
    count = IntegerField(_l("Number of questions"), validators=[Optional(), NumberRange(1, 1000)])
    remove = BooleanField(_l("Remove"))


class BlueprintForm(FlaskForm):
    """Blueprint settings and cells."""

    name = StringField(lazy_pgettext("thing", "Name"), validators=[DataRequired(), Length(max=200)])
    duration_minutes = IntegerField(_l("Duration (minutes)"), validators=[NumberRange(1, 600)])
    pass_mark = FloatField(_l("Pass mark (points)"), validators=[NumberRange(0, 1000)])
    points_true_false = FloatField(_l("Points per true/false question"), validators=[NumberRange(0, 100)])
    points_single = FloatField(_l("Points per single-choice question"), validators=[NumberRange(0, 100)])
    points_multiple = FloatField(_l("Points per multiple-choice question"),
                                 validators=[NumberRange(0, 100)])
    partial_credit = BooleanField(_l("Partial credit for multiple choice"))
    cells = FieldList(FormField(BlueprintCellForm), max_entries=200)

    def set_cell_choices(self, knowledge_points) -> None:
        """Offer the question types and the knowledge points (by name, "any" first) in every row."""
        types = [("", "—")] + [(t.value, str(label)) for t, label in TYPE_LABELS.items()]
        kps = [("any", str(_l("Any knowledge point")))] + [(str(kp.id), kp.name) for kp in knowledge_points]
        for row in self.cells:
            row.form.qtype.choices = select_choices(types)
            row.form.knowledge_point.choices = select_choices(kps)


class AssembleForm(FlaskForm):
    """Papers for one session."""

    bank = SelectField(_l("Bank"), coerce=int)
    session_ref = StringField(_l("Session label"), validators=[DataRequired(), Length(max=64)])
    count = IntegerField(_l("Number of candidates"), validators=[NumberRange(1, 2000)], default=30)


class LessonQuizForm(FlaskForm):
    """A practice quiz under a lesson: practice bank, knowledge point, size and pass share."""

    bank = SelectField(_l("Practice bank"), coerce=int)
    knowledge_point = SelectField(_l("Knowledge point (with everything below it)"))
    question_count = IntegerField(_l("Questions per round"), default=5,
                                  validators=[NumberRange(1, 50)])
    pass_percent = IntegerField(_l("Pass share in percent (empty: practice only)"),
                                validators=[Optional(), NumberRange(1, 100)])
