"""Template helpers of the courses pages."""

from flask import Flask
from flask_login import current_user

from courses.labels import (
    ASSET_LABELS,
    CATALOGUE_LABELS,
    LEVEL_LABELS,
    REQUIREMENT_LABELS,
    REQUIREMENT_STATUS,
    STATUS_LABELS,
    label,
)
from lms.authz import has_permission
from lms.i18n import _


def enrolment_status_label(status: str) -> str:
    """Label of a course-assignment status."""
    return {"complete": _("Complete"), "overdue": _("Overdue"), "not_started": _("Not started"),
            "in_progress": _("In progress")}.get(status, status)


def duration(seconds: int) -> str:
    """Seconds as h:mm:ss or m:ss."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def register_helpers(app: Flask) -> None:
    """Install the courses template globals."""
    app.jinja_env.globals.update(
        catalogue_label=lambda c: label(CATALOGUE_LABELS, c),
        course_status_label=lambda s: label(STATUS_LABELS, s),
        level_label=lambda lv: label(LEVEL_LABELS, lv),
        requirement_label=lambda k: label(REQUIREMENT_LABELS, k),
        requirement_status_label=lambda s: label(REQUIREMENT_STATUS, s),
        asset_label=lambda k: label(ASSET_LABELS, k),
        enrolment_status_label=enrolment_status_label,
        study_duration=duration,
        can=lambda perm: has_permission(current_user, perm),
    )
