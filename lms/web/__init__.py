"""Core pages: home, dashboard, organizations, people, rules, audit log, accounts and tokens."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from lms.i18n import _l  # noqa: E402
from lms.roles import Perm  # noqa: E402
from lms.web import accounts, audit_log, employments, home, orgs, people, rules_page, tokens  # noqa: E402,F401
from lms.web.home_tasks import organizations_in_scope, pending_roster_uploads, roster_review_url  # noqa: E402
from lms.web.templating import add_home_task, add_nav_item  # noqa: E402

add_nav_item("administration", "web.organizations", _l("Organizations"), Perm.ORG_VIEW)
add_nav_item("administration", "roster.upload", _l("Roster import"), Perm.ROSTER_IMPORT)
add_nav_item("administration", "web.accounts", _l("Accounts"), Perm.ACCOUNTS_MANAGE)
add_nav_item("administration", "web.rules", _l("Rules"), Perm.RULES_VIEW)
add_nav_item("administration", "web.audit_log", _l("Audit log"), Perm.AUDIT_VIEW)

add_home_task(_l("Organizations in your scope"), "web.organizations", organizations_in_scope,
              Perm.ORG_VIEW, "administration")
add_home_task(_l("Roster uploads awaiting your confirmation"), roster_review_url, pending_roster_uploads,
              Perm.ROSTER_IMPORT, "administration")
