"""The pass mark decides: a run that ends well and breaks no critical rule still fails below the pass
mark (rules.json ``pass_mark_pct``), and passes at or above it. Each drill is run just below and just
above its mark with ordinary, non-critical mistakes; no pygame."""

import pytest

from simulations.confined_space.model import ConfinedSpaceModel
from simulations.drill import RunInfo, build_result
from simulations.escape import floorplan as fp
from simulations.escape.model import EscapeModel
from simulations.extinguisher.model import POSITIONS, ExtinguisherModel
from simulations.rules import section

STEP = 1 / 60
#: The right agent per fire class, and the handling steps done out of order (提 after 拔).
AGENT = {"A": "water", "B": "foam", "C": "co2", "D": "d_special", "E": "abc_powder", "F": "wet_chemical"}
STEPS_OUT_OF_ORDER = ("pin", "lift", "aim")


def test_the_pass_marks_are_the_designed_ones():
    marks = {drill: section(drill)["pass_mark_pct"] for drill in ("escape", "extinguisher", "confined_space")}
    assert marks == {"escape": 60, "extinguisher": 70, "confined_space": 70}


def run_for(model, seconds: float, until=lambda: False) -> None:
    """Advance the model in fixed steps for ``seconds`` or until ``until()`` or the end."""
    for _ in range(round(seconds / STEP)):
        if model.finished or until():
            return
        model.update(STEP)


# --- Fire extinguishing ---------------------------------------------------------------------------

def fight_fire(model: ExtinguisherModel, position: str) -> None:
    """Right agent, steps out of order, 2 m from the fire (too close), sweeping, from ``position``;
    a fire that gets out of control is left, with a call to 119 (the right thing then)."""
    rnd = model.round
    model.choose(AGENT[rnd.fire_class])
    if rnd.result is not None:  # a metal fire: choosing no common extinguisher ends the round
        run_for(model, 3.2)
        return
    model.step(STEPS_OUT_OF_ORDER[0])
    while POSITIONS[rnd.position] != position:
        model.walk(1)
    model.set_controls(False, 1.0)
    run_for(model, (rnd.distance - 2.0) / model.r["walk_speed_mps"])
    for name in STEPS_OUT_OF_ORDER[1:]:
        model.step(name)
    model.toggle_sweep()
    model.set_controls(True, 0.0)
    run_for(model, 120, until=lambda: rnd.result is not None or rnd.out_of_control_at is not None)
    model.set_controls(False, 0.0)
    if rnd.result is None:
        model.retreat()
    run_for(model, 3.2)  # the pause before the next fire


def extinguisher_run(downwind_fires: int) -> ExtinguisherModel:
    model = ExtinguisherModel(11)
    fought = 0
    while not model.finished:
        fight_fire(model, "downwind" if fought < downwind_fires else "upwind")
        fought += 1
    return model


# --- Confined-space entry -------------------------------------------------------------------------

#: Permit, isolation, then a gas test before the fan (breaks 先通风、再检测), ventilation, tests.
PREP = ["permit", "pipes", "power", "test_top", "fan", "wait", "wait", "wait", "wait", "wait", "wait",
        "test_top", "test_middle", "test_bottom", "attendant"]


def confined_space_run(harness: bool) -> ConfinedSpaceModel:
    """The fan switched off inside, no evacuation at the warning, no alarm before the rescue;
    the rescue with breathing apparatus (without a harness) or with the lifeline."""
    model = ConfinedSpaceModel(0)
    for action in PREP + (["harness"] if harness else []) + ["enter", "fan"]:
        model.act(action)
    run_for(model, 600, until=lambda: model.phase == "rescue")
    for action in ("lifeline",) if harness else ("scba", "go_in"):
        model.act(action)
    return model


# --- Fire escape ----------------------------------------------------------------------------------

def walk_to(model: EscapeModel, col: int, row: int) -> None:
    assert model.goto(col, row)
    run_for(model, 120, until=lambda: not model.path)


def escape_run(dawdle_s: float) -> EscapeModel:
    """Standing in the classroom for ``dawdle_s`` before leaving upright without a wet cloth, then a
    tested door, the assembly point and the 119 call."""
    model = EscapeModel(fp.load_plan("school"), 1)
    run_for(model, dawdle_s)
    walk_to(model, 36, 10)
    model.test_door()
    model.open_door()
    walk_to(model, 19, 1)
    model.call_119()
    run_for(model, 4)
    return model


RUNS = {
    "extinguisher_below": ("extinguisher", lambda: extinguisher_run(downwind_fires=1), "completed", False),
    "extinguisher_above": ("extinguisher", lambda: extinguisher_run(downwind_fires=0), "completed", True),
    "confined_space_below": ("confined_space", lambda: confined_space_run(harness=False), "rescued", False),
    "confined_space_above": ("confined_space", lambda: confined_space_run(harness=True), "rescued", True),
    "escape_below": ("escape", lambda: escape_run(dawdle_s=120), "escaped", False),
    "escape_above": ("escape", lambda: escape_run(dawdle_s=100), "escaped", True),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_a_run_without_critical_mistakes_passes_only_at_the_pass_mark(name):
    drill, play, good_end, passes = RUNS[name]
    model = play()
    assert model.outcome == good_end and not model.sheet.critical_failure()
    assert model.sheet.mistakes(), "the run makes ordinary mistakes"
    mark = section(drill)["pass_mark_pct"]
    # The scenario must land on its side of the mark; the score is out of 100 in every drill.
    assert model.max_score == 100 and (model.score() >= mark) is passes, (model.score(), mark)
    assert model.passed() is passes
    assert build_result(RunInfo(drill=drill, seed=0, lang="en"), model).passed is passes
