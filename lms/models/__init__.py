"""Core models; importing this module registers every core table."""

from lms.models.account import Account, ApiToken, RoleGrant
from lms.models.audit import AuditEvent
from lms.models.organization import Organization, OrgKind
from lms.models.person import Education, Employment, Person, Post
from lms.models.region import Region, RegionLevel
from lms.models.roster import ImportStatus, RosterImport
from lms.models.rules import RuleValue
from lms.models.security import LoginThrottle, SignIn

__all__ = [
    "Account", "ApiToken", "AuditEvent", "Education", "Employment", "ImportStatus", "LoginThrottle",
    "OrgKind", "Organization", "Person", "Post", "Region", "RegionLevel", "RoleGrant", "RosterImport",
    "RuleValue", "SignIn",
]
