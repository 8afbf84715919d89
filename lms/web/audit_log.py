"""Audit log viewer; scoped viewers see events of their organizations only."""

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from lms.authz import requires, visible_org_ids
from lms.extensions import db
from lms.models import AuditEvent
from lms.roles import Perm, Role
from lms.web import bp


@bp.get("/audit")
@requires(Perm.AUDIT_VIEW)
def audit_log():
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if not any(g.role == Role.SYSTEM_ADMIN for g in current_user.grants):
        query = query.where(AuditEvent.organization_id.in_(visible_org_ids(current_user,
                                                                          Perm.AUDIT_VIEW)))
    action = request.args.get("action", "").strip()
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("web/audit.html", page=page, action=action)
