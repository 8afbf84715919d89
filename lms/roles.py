"""Roles, what each may do, and where a grant of it may be placed."""

import enum

from lms.i18n import _l


class Role(enum.StrEnum):
    """Roles granted within an organization or a region."""

    LEARNER = "learner"
    ENTERPRISE_ADMIN = "enterprise_admin"
    TRAINER = "trainer"
    QUESTION_EDITOR = "question_editor"
    EXAM_CENTRE_ADMIN = "exam_centre_admin"
    INVIGILATOR = "invigilator"
    PRACTICAL_EXAMINER = "practical_examiner"
    CERTIFICATE_OFFICER = "certificate_officer"
    REGULATOR = "regulator"
    SCHOOL_TEACHER = "school_teacher"
    SYSTEM_ADMIN = "system_admin"


class Perm(enum.StrEnum):
    """Permissions checked by routes; domain packages add their own names as plain strings."""

    ORG_VIEW = "org.view"
    PEOPLE_VIEW = "people.view"
    ROSTER_IMPORT = "roster.import"
    AUDIT_VIEW = "audit.view"
    RULES_VIEW = "rules.view"
    ACCOUNTS_MANAGE = "accounts.manage"


ROLE_LABELS = {
    Role.LEARNER: _l("Learner"),
    Role.ENTERPRISE_ADMIN: _l("Enterprise safety admin"),
    Role.TRAINER: _l("Trainer"),
    Role.QUESTION_EDITOR: _l("Question-bank editor"),
    Role.EXAM_CENTRE_ADMIN: _l("Exam-centre admin"),
    Role.INVIGILATOR: _l("Invigilator"),
    Role.PRACTICAL_EXAMINER: _l("Practical examiner"),
    Role.CERTIFICATE_OFFICER: _l("Certificate officer"),
    Role.REGULATOR: _l("Regulator"),
    Role.SCHOOL_TEACHER: _l("School teacher"),
    Role.SYSTEM_ADMIN: _l("System admin"),
}

_STAFF_VIEW = {Perm.ORG_VIEW, Perm.RULES_VIEW}

ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.LEARNER: set(),
    Role.ENTERPRISE_ADMIN: _STAFF_VIEW | {Perm.PEOPLE_VIEW, Perm.ROSTER_IMPORT, Perm.AUDIT_VIEW,
                                          Perm.ACCOUNTS_MANAGE},
    Role.TRAINER: {Perm.RULES_VIEW},
    Role.QUESTION_EDITOR: {Perm.RULES_VIEW},
    Role.EXAM_CENTRE_ADMIN: _STAFF_VIEW | {Perm.AUDIT_VIEW},
    Role.INVIGILATOR: {Perm.ORG_VIEW},
    Role.PRACTICAL_EXAMINER: {Perm.ORG_VIEW},
    Role.CERTIFICATE_OFFICER: _STAFF_VIEW | {Perm.PEOPLE_VIEW},
    Role.REGULATOR: _STAFF_VIEW | {Perm.PEOPLE_VIEW, Perm.AUDIT_VIEW},
    Role.SCHOOL_TEACHER: {Perm.ORG_VIEW},
    Role.SYSTEM_ADMIN: {p.value for p in Perm},
}

#: Which kind of scope a grant of each role takes: an organization, a region, or none (global).
ROLE_SCOPE = {
    Role.REGULATOR: "region",
    Role.CERTIFICATE_OFFICER: "region",
    Role.SYSTEM_ADMIN: "global",
}

#: Roles an enterprise admin may hand out inside their own enterprise.
ENTERPRISE_GRANTABLE = (Role.LEARNER, Role.TRAINER, Role.ENTERPRISE_ADMIN)


def scope_kind(role: Role) -> str:
    """Return "organization", "region" or "global" for a role."""
    return ROLE_SCOPE.get(role, "organization")


def register_permissions(role: Role, *perms: str) -> None:
    """Let a domain package add its permissions to a role at init time."""
    ROLE_PERMISSIONS[role].update(perms)
    ROLE_PERMISSIONS[Role.SYSTEM_ADMIN].update(perms)
