"""Permission and API-scope names of drill results, and the roles that hold them."""

from lms.roles import Role, register_permissions

#: Post drill results over the API (school teachers, enterprise admins, trainers).
REPORT = "drills.report"
#: See the results of one's own school, enterprise or training body by class and drill.
VIEW = "drills.view"
#: See participation and pass rates by organization across a region.
OVERSEE = "drills.oversee"
#: Token scope the drill program's token must carry.
SCOPE = "drill-results:write"


def register() -> None:
    """Give each role its drill-result permissions."""
    register_permissions(Role.SCHOOL_TEACHER, REPORT, VIEW)
    register_permissions(Role.ENTERPRISE_ADMIN, REPORT, VIEW)
    register_permissions(Role.TRAINER, REPORT, VIEW)
    register_permissions(Role.REGULATOR, OVERSEE)
