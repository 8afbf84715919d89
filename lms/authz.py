"""The one authorization helper: route decorators and organization scoping for queries."""

from collections.abc import Callable
from functools import wraps

from flask import abort, session
from flask_login import current_user
from sqlalchemy import false, or_, select, true

from lms.clock import now
from lms.extensions import login_manager
from lms.models import Account, Organization, Region
from lms.roles import ROLE_PERMISSIONS, Role
from lms.sign_ins import SESSION_KEY, account_for_token

#: Marker attribute set on every view function; a test checks that no route lacks it.
AUTHZ_ATTR = "__lms_authz__"


def grants_with(account: Account, perm: str):
    """Grants of the account that carry the permission."""
    if not account or not account.is_authenticated:
        return []
    return [g for g in account.grants if perm in ROLE_PERMISSIONS.get(Role(g.role), ())]


def has_permission(account: Account, perm: str) -> bool:
    """True when the account holds the permission anywhere."""
    return bool(grants_with(account, perm))


def org_scope_clause(account: Account, perm: str):
    """SQL condition on Organization limiting rows to those the account may see with ``perm``."""
    conditions = []
    for grant in grants_with(account, perm):
        if grant.role == Role.SYSTEM_ADMIN:
            return true()
        if grant.organization_id is not None:
            conditions.append(Organization.id == grant.organization_id)
        if grant.region_id is not None:
            conditions.append(Organization.region_id.in_(grant.region.subtree_ids()))
    return or_(*conditions) if conditions else false()


def visible_org_ids(account: Account, perm: str):
    """Select of organization ids in the account's scope for ``perm``."""
    return select(Organization.id).where(org_scope_clause(account, perm))


def can_access_org(account: Account, perm: str, org: Organization) -> bool:
    """True when ``org`` lies inside one of the account's grants carrying ``perm``."""
    for grant in grants_with(account, perm):
        if grant.role == Role.SYSTEM_ADMIN or grant.organization_id == org.id:
            return True
        if grant.region is not None and org.region.is_within(grant.region):
            return True
    return False


def can_access_region(account: Account, perm: str, region: Region) -> bool:
    """True when the whole region lies within the account's scope for ``perm``."""
    for grant in grants_with(account, perm):
        if grant.role == Role.SYSTEM_ADMIN:
            return True
        if grant.region is not None and region.is_within(grant.region):
            return True
    return False


def ensure_org(perm: str, org: Organization | None) -> Organization:
    """Return ``org`` or answer 404, so objects outside the caller's scope look absent."""
    if org is None or not can_access_org(current_user, perm, org):
        abort(404)
    return org


def requires(perm: str, *, hide: bool = False) -> Callable:
    """Route decorator: log in first, then hold ``perm`` somewhere, else 403.

    ``hide`` answers 404 instead, for pages whose very existence is kept from other roles
    (the exam side of 教考分离 towards trainers).
    """

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_permission(current_user, perm):
                abort(404 if hide else 403)
            return view(*args, **kwargs)

        setattr(wrapped, AUTHZ_ATTR, f"{'hidden' if hide else 'perm'}:{perm}")
        return wrapped

    return decorate


def signed_in(view: Callable) -> Callable:
    """Route decorator for pages any signed-in account may open (its own data only)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    setattr(wrapped, AUTHZ_ATTR, "signed-in")
    return wrapped


def public(view: Callable) -> Callable:
    """Route decorator declaring a page open to everyone."""
    setattr(view, AUTHZ_ATTR, "public")
    return view


@login_manager.user_loader
def _load_account(account_id: str) -> Account | None:
    # The cookie alone proves nothing: its sign-in must still be live in the database, so a
    # sign-out, a password change or a disabled account ends it on every server at once.
    return account_for_token(int(account_id), session.get(SESSION_KEY), now=now())
