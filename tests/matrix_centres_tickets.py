"""Authorization-matrix plug-in for exam-day documents: tickets, candidate photos, room records.

Every request names a record of the foreign centre (tests/matrix_centres.py), so each answers 404
to anyone allowed the page at all, and 403 to a role without its permission. The photo page hides
itself (404) from roles holding neither of its two permissions.
"""


def cases(world):
    """Requests per endpoint of exams/centres/routes/tickets.py."""
    c = world["centres"]
    reg, session, room = c["registration"].id, c["session"].id, c["record_room"].id
    org = c["registration"].organization_id
    return {
        "centres.registration_photo": [("GET", f"/centre/registrations/{reg}/photo", None, "object")],
        "centres.ticket_pdf": [("GET", f"/centre/registrations/{reg}/ticket.pdf", None, "object")],
        "centres.session_tickets_pdf": [
            ("GET", f"/centre/sessions/{session}/tickets.pdf", None, "object"),
            ("GET", f"/centre/sessions/{session}/tickets.pdf?organization={org}", None, "object")],
        "centres.room_record_pdf": [("GET", f"/centre/sessions/{session}/rooms/{room}/record.pdf", None,
                                     "object")],
    }
