"""Translatable labels for the exams enumerations."""

from exams.models import BankPurpose, BankTier, QuestionStatus, QuestionType
from lms.i18n import _l

TYPE_LABELS = {QuestionType.TRUE_FALSE: _l("True/false"), QuestionType.SINGLE: _l("Single choice"),
               QuestionType.MULTIPLE: _l("Multiple choice")}
STATUS_LABELS = {QuestionStatus.DRAFT: _l("Draft"), QuestionStatus.REVIEWED: _l("Reviewed"),
                 QuestionStatus.PUBLISHED: _l("Published"), QuestionStatus.RETIRED: _l("Retired")}
PURPOSE_LABELS = {BankPurpose.EXAM: _l("Exam bank"), BankPurpose.PRACTICE: _l("Practice bank")}
TIER_LABELS = {BankTier.NATIONAL: _l("National tier"), BankTier.PROVINCIAL: _l("Provincial tier")}
FORMAT_LABELS = {"auto": _l("Detect from the file"), "xlsx": _l("Excel template (.xlsx)"),
                 "csv": _l("CSV (UTF-8 or GBK)"), "moodlexml": _l("Moodle XML"), "gift": _l("GIFT"),
                 "aiken": _l("Aiken")}
POS_LABELS = {"row": _l("Row %(n)d"), "question": _l("Question %(n)d"), "line": _l("Line %(n)d")}
FLAG_LABELS = {"negative_discrimination": _l("Negative discrimination"),
               "too_easy": _l("Facility above 0.95")}
#: Fields a spreadsheet column can be read as (the review page shows the mapping).
COLUMN_LABELS = {"type": _l("Question type"), "stem": _l("Stem"), "options": _l("Options (all in one cell)"),
                 "key": _l("Key"), "explanation": _l("Explanation"), "knowledge_point": _l("Knowledge point"),
                 "difficulty": _l("Difficulty"), "posts": _l("Posts"),
                 "operation_codes": _l("Operation categories"), "status": _l("Status"), "image": _l("Image")}
KIND_LABELS = {"special_ops_theory": _l("Special-operations theory paper"),
               "principal": _l("Principal / safety-manager paper"), "custom": _l("Custom paper")}


def column_label(field: str) -> str:
    """A column's field in the active language; option columns read "Option A" and so on."""
    if field.startswith("option_"):
        return str(_l("Option %(letter)s", letter=field[-1].upper()))
    return str(COLUMN_LABELS.get(field, field))


def position_label(pos) -> str:
    """"Row 5", "Question 3" or "Line 12" in the active language."""
    kind, number = pos
    return str(POS_LABELS[kind]) % {"n": number}


def template_helpers() -> dict:
    """Globals for the exams templates."""
    return {
        "qtype_label": lambda t: str(TYPE_LABELS.get(QuestionType(t), t)),
        "status_label": lambda s: str(STATUS_LABELS.get(QuestionStatus(s), s)),
        "purpose_label": lambda p: str(PURPOSE_LABELS.get(BankPurpose(p), p)),
        "tier_label": lambda t: str(TIER_LABELS.get(BankTier(t), t)),
        "format_label": lambda f: str(FORMAT_LABELS.get(f, f)),
        "position_label": position_label,
        "column_label": column_label,
        "flag_label": lambda f: str(FLAG_LABELS.get(f, f)),
        "kind_label": lambda k: str(KIND_LABELS.get(k, k)),
        "letter": lambda i: "ABCDEFGH"[i],
    }
