"""Extinguishing rules without pygame: agents, consequences, steps, distance, wind, growth."""

import pytest

from simulations.extinguisher.model import POSITIONS, ExtinguisherModel

STEP = 1 / 60
RIGHT = {
    "A": "water",
    "B": "foam",
    "C": "co2",
    "D": "d_special",
    "E": "abc_powder",
    "F": "wet_chemical",
}


def seconds(model, duration, squeeze=False, approach=0.0):
    model.set_controls(squeeze, approach)
    for _ in range(round(duration / STEP)):
        model.update(STEP)


def model_at(fire_class, seed_range=range(60)):
    """Return a model whose first fire is ``fire_class``."""
    for seed in seed_range:
        model = ExtinguisherModel(seed)
        if model.order[0] == fire_class:
            return model
    raise AssertionError(fire_class)


def handle_well(model, agent=None, steps=("lift", "pin", "aim"), position="upwind", distance=4.0, sweep=True):
    rnd = model.round
    model.choose(agent or RIGHT[rnd.fire_class])
    if rnd.result:
        return
    for name in steps[:1]:
        model.step(name)
    while POSITIONS[rnd.position] != position:
        model.walk(1)
    seconds(model, (rnd.distance - distance) / model.r["walk_speed_mps"], approach=1.0)
    for name in steps[1:]:
        model.step(name)
    if sweep:
        model.toggle_sweep()
    model.set_controls(True, 0.0)
    while rnd.result is None and not model.finished:
        model.update(STEP)
    model.set_controls(False, 0.0)


def codes(model):
    return {d.code: d.correct for d in model.sheet.decisions}


def test_fire_order_is_seeded_and_covers_all_classes():
    assert sorted(ExtinguisherModel(4).order) == list("ABCDEF")
    assert ExtinguisherModel(4).order == ExtinguisherModel(4).order
    assert len({tuple(ExtinguisherModel(s).order) for s in range(10)}) > 1


def test_doing_everything_right_passes():
    model = ExtinguisherModel(11)
    while not model.finished:
        handle_well(model)
        seconds(model, 3.2)
    assert model.outcome == "completed" and model.passed() and model.score() == 100


def test_water_on_live_equipment_is_a_shock_that_ends_the_drill():
    model = model_at("E")
    handle_well(model, agent="water")
    assert model.outcome == "shock" and not model.passed()
    assert codes(model)["E.agent"] is False and model.sheet.critical_failure()


@pytest.mark.parametrize("fire_class", ["B", "F"])
def test_water_on_burning_oil_flares_up(fire_class):
    model = model_at(fire_class)
    start = model.round.intensity
    model.choose("water")
    model.step("lift")
    model.step("pin")
    seconds(model, 0.1, squeeze=True)
    assert model.round.flared and model.round.intensity > start + 0.2
    assert model.sheet.critical_failure()


def test_metal_fire_right_choice_is_no_common_extinguisher():
    model = model_at("D")
    model.choose("d_special")
    assert model.round.result == "out" and codes(model) == {"D.agent": True}


def test_common_extinguisher_on_metal_reacts_violently():
    model = model_at("D")
    handle_well(model, agent="abc_powder")
    assert codes(model)["D.agent"] is False
    model2 = model_at("D")
    handle_well(model2, agent="co2")
    assert model2.round.flared and model2.sheet.critical_failure()


def test_squeezing_with_the_pin_in_does_nothing():
    model = model_at("A")
    model.choose("water")
    model.step("lift")
    seconds(model, 1.0, squeeze=True)
    assert model.round.discharged == 0 and model.message == "no_pin"


def test_steps_out_of_order_are_a_mistake():
    model = model_at("A")
    handle_well(model, steps=("lift", "aim", "pin"))
    assert codes(model)["A.steps"] is False


@pytest.mark.parametrize(("distance", "ok"), [(2.0, False), (3.5, True), (5.0, True), (5.8, False)])
def test_distance_must_be_three_to_five_metres(distance, ok):
    model = model_at("A")
    handle_well(model, distance=distance)
    assert codes(model)["A.distance"] is ok


def test_standing_downwind_is_wrong_and_weakens_the_jet():
    model = model_at("A")
    handle_well(model, position="downwind")
    assert codes(model)["A.wind"] is False
    side = model_at("A")
    handle_well(side, position="side")
    assert codes(side)["A.wind"] is True


def test_without_sweeping_the_charge_runs_out():
    model = model_at("A")
    handle_well(model, sweep=False)
    assert codes(model)["A.sweep"] is False
    assert model.round.charge == 0 or model.round.result != "out"


def test_an_unattended_fire_grows_out_of_control_and_staying_is_critical():
    model = model_at("A")
    start = model.round.intensity
    seconds(model, 10)
    assert model.round.intensity > start
    seconds(model, 40)
    assert codes(model)["A.retreat"] is False and model.sheet.critical_failure()


def test_leaving_an_uncontrolled_fire_and_calling_119_is_right():
    model = model_at("A")
    seconds(model, 34)
    assert model.round.out_of_control_at is not None
    model.retreat()
    assert codes(model)["A.retreat"] is True and model.round.result == "retreat"
