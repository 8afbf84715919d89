"""Template globals and filters shared by every package's pages, and the registries they read."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user

from lms import catalog
from lms.authz import has_permission
from lms.i18n import _l, current_locale
from lms.idcard import mask_id_number
from lms.labels import ORG_KIND_LABELS, POST_LABELS, RULE_TAG_LABELS, UNIT_LABELS
from lms.roles import ROLE_LABELS, Role

#: Domains of the navigation, in the order the top bar shows them; packages register into these.
NAV_GROUPS: dict[str, Any] = {
    "training": _l("Training"),
    "question_bank": _l("Question bank"),
    "exams": _l("Exams"),
    "certificates": _l("Certificates"),
    "compliance": _l("Compliance"),
    "administration": _l("Administration"),
}


@dataclass(frozen=True)
class NavItem:
    """One link of the navigation, shown when the account holds ``permission`` and ``when`` agrees."""

    group: str
    endpoint: str
    label: Any
    permission: str | None
    when: Callable | None = None

    def visible_to(self, account) -> bool:
        """True when the account may see this entry."""
        if self.permission is not None and not has_permission(account, self.permission):
            return False
        return self.when is None or bool(self.when(account))


NAV_ITEMS: list[NavItem] = []


def add_nav_item(group: str, endpoint: str, label, permission: str | None, *,
                 when: Callable | None = None) -> None:
    """Let a package add an entry to a navigation group; registering an endpoint again replaces it."""
    if group not in NAV_GROUPS:
        raise ValueError(f"unknown navigation group {group!r}")
    # Apps are built more than once in one process (tests); the latest registration wins.
    NAV_ITEMS[:] = [item for item in NAV_ITEMS if item.endpoint != endpoint]
    NAV_ITEMS.append(NavItem(group, endpoint, label, permission, when))


@dataclass(frozen=True)
class NavGroup:
    """A group as one account sees it: its visible items and whether the current page is one."""

    key: str
    label: Any
    items: list[NavItem]

    @property
    def current(self) -> bool:
        return any(item.endpoint == request.endpoint for item in self.items)


def nav_groups_for(account) -> list[NavGroup]:
    """The groups the account works in, in order; a group without a visible item is left out."""
    if not account.is_authenticated:
        return []
    visible = [item for item in NAV_ITEMS if item.visible_to(account)]
    groups = [NavGroup(key, label, [i for i in visible if i.group == key])
              for key, label in NAV_GROUPS.items()]
    return [group for group in groups if group.items]


@dataclass(frozen=True)
class HomeTask:
    """A tile on the dashboard: a count for the account that leads to the page where it is handled."""

    label: Any
    target: str | Callable[[Any], str]
    count: Callable[[Any], int | None]
    permission: str | None
    group: str
    when: Callable | None = None

    @property
    def key(self) -> tuple:
        target = self.target if isinstance(self.target, str) else self.target.__qualname__
        return (self.group, target, self.count.__module__, self.count.__qualname__)

    def url(self, account) -> str:
        """Where the tile leads: an endpoint name or a callable giving the URL for the account."""
        return url_for(self.target) if isinstance(self.target, str) else self.target(account)


HOME_TASKS: list[HomeTask] = []


def add_home_task(label, target: str | Callable, count: Callable[[Any], int | None],
                  permission: str | None, group: str, *, when: Callable | None = None) -> None:
    """Let a package put a task tile on the dashboard; ``count`` returning None hides the tile."""
    if group not in NAV_GROUPS:
        raise ValueError(f"unknown navigation group {group!r}")
    task = HomeTask(label, target, count, permission, group, when)
    HOME_TASKS[:] = [t for t in HOME_TASKS if t.key != task.key]
    HOME_TASKS.append(task)


def home_tasks_for(account) -> list[tuple[HomeTask, int, str]]:
    """(task, count, url) for every task of the account's roles, in navigation-group order."""
    order = list(NAV_GROUPS)
    found = []
    for task in sorted(HOME_TASKS, key=lambda t: order.index(t.group)):
        if task.permission is not None and not has_permission(account, task.permission):
            continue
        if task.when is not None and not task.when(account):
            continue
        count = task.count(account)
        if count is not None:
            found.append((task, count, task.url(account)))
    return found


@dataclass(frozen=True)
class DashboardPanel:
    """A section of the dashboard drawn by a package's template from a context it works out."""

    template: str
    context: Callable[[Any], dict | None]
    permission: str | None


DASHBOARD_PANELS: list[DashboardPanel] = []


def add_dashboard_panel(template: str, context: Callable[[Any], dict | None], permission: str | None) -> None:
    """Let a package add a dashboard section; ``context`` returning None leaves it out for that account."""
    DASHBOARD_PANELS[:] = [p for p in DASHBOARD_PANELS if p.template != template]
    DASHBOARD_PANELS.append(DashboardPanel(template, context, permission))


def dashboard_panels_for(account) -> list[tuple[str, dict]]:
    """(template, context) of every panel the account may see and that has something to show."""
    found = []
    for panel in DASHBOARD_PANELS:
        if panel.permission is not None and not has_permission(account, panel.permission):
            continue
        context = panel.context(account)
        if context is not None:
            found.append((panel.template, context))
    return found


#: Lines of the public home page saying what the system does; each domain adds its own when it works.
HOME_FEATURES: list[tuple[str, Any, Any]] = []


def add_home_feature(key: str, title, text) -> None:
    """Let a package describe on the home page a capability that is in place."""
    HOME_FEATURES[:] = [f for f in HOME_FEATURES if f[0] != key]
    HOME_FEATURES.append((key, title, text))


def local_time_text(moment, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """An aware datetime as local wall-clock text (Asia/Shanghai by default); "" for None."""
    from lms.clock import local_tz

    return moment.astimezone(local_tz()).strftime(pattern) if moment is not None else ""


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(Role(role), role))


def register_template_helpers(app: Flask) -> None:
    """Install globals and filters used by templates."""
    app.jinja_env.filters["mask_id"] = mask_id_number
    app.jinja_env.filters["citation"] = catalog.citation
    app.jinja_env.filters["localtime"] = local_time_text
    app.jinja_env.globals.update(
        nav_groups=lambda: nav_groups_for(current_user),
        home_features=lambda: [(title, text) for _key, title, text in HOME_FEATURES],
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
        # Core pages link to a domain page only when that package is loaded.
        endpoint_exists=lambda name: name in app.view_functions,
    )
