"""Exam-day documents: admission tickets (one or a session's batch), candidate photos, room records."""

import io
from functools import wraps

from flask import abort, request, send_file
from flask_login import current_user
from sqlalchemy import select

from exams.centres.access import (
    manages_session,
    registration_or_404,
    registrations_clause,
    session_or_404,
)
from exams.centres.models import Registration, RegistrationStatus, Room, SessionRoom
from exams.centres.photos import PHOTO_TYPES, photo_for
from exams.centres.room_record_pdf import room_record_pdf as build_room_record
from exams.centres.routes import bp
from exams.centres.tickets import ticket_pdf as build_ticket
from exams.centres.tickets import tickets_pdf as build_tickets
from exams.permissions import CHECK_IN, REGISTER
from lms.audit import record_event
from lms.authz import AUTHZ_ATTR, has_permission, requires
from lms.extensions import db, login_manager
from lms.i18n import _l
from lms.storage import current_store

PDF = "application/pdf"

AUDIT_SENTENCES = {
    "exams.tickets.printed": _l("%(actor)s printed %(count)s admission tickets of the session "
                                "%(session)s"),
}


def requires_any(*perms: str):
    """Route decorator: log in first, then hold one of ``perms``; anyone holding none gets 404.

    For pages two roles reach through different permissions (a photo is needed by whoever
    registers and by whoever checks candidates in). Like ``requires(..., hide=True)`` it answers
    404, so the authorization matrix reads it as an object route that is simply not there.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not any(has_permission(current_user, perm) for perm in perms):
                abort(404)
            return view(*args, **kwargs)

        setattr(wrapped, AUTHZ_ATTR, "hidden-any:" + ",".join(perms))
        return wrapped

    return decorate


def _staff_of(session) -> bool:
    return manages_session(current_user, session, REGISTER) or manages_session(current_user, session,
                                                                                CHECK_IN)


def _pdf(data: bytes, name: str):
    response = send_file(io.BytesIO(data), mimetype=PDF, as_attachment=True, download_name=name)
    # Tickets carry names and ID numbers: never kept by a shared cache.
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.get("/registrations/<int:registration_id>/photo")
@requires_any(REGISTER, CHECK_IN)
def registration_photo(registration_id: int):
    """The candidate's photo (the registration's own, else the person's)."""
    reg = registration_or_404(registration_id)
    digest = photo_for(reg)
    store = current_store()
    mime = store.mime(digest) if digest else None
    if mime not in PHOTO_TYPES:
        abort(404)
    return store.send(digest, mime, max_age=0)


@bp.get("/registrations/<int:registration_id>/ticket.pdf")
@requires(REGISTER)
def ticket_pdf(registration_id: int):
    """One candidate's admission ticket."""
    reg = registration_or_404(registration_id)
    if not reg.is_active:
        abort(404)
    return _pdf(build_ticket(reg), f"ticket-{reg.ticket_number}.pdf")


@bp.get("/sessions/<int:session_id>/tickets.pdf")
@requires(REGISTER)
def session_tickets_pdf(session_id: int):
    """The session's tickets in one print-ready PDF: centre staff get every candidate (or one
    enterprise's with ?organization=), an enterprise admin their own enterprise's candidates."""
    session = session_or_404(session_id, REGISTER)
    query = (select(Registration)
             .where(registrations_clause(current_user, session),
                    Registration.status == RegistrationStatus.ACTIVE)
             .order_by(Registration.organization_id, Registration.ticket_number))
    organization = request.args.get("organization", type=int)
    if organization is not None:
        query = query.where(Registration.organization_id == organization)
    registrations = list(db.session.scalars(query))
    if not registrations and not _staff_of(session):
        # Enterprise admins see the province's published sessions; one where they have no
        # candidate has no tickets for them, exactly like a session they cannot see.
        abort(404)
    data = build_tickets(registrations)
    record_event("exams.tickets.printed", actor=current_user, target=session,
                 organization_id=session.centre_id, session=session.code, count=len(registrations),
                 filtered_to=organization)
    db.session.commit()
    suffix = f"-{organization}" if organization is not None else ""
    return _pdf(data, f"tickets-{session.code}{suffix}.pdf")


@bp.get("/sessions/<int:session_id>/rooms/<int:room_id>/record.pdf")
@requires(CHECK_IN)
def room_record_pdf(session_id: int, room_id: int):
    """The exam-room record of one of the session's rooms, for centre staff and invigilators."""
    session = session_or_404(session_id, CHECK_IN)
    room = db.session.scalar(select(Room).join(SessionRoom, SessionRoom.room_id == Room.id).where(
        SessionRoom.session_id == session.id, Room.id == room_id))
    if room is None:
        abort(404)
    return _pdf(build_room_record(session, room), f"room-record-{session.code}-{room.code}.pdf")
