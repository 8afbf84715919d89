"""Translatable labels for the courses enumerations."""

from lms.i18n import _l

CATALOGUE_LABELS = {
    "principal": _l("Principal persons in charge"),
    "safety_manager": _l("Safety managers"),
    "special_operations": _l("Special operations"),
    "all_staff": _l("All staff"),
    "induction": _l("New-hire three-level induction"),
    "public": _l("Public courses"),
}

STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "retired": _l("Retired"),
}

LEVEL_LABELS = {
    "factory": _l("Factory level"),
    "workshop": _l("Workshop level"),
    "team": _l("Team level"),
}

REQUIREMENT_LABELS = {
    "initial": _l("Initial training"),
    "annual": _l("Annual retraining"),
    "prejob": _l("Pre-job training"),
    "retraining": _l("Retraining after a transfer or long absence"),
    "review": _l("Training before the certificate review"),
}

REQUIREMENT_STATUS = {
    "met": _l("Met"),
    "open": _l("In progress"),
    "overdue": _l("Overdue"),
}

ASSET_LABELS = {"image": _l("Image"), "video": _l("Video"), "pdf": _l("PDF")}

REFUSAL_LABELS = {
    "empty": _l("The file is empty."),
    "too_large": _l("The file is larger than the limit."),
    "type": _l("Only PNG, JPEG, GIF, WebP images, MP4 or WebM videos and PDF files are accepted."),
}


def label(table: dict, key) -> str:
    """The label of ``key`` in ``table`` as text, or the key itself."""
    value = table.get(getattr(key, "value", key))
    return str(value) if value is not None else str(key or "")
