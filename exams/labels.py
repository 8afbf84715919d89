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
KIND_LABELS = {"special_ops_theory": _l("Special-operations theory paper"),
               "principal": _l("Principal / safety-manager paper"), "custom": _l("Custom paper")}


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
        "flag_label": lambda f: str(FLAG_LABELS.get(f, f)),
        "kind_label": lambda k: str(KIND_LABELS.get(k, k)),
        "letter": lambda i: "ABCDEFGH"[i],
    }
