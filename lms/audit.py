"""Write audit events; the client's address is filled in when there is a request."""

from flask import has_request_context, request

from lms.extensions import db
from lms.models import AuditEvent


def record_event(action: str, *, actor, target=None, organization_id: int | None = None,
                 ip: str | None = None, **details) -> AuditEvent:
    """Append an audit event in the current transaction (the caller commits).

    ``actor`` is the account acting, or None for the system and for strangers; it is always passed
    in, so a background job records the same as a request. ``ip`` is for events recorded away
    from the request they concern (the request's own address is used otherwise).
    """
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
