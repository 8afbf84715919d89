"""Authorization-matrix plug-in for the invigilator's console.

The foreign records come from matrix_centres.extend_world: an open session of a foreign centre with
a room and a registration. Every console page and action names that session, so every home role
holding the check-in permission must get 404 (and change nothing), the others 403.
"""

from exams.permissions import CHECK_IN


def cases(world):
    """Requests per console endpoint."""
    c = world["centres"]
    s, room, reg = c["session"].id, c["room"].id, c["registration"].id
    base = f"/exam/console/{s}"
    seen = "in_progress|2026-12-15T03:00:00+00:00|0"
    return {
        "attempts.console_sessions": [("GET", "/exam/console", None, CHECK_IN)],
        "attempts.console": [("GET", base, None, "object"), ("GET", f"{base}?room={room}", None, "object")],
        "attempts.console_roster": [("GET", f"{base}/roster.json?room={room}", None, "object")],
        "attempts.console_extend": [("POST", f"{base}/{reg}/extend",
                                     {"room": room, "seen": seen, "minutes": 10, "reason": "x"}, "object")],
        "attempts.console_pause": [("POST", f"{base}/{reg}/pause",
                                    {"room": room, "seen": seen, "reason": "x"}, "object")],
        "attempts.console_resume": [("POST", f"{base}/{reg}/resume", {"room": room, "seen": seen}, "object")],
        "attempts.console_allow_move": [("POST", f"{base}/{reg}/move", {"room": room, "seen": seen},
                                         "object")],
        "attempts.console_terminate": [("POST", f"{base}/{reg}/terminate",
                                        {"room": room, "seen": seen, "reason": "x", "confirm": "y"},
                                        "object")],
        "attempts.console_incident": [("POST", f"{base}/{reg}/incident",
                                       {"room": room, "kind": "other", "note": "x"}, "object")],
    }
