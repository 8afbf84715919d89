"""Display names of the drills (the codes are the drill program's)."""

from lms.i18n import _l

DRILL_LABELS = {
    "escape": _l("Fire escape"),
    "extinguisher": _l("Fire extinguishing"),
    "confined-space": _l("Confined-space entry"),
}


def drill_label(code: str) -> str:
    """The drill's name in the current language; unknown codes stay as they are."""
    return str(DRILL_LABELS.get(code, code))


def local_time(instant) -> str:
    """A UTC instant as local date and minute, e.g. 2026-05-01 10:30."""
    from lms.clock import local_tz

    return instant.astimezone(local_tz()).strftime("%Y-%m-%d %H:%M") if instant else "—"


def percent(value) -> str:
    """A whole per-cent figure, or a dash when there is nothing to divide."""
    return "—" if value is None else f"{round(value)}%"
