"""Write audit events; the request's actor and address are filled in when there is a request."""

from flask import has_request_context, request
from flask_login import current_user

from lms.extensions import db
from lms.models import AuditEvent


def record_event(action: str, *, actor=None, target=None, organization_id: int | None = None,
                 ip: str | None = None, **details) -> AuditEvent:
    """Append an audit event in the current transaction (the caller commits).

    ``ip`` is for events recorded away from the request they concern (the request's own address
    is used otherwise).
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        target_type=type(target).__name__ if target is not None else None,
        target_id=getattr(target, "id", None),
        organization_id=organization_id,
        ip=ip or (request.remote_addr if has_request_context() else None),
        details=details,
    )
    db.session.add(event)
    return event
