"""Audit log viewer; scoped viewers see events of their organizations only."""

from datetime import UTC, date, datetime, time, timedelta

from flask import flash, render_template, request
from flask_login import current_user
from sqlalchemy import select

from lms.audit_sentences import GROUPS, group_actions, register_core, sentence
from lms.authz import has_permission, requires, visible_org_ids
from lms.extensions import db
from lms.i18n import _
from lms.models import Account, AuditEvent, Organization
from lms.roles import Perm, Role
from lms.web import bp

register_core()


def _day(name: str) -> date | None:
    """A YYYY-MM-DD filter value, or None (with a message) when it is not a date."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        flash(_("“%(value)s” is not a date; use the date picker or YYYY-MM-DD.", value=raw[:20]), "error")
        return None


def _filters() -> dict:
    """The validated GET filters: who (username), what (action group), from and to (dates)."""
    group = request.args.get("group", "").strip()
    if group and group not in GROUPS:
        flash(_("Unknown kind of event; showing every kind."), "error")
        group = ""
    start, end = _day("from"), _day("to")
    if start and end and end < start:
        flash(_("The end date is before the start date; the dates were swapped."), "error")
        start, end = end, start
    return {"who": request.args.get("who", "").strip()[:64], "group": group, "start": start, "end": end}


def _filtered(query, f: dict):
    """Narrow the event query by the filters (dates are whole UTC days, the end day included)."""
    if f["who"]:
        query = query.join(Account, AuditEvent.actor_id == Account.id).where(Account.username == f["who"])
    if f["group"]:
        query = query.where(AuditEvent.action.in_(sorted(group_actions(f["group"]))))
    if f["start"]:
        query = query.where(AuditEvent.at >= datetime.combine(f["start"], time.min, UTC))
    if f["end"]:
        query = query.where(AuditEvent.at < datetime.combine(f["end"] + timedelta(days=1), time.min, UTC))
    return query


def _targets(events) -> dict:
    """The objects the events touched, one query per kind of object rather than one per row."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.target_type and e.target_id is not None:
            wanted.setdefault(e.target_type, set()).add(e.target_id)
    registry = db.Model.registry._class_registry
    found = {}
    for type_name, ids in wanted.items():
        model = registry.get(type_name)
        if model is None or not hasattr(model, "id"):
            continue
        for obj in db.session.scalars(select(model).where(model.id.in_(ids))):
            found[(type_name, obj.id)] = obj
    return found


def _organizations(events) -> dict[int, Organization]:
    """The organizations the events concern, in one query."""
    ids = {e.organization_id for e in events if e.organization_id is not None}
    if not ids:
        return {}
    return {o.id: o for o in db.session.scalars(select(Organization).where(Organization.id.in_(ids)))}


@bp.get("/audit")
@requires(Perm.AUDIT_VIEW)
def audit_log():
    """The events as sentences, newest first, filtered by who, what and when."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if not any(g.role == Role.SYSTEM_ADMIN for g in current_user.grants):
        query = query.where(AuditEvent.organization_id.in_(visible_org_ids(current_user,
                                                                          Perm.AUDIT_VIEW)))
    f = _filters()
    page = db.paginate(_filtered(query, f), per_page=50, error_out=False)
    targets = _targets(page.items)
    rows = [(e, sentence(e, targets.get((e.target_type, e.target_id)))) for e in page.items]
    groups = [(code, str(label)) for code, (label, _actions) in GROUPS.items()]
    args = {"who": f["who"], "group": f["group"], "from": f["start"] or "", "to": f["end"] or ""}
    return render_template("web/audit.html", page=page, rows=rows, groups=groups, f=f, args=args,
                           orgs=_organizations(page.items),
                           may_open_orgs=has_permission(current_user, Perm.ORG_VIEW))
