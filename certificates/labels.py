"""Words for certificate types, standings and lifecycle events, in the page's language."""

from lms.i18n import _l

TYPE_LABELS = {
    "special_ops": _l("Special-operations certificate (特种作业操作证)"),
    "safety_qualification": _l("Safety knowledge and management ability certificate (安全合格证)"),
}
STANDING_LABELS = {
    "pending": _l("Waiting to be issued"),
    "valid": _l("Valid"),
    "review_due": _l("Review due"),
    "review_overdue": _l("Review overdue"),
    "expired": _l("Expired"),
    "suspended": _l("Suspended"),
    "revoked": _l("Revoked"),
    "cancelled": _l("Cancelled"),
    "replaced": _l("Replaced"),
}
EVENT_LABELS = {
    "issued": _l("Issued"),
    "imported": _l("Imported"),
    "reviewed": _l("Reviewed"),
    "extended": _l("Extended"),
    "replaced": _l("Replaced"),
    "reissued": _l("Reissued after loss or damage"),
    "suspended": _l("Suspended"),
    "reinstated": _l("Suspension lifted"),
    "revoked": _l("Revoked"),
    "cancelled": _l("Cancelled"),
}
