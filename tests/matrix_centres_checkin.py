"""Authorization-matrix plug-in for check-in, incidents, the room record and the seat sign-in.

The foreign records come from matrix_centres.extend_world (an open session of a foreign centre with
a room, a registration and an incident). The seat pages are public: a wrong ID number for the
foreign ticket must be refused without a word about the candidate.
"""

from exams.permissions import CHECK_IN


def cases(world):
    """Requests per check-in and seat endpoint."""
    c = world["centres"]
    s, room, reg = c["session"].id, c["room"].id, c["registration"].id
    ticket = c["registration"].ticket_number
    wrong_id = {"ticket": ticket, "id_number": "110101199003077777", "access_code": "123456",
                "language": "en"}
    base = f"/centre/sessions/{s}"
    return {
        "centres.checkin_sessions": [("GET", "/centre/checkin", None, CHECK_IN)],
        "centres.checkin": [("GET", f"{base}/checkin", None, "object"),
                            ("GET", f"{base}/checkin?room={room}&q={ticket}", None, "object")],
        "centres.checkin_present": [("POST", f"{base}/checkin/{reg}/present", {"room": room}, "object")],
        "centres.checkin_absent": [("POST", f"{base}/checkin/{reg}/absent", {"room": room}, "object")],
        "centres.checkin_doubt": [("POST", f"{base}/checkin/{reg}/doubt", {"room": room, "reason": "x"},
                                   "object")],
        "centres.incident_record": [("POST", f"{base}/incidents", {"room": room, "kind": "other",
                                                                   "registration": 0, "note": "x"},
                                     "object")],
        "centres.room_record_sign": [("POST", f"{base}/rooms/{room}/record", {"remarks": "x"}, "object")],
        "centres.seat_sign_in": [("GET", "/centre/seat", None, "open"),
                                 ("POST", "/centre/seat", wrong_id, "open")],
        "centres.seat_home": [("GET", "/centre/seat/ready", None, "open")],
        "centres.seat_sign_out": [("POST", "/centre/seat/sign-out", {}, "open")],
    }
