"""Pages of the exam day: sessions, rooms, staff, registration, tickets, check-in, seat sign-in."""

from flask import Blueprint

from exams.centres.labels import template_helpers

bp = Blueprint("centres", __name__, url_prefix="/centre", template_folder="../../templates")
bp.context_processor(template_helpers)

from exams.centres.routes import (  # noqa: E402,F401
    bulk,
    checkin,
    registration,
    rooms,
    seat,
    sessions,
    staff,
    tickets,
)
