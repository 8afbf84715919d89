"""Confined-space rules without pygame: permit, isolation, ventilate-test-work, rescue."""

import pytest

from simulations.confined_space.atmosphere import out_of_limits
from simulations.confined_space.model import ConfinedSpaceModel
from simulations.rules import section

LIMITS = section("confined_space")
PREP = [
    "permit",
    "pipes",
    "power",
    "fan",
    "wait",
    "wait",
    "wait",
    "wait",
    "wait",
    "wait",
    "test_top",
    "test_middle",
    "test_bottom",
    "attendant",
    "harness",
]


def run(model, actions):
    for action in actions:
        model.act(action)


def until_phase(model, phase, limit_s=600):
    for _ in range(limit_s * 60):
        if model.phase == phase or model.finished:
            return
        model.update(1 / 60)


def full_run(seed=0, prep=PREP, react=("evacuate",), rescue=("alarm", "lifeline")):
    model = ConfinedSpaceModel(seed)
    run(model, prep)
    model.act("enter")
    until_phase(model, "alarm")
    run(model, react)
    until_phase(model, "rescue")
    run(model, rescue)
    return model


def codes(model):
    return {d.code: d.correct for d in model.sheet.decisions}


@pytest.mark.parametrize(
    ("reading", "bad"),
    [
        ({"o2": 19.5, "lel": 9.9, "h2s": 10.0, "co": 20.0}, []),
        ({"o2": 19.4, "lel": 0, "h2s": 0, "co": 0}, ["o2"]),
        ({"o2": 23.6, "lel": 0, "h2s": 0, "co": 0}, ["o2"]),
        ({"o2": 20.9, "lel": 10.0, "h2s": 10.1, "co": 20.1}, ["lel", "h2s", "co"]),
    ],
)
def test_thresholds_from_the_rules(reading, bad):
    assert out_of_limits(reading, LIMITS) == bad


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_correct_procedure_passes(seed):
    model = full_run(seed)
    assert model.outcome == "rescued" and model.passed() and model.score() == 100


def test_scenario_and_readings_are_seeded():
    a, b = ConfinedSpaceModel(7), ConfinedSpaceModel(7)
    assert a.scenario == b.scenario and a.air.initial == b.air.initial
    assert len({ConfinedSpaceModel(s).scenario for s in range(12)}) > 1


def test_unventilated_space_fails_its_tests():
    model = ConfinedSpaceModel(0)  # sewage well: H2S at the bottom
    model.act("test_bottom")
    assert out_of_limits(model.tests["bottom"][1], LIMITS)
    assert codes(model) == {"ventilate_first": False}


def test_ventilation_clears_the_air_over_time():
    model = ConfinedSpaceModel(0)
    before = model.live("bottom")["h2s"]
    run(model, ["fan"] + ["wait"] * 6)
    assert model.live("bottom")["h2s"] < LIMITS["h2s_mg_m3_max"] < before


def test_entering_without_permit_or_attendant_is_critical():
    prep = [a for a in PREP if a not in ("permit", "attendant")]
    model = full_run(prep=prep)
    assert codes(model)["permit"] is False and codes(model)["attendant"] is False
    assert model.outcome == "rescued" and not model.passed()


def test_tests_older_than_thirty_minutes_are_critical():
    model = full_run(prep=PREP + ["wait"] * 7)
    assert codes(model)["test_fresh"] is False and not model.passed()


def test_missing_a_level_is_critical():
    model = full_run(prep=[a for a in PREP if a != "test_bottom"])
    assert codes(model)["tests_complete"] is False and not model.passed()


def test_entering_with_bad_readings_is_critical():
    prep = [a for a in PREP if a != "wait"]  # tested at once, before the fan cleared the air
    model = full_run(prep=prep)
    assert codes(model)["readings_ok"] is False and not model.passed()


def test_testing_before_ventilating_breaks_the_principle():
    prep = ["permit", "pipes", "power", "test_top", "fan"] + PREP[4:]
    model = full_run(prep=prep)
    assert codes(model)["ventilate_first"] is False


def test_no_isolation_is_critical():
    model = full_run(prep=[a for a in PREP if a not in ("pipes", "power")])
    assert codes(model)["isolate_pipes"] is False and codes(model)["lockout_power"] is False
    assert not model.passed()


def test_blind_rescue_fails_the_drill():
    model = full_run(rescue=("alarm", "go_in"))
    assert model.outcome == "blind_rescue" and not model.passed()
    assert codes(model)["rescue"] is False and model.sheet.critical_failure()


def test_rescue_with_breathing_apparatus_is_not_blind():
    model = full_run(rescue=("alarm", "scba", "go_in"))
    assert model.outcome == "rescued" and codes(model)["rescue"] is True


def test_without_harness_the_lifeline_cannot_be_used():
    model = full_run(prep=[a for a in PREP if a != "harness"], rescue=("alarm", "lifeline"))
    assert not model.finished and model.phase == "rescue"
    assert codes(model)["harness"] is False


def test_late_evacuation_is_wrong_and_the_colleague_still_collapses():
    model = full_run(react=())
    assert codes(model)["evacuate"] is False and model.outcome == "rescued"


def test_alarm_is_needed_before_the_rescue():
    model = full_run(rescue=("lifeline",))
    assert codes(model)["alarm"] is False and codes(model)["rescue"] is True


def test_doing_nothing_times_out():
    model = ConfinedSpaceModel(0)
    until_phase(model, "never", limit_s=300)
    assert model.outcome == "timeout" and not model.passed()


def test_teaching_texts_quote_the_thresholds_from_the_rules():
    """Changing a threshold in the rules changes what the debrief teaches; no number is in code."""
    from simulations.confined_space import judge
    from simulations.i18n import translate
    from simulations.rules import section

    rules = dict(section("confined_space"))
    right, _wrong = judge.TEXT["readings_ok"]
    text = translate(right, "zh_CN", judge.text_params("readings_ok", rules))
    assert f"{rules['oxygen_pct_min']:g}%-{rules['oxygen_pct_max']:g}%" in text
    rules["h2s_mg_m3_max"] = 7
    assert "硫化氢不超过7 mg/m³" in translate(right, "zh_CN",
                                             judge.text_params("readings_ok", rules))
    fresh = translate(judge.TEXT["test_fresh"][1], "en", judge.text_params("test_fresh", rules))
    assert f"{rules['test_max_age_min']} minutes" in fresh
