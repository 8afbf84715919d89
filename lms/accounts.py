"""Account and role-grant use cases, with the rule for who may grant what where."""

from datetime import datetime

from sqlalchemy import func, select

from lms.audit import record_event
from lms.auth.passwords import hash_password
from lms.authz import can_access_org
from lms.extensions import db
from lms.i18n import _l
from lms.models import Account, Organization, Person, Region, RoleGrant
from lms.roles import ENTERPRISE_GRANTABLE, Perm, Role, scope_kind
from lms.sign_ins import end_all_sign_ins


class GrantRefused(ValueError):
    """The actor may not grant this role in this scope, or the scope does not fit the role."""


#: Who besides a system admin may grant what: organization kind -> (roles, the permission the actor
#: must hold over that organization). Packages add their kinds with :func:`delegate_grants`.
DELEGATED_GRANTS: dict[str, tuple[tuple[Role, ...], str]] = {
    "enterprise": (ENTERPRISE_GRANTABLE, Perm.ACCOUNTS_MANAGE),
}


def delegate_grants(org_kind: str, roles, perm: str) -> None:
    """Let holders of ``perm`` grant and revoke ``roles`` in ``org_kind`` organizations in their scope."""
    DELEGATED_GRANTS[str(org_kind)] = (tuple(roles), perm)


def is_system_admin(account: Account) -> bool:
    """True when the account holds the global system-admin role."""
    return any(g.role == Role.SYSTEM_ADMIN for g in account.grants)


def check_grant(actor: Account, role: Role, org: Organization | None, region: Region | None):
    """Raise GrantRefused unless ``actor`` may grant ``role`` in that scope."""
    kind = scope_kind(role)
    if kind == "organization" and (org is None or region is not None):
        raise GrantRefused(_l("This role is granted within an organization."))
    if kind == "region" and (region is None or org is not None):
        raise GrantRefused(_l("This role is granted within a region."))
    if kind == "global" and (org is not None or region is not None):
        raise GrantRefused(_l("This role applies everywhere and takes no organization or region."))
    if is_system_admin(actor):
        return
    roles, perm = DELEGATED_GRANTS.get(str(org.kind) if org is not None else "", ((), ""))
    if role not in roles or not can_access_org(actor, perm, org):
        raise GrantRefused(_l("You may not grant this role."))


def grant_role(actor: Account, account: Account, role: Role, *, org: Organization | None = None,
               region: Region | None = None) -> RoleGrant:
    """Grant a role after checking the actor's right to do so; audited."""
    check_grant(actor, role, org, region)
    for grant in account.grants:
        if (grant.role, grant.organization_id, grant.region_id) == (
                role, getattr(org, "id", None), getattr(region, "id", None)):
            return grant
    grant = RoleGrant(role=role.value, organization=org, region=region, granted_by_id=actor.id)
    account.grants.append(grant)
    db.session.flush()
    record_event("role.granted", actor=actor, target=account, organization_id=getattr(org, "id", None),
                 role=role.value, region=getattr(region, "code", None))
    return grant


def revoke_grant(actor: Account, grant: RoleGrant, *, now: datetime) -> None:
    """Remove a grant the actor could have made; audited."""
    check_grant(actor, Role(grant.role), grant.organization, grant.region)
    record_event("role.revoked", actor=actor, target=grant.account,
                 organization_id=grant.organization_id, role=grant.role,
                 region=grant.region.code if grant.region else None)
    account = grant.account
    account.grants.remove(grant)
    # Pages already open must not keep showing what the role allowed.
    end_all_sign_ins(account, now=now, reason="role-revoked")
    db.session.flush()


def create_account(actor: Account, *, username: str, display_name: str, password: str,
                   role: Role, org: Organization | None = None, region: Region | None = None,
                   person: Person | None = None) -> Account:
    """Create a login with its first role grant; the grant rule applies before anything is added."""
    check_grant(actor, role, org, region)
    if db.session.scalar(select(Account.id).where(func.lower(Account.username) == username.lower())):
        raise GrantRefused(_l("That username is taken."))
    if person is not None and db.session.scalar(select(Account.id).where(Account.person_id == person.id)):
        raise GrantRefused(_l("That person already has an account."))
    account = Account(username=username, display_name=display_name,
                      password_hash=hash_password(password), person=person)
    db.session.add(account)
    db.session.flush()
    record_event("account.created", actor=actor, target=account, organization_id=getattr(org, "id", None))
    grant_role(actor, account, role, org=org, region=region)
    return account


def home_org_id(account: Account) -> int | None:
    """The organization an account belongs to first, to file its audit events under."""
    return next((g.organization_id for g in account.grants if g.organization_id), None)
