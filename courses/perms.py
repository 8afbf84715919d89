"""Permission names of the courses package and the roles that hold them."""

from lms.roles import Role, register_permissions

AUTHOR = "courses.author"
ASSIGN = "courses.assign"
PROGRESS = "courses.progress"
INDUCTION = "courses.induction"


def register() -> None:
    """Give each role its courses permissions."""
    register_permissions(Role.TRAINER, AUTHOR)
    register_permissions(Role.ENTERPRISE_ADMIN, ASSIGN, PROGRESS, INDUCTION)
    # Regulators read progress in their region; they assign nothing.
    register_permissions(Role.REGULATOR, PROGRESS)
