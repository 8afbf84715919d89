"""Core pages: home, dashboard, organizations, people, rules, audit log, accounts and tokens."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from lms.i18n import _l  # noqa: E402
from lms.roles import Perm  # noqa: E402
from lms.web import accounts, audit_log, home, orgs, people, rules_page, tokens  # noqa: E402,F401
from lms.web.templating import add_nav_item  # noqa: E402

add_nav_item("web.dashboard", _l("Dashboard"), None)
add_nav_item("web.organizations", _l("Organizations"), Perm.ORG_VIEW)
add_nav_item("roster.upload", _l("Roster import"), Perm.ROSTER_IMPORT)
add_nav_item("web.accounts", _l("Accounts"), Perm.ACCOUNTS_MANAGE)
add_nav_item("web.rules", _l("Rules"), Perm.RULES_VIEW)
add_nav_item("web.audit_log", _l("Audit log"), Perm.AUDIT_VIEW)
