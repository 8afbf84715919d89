"""Teaching texts, points and the final score of the fire escape drill (pure)."""

from __future__ import annotations

from simulations.i18n import N_
from simulations.scoring import ScoreSheet

DOOR_TESTED = N_("You felt the door with the back of your hand before opening it.")
DOOR_UNTESTED = N_(
    "You opened a door without feeling it first. Always touch the door or its "
    "handle with the back of your hand: a hot door means fire behind it."
)
HOT_DOOR_FOUND = N_("The door was hot, so you kept it shut and looked for another way out.")
HOT_DOOR_OPENED = N_(
    "You opened a hot door and fire and hot smoke burst through. A hot door "
    "means: keep it shut, and take another route."
)
LIFT = N_(
    "You took the lift. Never use a lift in a fire: the power can fail and the shaft "
    "fills with smoke. Use the stairs."
)
BELONGINGS = N_(
    "You went back for your belongings. Never go back for belongings: every second in the smoke counts."
)
WET_CLOTH_OK = N_("You covered your mouth and nose with a wet cloth in the smoke.")
WET_CLOTH_MISSING = N_(
    "You went through smoke without a wet cloth over your mouth and nose. Wet a cloth at a tap before you go."
)
CROUCH_OK = N_("You kept low under the smoke, where the air is cleaner and you can see more.")
CROUCH_MISSING = N_(
    "You walked upright through smoke. Smoke is densest near the ceiling: bend low and move along the wall."
)
ASSEMBLY_OK = N_("You reached the assembly point outside the building.")
ASSEMBLY_MISSING = N_("You did not reach the assembly point.")
CALL_OK = N_("You called 119 and reported the fire.")
CALL_MISSING = N_(
    "You did not call 119. Once you are safe, call 119 and give the address, "
    "what is burning and whether anyone is trapped."
)

OUTCOMES = {
    "escaped": N_("You escaped and called 119."),
    "collapsed": N_("You collapsed from smoke inhalation before reaching safety."),
    "lift": N_("You were trapped in the lift when the power failed."),
    "timeout": N_("Time ran out before you reached safety."),
}

UNFINISHED = N_("The drill was not finished.")

POINTS = {
    "door_tested": 5,
    "hot_door": 15,
    "lift": 20,
    "belongings": 10,
    "wet_cloth": 10,
    "crouch": 10,
    "assembly": 10,
    "call_119": 10,
}
CRITICAL = {"hot_door", "lift"}
TIME_POINTS, HEALTH_POINTS, DECISION_POINTS = 30, 30, 40
MAX_SCORE = TIME_POINTS + HEALTH_POINTS + DECISION_POINTS


def judge(sheet: ScoreSheet, code: str, correct: bool, message: str, t: float) -> None:
    """Record one escape decision with its points and criticality."""
    sheet.add(code, correct, message, t, POINTS[code], critical=code in CRITICAL)


def final_score(escaped: bool, t: float, health: float, par: float, limit: float, sheet: ScoreSheet) -> int:
    """Score out of 100: time (30), remaining health (30) and decisions (40)."""
    if escaped:
        spare = (limit - t) / max(1.0, limit - par)
        time_pts = round(TIME_POINTS * min(1.0, max(0.0, spare)))
        health_pts = round(HEALTH_POINTS * max(0.0, health) / 100.0)
    else:
        time_pts = health_pts = 0
    available = sheet.max_points()
    decision_pts = round(DECISION_POINTS * sheet.points() / available) if available else 0
    return time_pts + health_pts + decision_pts
