"""Permission names of the practical exam and which roles hold them."""

from lms.roles import Role, register_permissions

#: See practical sessions, their rosters and score sheets (examiners; centre admins read only).
PRACTICAL_VIEW = "exams.practical.view"
#: Score and sign sheets, where the holder is assigned as examiner of the session and room.
PRACTICAL_SCORE = "exams.practical.score"


def register() -> None:
    """Grant the permissions to the roles."""
    register_permissions(Role.PRACTICAL_EXAMINER, PRACTICAL_VIEW, PRACTICAL_SCORE)
    register_permissions(Role.EXAM_CENTRE_ADMIN, PRACTICAL_VIEW)
