"""Authorization-matrix plug-in for the candidate's exam pages.

They are public and find the candidate through the seat's sign-in alone, so a staff account (or
anyone) without one reaches no attempt: the pages send it to the seat sign-in, the JSON endpoints
and the question images answer 404, whatever attempt or item is asked for.
"""


def cases(world):
    """Requests per candidate endpoint, made without a seat sign-in."""
    reg = world["centres"]["registration"]
    item = reg.paper.items[0].id if reg.paper_id and reg.paper.items else 1
    save = {"item": item, "choice": "0", "seq": "1"}
    return {
        "attempts.start": [("POST", "/exam/start", {}, "open")],
        "attempts.page": [("GET", "/exam/attempt", None, "open"),
                          ("GET", "/exam/attempt?view=list", None, "open")],
        "attempts.image": [("GET", f"/exam/attempt/items/{item}/image", None, "object")],
        "attempts.save": [("POST", "/exam/attempt/answers", save, "object")],
        "attempts.state": [("GET", "/exam/attempt/state", None, "object")],
        "attempts.event": [("POST", "/exam/attempt/events", {"kind": "focus_lost"}, "object")],
        "attempts.summary": [("GET", "/exam/attempt/summary", None, "open")],
        "attempts.submit": [("POST", "/exam/attempt/submit", {}, "open")],
        "attempts.done": [("GET", "/exam/attempt/done", None, "open")],
    }
