"""What every staged upload shares (rosters, question banks, certificates to come): it waits as
pending until someone confirms or discards it, exactly once, however many clicks arrive at once."""

from lms.i18n import _l
from lms.models import ImportStatus
from lms.transitions import change_or_raise

#: What a second confirm or discard of the same upload is told.
ALREADY_HANDLED = _l("This upload has already been handled.")


def leave_pending(staged, status: ImportStatus) -> None:
    """Move a pending upload to ``status`` in one statement; AlreadyChanged if it is not pending."""
    change_or_raise(staged, type(staged).status == ImportStatus.PENDING, status=status)
