"""The rule table: every value with its period, scope, tag and source."""

from flask import render_template, request
from sqlalchemy import select

from lms.authz import requires
from lms.extensions import db
from lms.models import RuleValue
from lms.roles import Perm
from lms.rule_labels import format_rule_value, rule_label, version_label
from lms.web import bp


@bp.get("/rules")
@requires(Perm.RULES_VIEW)
def rules():
    """The rule table, optionally narrowed to keys with a prefix (links from other pages use it)."""
    prefix = request.args.get("prefix", "").strip()
    query = select(RuleValue).order_by(RuleValue.key, RuleValue.valid_from)
    if prefix:
        query = query.where(RuleValue.key.startswith(prefix))
    return render_template("web/rules.html", values=db.session.scalars(query).all(), prefix=prefix,
                           rule_label=rule_label, rule_value=format_rule_value, version_label=version_label)
