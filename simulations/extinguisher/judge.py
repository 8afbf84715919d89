"""Teaching texts and points of the extinguishing drill (pure)."""

from __future__ import annotations

from simulations.i18n import N_

FIRES = {
    "A": N_("Class A: cardboard boxes and paper are burning in a storeroom."),
    "B": N_("Class B: spilled diesel is burning on the workshop floor."),
    "C": N_("Class C: gas is burning at a leaking cylinder valve."),
    "D": N_("Class D: magnesium shavings are burning at a machining bench."),
    "E": N_("Class E: a live electrical switch cabinet is burning."),
    "F": N_("Class F: cooking oil is burning in a wok in the canteen kitchen."),
}
AGENTS = {
    "water": N_("Water"),
    "foam": N_("Foam"),
    "abc_powder": N_("ABC dry powder"),
    "co2": N_("CO2"),
    "wet_chemical": N_("Wet chemical"),
    "d_special": N_("No extinguisher: D-class agent or dry sand"),
}
AGENT_RIGHT = {
    "A": N_("Right agent: water, foam or ABC dry powder put out burning solids."),
    "B": N_(
        "Right agent: foam, ABC dry powder or CO2 for burning liquids. Never water: it spreads burning oil."
    ),
    "C": N_("Right agent: ABC dry powder or CO2 for a gas fire. Shut off the gas supply when it is safe."),
    "D": N_(
        "Right: a metal fire needs a special D-class agent or dry sand; common "
        "extinguishers make it worse. Keep people away and call 119."
    ),
    "E": N_(
        "Right agent: ABC dry powder or CO2 do not conduct electricity. Cut the power "
        "when you can; never use a CO2 unit with a metal horn."
    ),
    "F": N_(
        "Right agent: a wet-chemical extinguisher (or a fire blanket or the pot lid) "
        "for burning cooking oil. Never water."
    ),
}
AGENT_WRONG = {
    "flare": N_("Wrong agent: water on burning oil makes the fire flare up and spread."),
    "shock": N_(
        "Wrong agent: water-based agents conduct electricity. You got an electric "
        "shock. Use ABC dry powder or CO2 on live equipment."
    ),
    "reaction": N_(
        "Wrong agent: common extinguishers react violently with burning metal. "
        "Use a special D-class agent or dry sand."
    ),
    "weak": N_("Wrong agent: it is not suited to this class of fire and barely affects it."),
}
STEPS_OK = N_("You followed the steps in order: lift, pull the pin, aim at the base, squeeze.")
STEPS_BAD = N_(
    "Steps out of order or missing. The order is: lift (提), pull the pin (拔), "
    "aim at the base of the flames (瞄), squeeze (压)."
)
DISTANCE_OK = N_("You discharged from 3 to 5 metres.")
DISTANCE_CLOSE = N_(
    "You were closer than 3 metres: the heat can hurt you and the jet can "
    "scatter burning material. Keep 3 to 5 metres."
)
DISTANCE_FAR = N_("You were further than 5 metres away: the jet does not reach. Keep 3 to 5 metres.")
WIND_OK = N_("You stood upwind or to the side, so smoke and agent blew away from you.")
WIND_BAD = N_("You stood downwind: smoke, heat and the agent blew back at you. Stand upwind.")
SWEEP_OK = N_("You swept the jet from side to side across the base of the fire.")
SWEEP_BAD = N_("You did not sweep. Sweep the jet side to side across the base of the fire.")
OUT_OK = N_("The fire is out. Watch for re-ignition.")
OUT_BAD = N_("The fire was not put out before the extinguisher was empty or the fire grew out of control.")
RETREAT_OK = N_("The fire was beyond control, so you left and called 119.")
RETREAT_BAD = N_("You stayed at a fire that was out of control. Leave at once and call 119.")

OUTCOMES = {
    "completed": N_("You dealt with every fire."),
    "shock": N_("You got an electric shock and the drill stopped."),
}
UNFINISHED = N_("The drill was not finished.")

POINTS = {"agent": 10, "steps": 5, "distance": 5, "wind": 5, "sweep": 3, "out": 7, "retreat": 5}
CRITICAL_EFFECTS = {"flare", "shock", "reaction"}
