"""Teaching texts and points of the confined-space drill (pure)."""

from __future__ import annotations

from simulations.i18n import N_

TEXT = {
    "permit": (
        N_("The work permit was approved before anyone went in."),
        N_("Nobody may enter without an approved work permit (作业审批)."),
    ),
    "isolate_pipes": (
        N_("Pipes into the space were isolated (blinded) before entry."),
        N_(
            "The pipes were not isolated: gas or liquid can flow in while people "
            "work. Blind or disconnect them first."
        ),
    ),
    "lockout_power": (
        N_("Power to agitators and pumps was cut, locked and tagged."),
        N_("The power was not locked out: machinery could start while someone is inside."),
    ),
    "ventilate_first": (
        N_("You ventilated before testing: 先通风、再检测、后作业."),
        N_(
            "You tested before ventilating. The rule is ventilate first, then "
            "test, then work (先通风、再检测、后作业)."
        ),
    ),
    "tests_complete": (
        N_("The air was tested at the top, middle and bottom."),
        N_(
            "Not every level was tested. Gases layer: H2S sinks, methane rises. "
            "Test the top, middle and bottom."
        ),
    ),
    "test_fresh": (
        N_("The gas tests were no older than %(age)d minutes at entry."),
        N_(
            "A gas test was more than %(age)d minutes old at entry. Test again no "
            "earlier than %(age)d minutes before work starts."
        ),
    ),
    "readings_ok": (
        N_(
            "All readings were within limits: oxygen %(o2_min)g to %(o2_max)g per cent, "
            "flammables below %(lel)g per cent of the LEL, H2S at most %(h2s)g mg/m3, CO at "
            "most %(co)g mg/m3."
        ),
        N_(
            "Someone entered although a reading was outside the limits: oxygen "
            "%(o2_min)g to %(o2_max)g per cent, below %(lel)g per cent of the LEL, H2S at most "
            "%(h2s)g mg/m3, CO at most %(co)g mg/m3."
        ),
    ),
    "ventilate_during": (
        N_("Ventilation kept running while people were inside."),
        N_("Ventilation must keep running while people are inside."),
    ),
    "attendant": (
        N_("An attendant (监护人) stayed outside at the opening."),
        N_(
            "There was no attendant outside. An attendant must watch the whole "
            "job from outside and never leave."
        ),
    ),
    "harness": (
        N_("The entrant wore a harness with a lifeline to the outside."),
        N_("The entrant wore no harness and lifeline, so nobody could pull him out without going in."),
    ),
    "evacuate": (
        N_("When the monitor alarmed you ordered everyone out at once."),
        N_("The monitor alarmed but you did not order the evacuation at once."),
    ),
    "alarm": (
        N_("You raised the alarm and called for help (120/119)."),
        N_("You did not raise the alarm. Call for help before and during any rescue."),
    ),
    "rescue": (
        N_(
            "You rescued from outside with the lifeline (or entered only with "
            "breathing apparatus). No blind rescue."
        ),
        N_(
            "Blind rescue: you went in without breathing apparatus and collapsed too. "
            "Never enter to rescue without protection (严禁盲目施救)."
        ),
    ),
}
NO_LIFELINE = N_("There is no lifeline to pull: the entrant wore no harness.")
OUTCOMES = {
    "rescued": N_("The collapsed worker was brought out alive."),
    "blind_rescue": N_("The rescuer collapsed as well: blind rescue."),
    "no_rescue": N_("Nobody rescued the collapsed worker in time."),
    "timeout": N_("Time ran out before the job was done."),
}
UNFINISHED = N_("The drill was not finished.")
POINTS = {
    "permit": 10,
    "isolate_pipes": 5,
    "lockout_power": 5,
    "ventilate_first": 10,
    "tests_complete": 10,
    "test_fresh": 10,
    "readings_ok": 10,
    "ventilate_during": 5,
    "attendant": 10,
    "harness": 5,
    "evacuate": 10,
    "alarm": 10,
    "rescue": 15,
}
CRITICAL = {
    "permit",
    "isolate_pipes",
    "lockout_power",
    "tests_complete",
    "test_fresh",
    "readings_ok",
    "attendant",
    "rescue",
}
EVENTS = {
    "permit": N_("Work permit approved."),
    "pipes": N_("Pipes isolated with blind flanges."),
    "power": N_("Power locked out and tagged."),
    "fan_on": N_("Ventilation fan on."),
    "fan_off": N_("Ventilation fan off."),
    "attendant": N_("Attendant posted at the opening."),
    "harness": N_("Harness and lifeline on."),
    "scba": N_("Breathing apparatus on."),
    "test": N_("Gas test done."),
    "enter": N_("Workers enter the space."),
    "surge": N_("ALARM: the gas monitor reads above the limit!"),
    "evacuate": N_("Evacuation ordered."),
    "collapse": N_("Your colleague has collapsed inside!"),
    "alarm": N_("Alarm raised: rescue team and 120 called."),
    "waited": N_("Waited 5 minutes."),
    "no_lifeline": NO_LIFELINE,
    "rescued": N_("Your colleague is out and breathing."),
    "blind": N_("You went in without breathing apparatus and collapsed."),
}


def limit_params(rules: dict) -> dict[str, float]:
    """Acceptance thresholds from the rules, named as the teaching texts' placeholders."""
    return {
        "o2_min": rules["oxygen_pct_min"],
        "o2_max": rules["oxygen_pct_max"],
        "lel": rules["lel_pct_max"],
        "h2s": rules["h2s_mg_m3_max"],
        "co": rules["co_mg_m3_max"],
    }


def text_params(code: str, rules: dict) -> dict[str, float] | None:
    """Rule values a decision's teaching text quotes, or None when it quotes none."""
    if code == "readings_ok":
        return limit_params(rules)
    if code == "test_fresh":
        return {"age": rules["test_max_age_min"]}
    return None
