"""Permissions of the certificates package and which roles hold them."""

from lms.roles import Role, register_permissions

#: Issue, review, suspend, revoke and cancel certificates of the region; import existing ones.
ISSUE = "certificates.issue"
#: See (and import) the certificates of the enterprise's own employees.
EMPLOYER_VIEW = "certificates.employer"
#: Read the compliance figures, gaps and trends of the region (regulators) or own enterprise.
COMPLIANCE_VIEW = "compliance.view"


def register() -> None:
    """Grant the permissions to the roles."""
    register_permissions(Role.CERTIFICATE_OFFICER, ISSUE)
    register_permissions(Role.ENTERPRISE_ADMIN, EMPLOYER_VIEW, COMPLIANCE_VIEW)
    register_permissions(Role.REGULATOR, COMPLIANCE_VIEW)
