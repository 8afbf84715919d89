"""Permission of the enterprise-assessment pages."""

from lms.roles import Role, register_permissions

#: Schedule online assessments for the enterprise's employees and read their results.
ASSESS = "exams.assessment.manage"


def register() -> None:
    """Grant the permission to enterprise admins."""
    register_permissions(Role.ENTERPRISE_ADMIN, ASSESS)
