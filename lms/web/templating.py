"""Template globals and filters shared by every package's pages."""

from flask import Flask
from flask_login import current_user

from lms import catalog
from lms.authz import has_permission
from lms.i18n import current_locale
from lms.idcard import mask_id_number
from lms.labels import ORG_KIND_LABELS, POST_LABELS, RULE_TAG_LABELS, UNIT_LABELS
from lms.roles import ROLE_LABELS, Role

#: Navigation entries: (endpoint, label msgid holder, permission or None for any signed-in user).
NAV_ITEMS: list[tuple[str, object, str | None]] = []


def add_nav_item(endpoint: str, label, permission: str | None) -> None:
    """Let a package add an entry to the main navigation."""
    NAV_ITEMS.append((endpoint, label, permission))


def _nav_for_current_user():
    if not current_user.is_authenticated:
        return []
    return [(ep, label) for ep, label, perm in NAV_ITEMS
            if perm is None or has_permission(current_user, perm)]


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(Role(role), role))


def register_template_helpers(app: Flask) -> None:
    """Install globals and filters used by templates."""
    app.jinja_env.filters["mask_id"] = mask_id_number
    app.jinja_env.filters["citation"] = catalog.citation
    app.jinja_env.globals.update(
        nav_items=_nav_for_current_user,
        current_locale=current_locale,
        industry_label=lambda code: catalog.label(catalog.industry(code)) or "",
        subtype_label=lambda code: catalog.label(catalog.operation_subtype(code)),
        category_label=lambda code: catalog.label(catalog.operation_category(code)),
        org_kind_label=lambda kind: str(ORG_KIND_LABELS.get(kind, kind)),
        post_label=lambda post: str(POST_LABELS.get(post, post)),
        role_label=role_label,
        tag_label=lambda tag: str(RULE_TAG_LABELS.get(tag, tag)),
        unit_label=lambda unit: str(UNIT_LABELS.get(unit, unit or "")),
        region_label=lambda region: region.display_name(current_locale()) if region else "",
    )
