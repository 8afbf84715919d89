"""Translatable labels for enumerations shown in the UI."""

from lms.i18n import _l
from lms.models import OrgKind, Post

ORG_KIND_LABELS = {
    OrgKind.ENTERPRISE: _l("Enterprise"),
    OrgKind.EXAM_CENTRE: _l("Exam centre"),
    OrgKind.SCHOOL: _l("School"),
    OrgKind.REGULATOR: _l("Regulator"),
}

POST_LABELS = {
    Post.PRINCIPAL: _l("Principal person in charge"),
    Post.SAFETY_MANAGER: _l("Safety manager"),
    Post.SPECIAL_OPERATIONS: _l("Special-operations worker"),
    Post.OTHER: _l("Other employee"),
}

RULE_TAG_LABELS = {
    "C": _l("Confirmed"),
    "S": _l("Secondary source"),
    "U": _l("Unconfirmed"),
}

UNIT_LABELS = {
    "class_hours": _l("class hours"),
    "months": _l("months"),
    "years": _l("years"),
    "days": _l("days"),
    "working_days": _l("working days"),
    "minutes": _l("minutes"),
    "points": _l("points"),
    "percent_vv": _l("percent by volume"),
    "percent_lel": _l("percent of LEL"),
    "mg_m3": "mg/m³",
}

#: Words accepted for each post in imported files (roster, question banks), Chinese or English.
POST_WORDS = {
    Post.PRINCIPAL: {"主要负责人", "principal", "principal person in charge"},
    Post.SAFETY_MANAGER: {"安全管理人员", "安全生产管理人员", "safety manager", "safety_manager"},
    Post.SPECIAL_OPERATIONS: {"特种作业人员", "special operations", "special-operations worker",
                              "special_operations"},
    Post.OTHER: {"其他从业人员", "其他", "other", "other employee"},
}


def post_from_text(text: str) -> Post | None:
    """Post named by a cell, in Chinese or English; None when unrecognised."""
    wanted = text.strip().lower()
    return next((post for post, words in POST_WORDS.items() if wanted in words), None)
