"""Authorization-matrix plug-in for the exam-centre admin's pages: rooms and seats, centre staff,
schedulable blueprints and exam sessions. The foreign records come from matrix_centres.extend_world
(a foreign centre with a room, a seat, an open session and its admin) and matrix_exams (a Lu'an
blueprint, outside the home centre's province)."""

from exams.permissions import CENTRE_MANAGE

#: Every status button of the session page.
ACTIONS = ("publish", "close-registration", "open", "close", "release-results", "cancel")


def _session_form(c) -> dict:
    return {"kind": "special_ops_theory", "title": "x", "operation_subtype": "1.2", "blueprint": 0,
            "bank": 0, "day": "2026-12-20", "start": "09:00", "end": "11:00",
            "registration_closes": "2026-12-13T17:00", "rooms": [c["room"].id], "code_prefix": "XX"}


def cases(world):
    """Requests per endpoint of the centre admin's pages."""
    c = world["centres"]
    centre, room, seat, s = c["centre"].id, c["room"].id, c["seat"].id, c["session"].id
    grant = c["admin"].grants[0].id
    blueprint = world["exams"]["blueprint"].id if "exams" in world else 999_999
    base = f"/centre/sessions/{s}"
    return {
        "centres.rooms": [("GET", "/centre/rooms", None, CENTRE_MANAGE),
                          ("GET", f"/centre/rooms?centre={centre}", None, "object"),
                          ("POST", "/centre/rooms", {"centre": centre, "code": "INTRUDE", "name": "x",
                                                     "kind": "theory"}, CENTRE_MANAGE)],
        "centres.room": [("GET", f"/centre/rooms/{room}", None, "object")],
        "centres.add_seats": [("POST", f"/centre/rooms/{room}/seats",
                               {"prefix": "Q", "first": 1, "last": 2}, "object")],
        "centres.edit_seat": [("POST", f"/centre/seats/{seat}", {f"seat-{seat}-workstation": "x"}, "object")],
        "centres.staff": [("GET", "/centre/staff", None, CENTRE_MANAGE),
                          ("GET", f"/centre/staff?centre={centre}", None, "object")],
        "centres.grant_staff": [("POST", "/centre/staff/grant",
                                 {"grant-centre": centre, "grant-username": "b_centre_admin",
                                  "grant-role": "invigilator"}, CENTRE_MANAGE)],
        "centres.new_staff": [("POST", "/centre/staff/new", {"new-centre": centre, "new-username": "intruder",
                                                             "new-display_name": "x",
                                                             "new-password": "a-long-password",
                                                             "new-role": "invigilator"}, CENTRE_MANAGE)],
        "centres.revoke_staff": [("POST", f"/centre/staff/grants/{grant}/revoke", {}, "object")],
        "centres.schedulable_blueprints": [("GET", "/centre/blueprints", None, CENTRE_MANAGE),
                                           ("GET", f"/centre/blueprints?centre={centre}", None, "object")],
        "centres.schedulable_blueprint": [("GET", f"/centre/blueprints/{blueprint}", None, "object")],
        "centres.sessions": [("GET", "/centre/sessions", None, CENTRE_MANAGE),
                             ("GET", f"/centre/sessions?centre={centre}", None, "object")],
        "centres.new_session": [("GET", f"/centre/sessions/new?centre={centre}", None, "object"),
                                ("POST", f"/centre/sessions/new?centre={centre}", _session_form(c),
                                 "object")],
        "centres.session": [("GET", base, None, "object")],
        "centres.edit_session": [("GET", f"{base}/edit", None, "object"),
                                 ("POST", f"{base}/edit", _session_form(c), "object")],
        "centres.session_transition": [("POST", f"{base}/status/{action}", {}, "object")
                                       for action in ACTIONS],
        "centres.regenerate_access_code": [("POST", f"{base}/access-code", {}, "object")],
    }
