"""Fire escape rules without pygame: smoke, posture, doors, lift, belongings, score."""

import pytest

from simulations.escape import floorplan as fp
from simulations.escape import judge as J
from simulations.escape.model import EscapeModel

STEP = 1 / 60


def advance(model, seconds):
    for _ in range(round(seconds / STEP)):
        model.update(STEP)
        if model.finished:
            break


def walk_to(model, col, row, limit=120.0):
    assert model.goto(col, row)
    waited = 0.0
    while model.path and waited < limit and not model.finished:
        model.update(STEP)
        waited += STEP
    assert model.tile() == (col, row) or model.finished


@pytest.fixture(params=fp.list_plans())
def plan(request):
    return fp.load_plan(request.param)


def test_bundled_plans_include_a_school_and_an_office():
    assert {"school", "office"} <= set(fp.list_plans())


def test_every_plan_connects_start_to_the_assembly_point(plan):
    passable = {
        (c, r)
        for r in range(plan.rows)
        for c in range(plan.cols)
        if plan.kind(c, r) in set(".,ASXLdD") | fp.FLOOR_MARKERS
    }
    start = plan.find(fp.START)[0]
    assert fp.shortest_path(start, plan.find(fp.ASSEMBLY)[0], passable)
    assert len(plan.find(fp.DOOR_CLOSED)) >= 2 and plan.find(fp.LIFT) and plan.find(fp.SINK)


def test_fire_origin_is_seeded_and_deterministic(plan):
    origins = {EscapeModel(plan, seed).burning[0] for seed in range(12)}
    assert len(origins) > 1
    assert EscapeModel(plan, 5).burning[0] == EscapeModel(plan, 5).burning[0]


def test_smoke_spreads_and_is_densest_at_the_fire():
    model = EscapeModel(fp.load_plan("school"), 0)  # fire in the middle classroom
    fire = model.smoke.cell(model.burning[0])
    assert model.smoke.at(*fire) > 0.5
    corridor_before = model.smoke.at(19, 10)
    advance(model, 30)
    assert model.smoke.at(19, 10) > corridor_before
    assert model.smoke.at(19, 10) > model.smoke.at(30, 16)
    assert len(model.burning) > 1


def test_crouching_lowers_exposure_and_visibility_loss():
    model = EscapeModel(fp.load_plan("school"), 0)
    model.x, model.y = 19.5, 10.5
    advance(model, 10)
    standing = (model.breathing_density(), model.visibility_m())
    model.toggle_crouch()
    crouched = (model.breathing_density(), model.visibility_m())
    assert crouched[0] < standing[0] and crouched[1] > standing[1]


def test_exposure_harms_health_and_a_wet_cloth_helps():
    plan = fp.load_plan("school")
    bare, cloth = EscapeModel(plan, 0), EscapeModel(plan, 0)
    cloth.wet_cloth = True
    for model in (bare, cloth):
        model.x, model.y = 19.5, 10.5
        advance(model, 20)
    assert bare.health < 100 and cloth.health > bare.health


def test_crouching_slows_the_learner():
    plan = fp.load_plan("school")
    walker, croucher = EscapeModel(plan, 1), EscapeModel(plan, 1)
    croucher.toggle_crouch()
    for model in (walker, croucher):
        model.set_move(1, 0)
        advance(model, 2)
    assert walker.x - 9.5 > croucher.x - 9.5 > 0


def test_the_lift_ends_the_drill_as_a_critical_mistake():
    model = EscapeModel(fp.load_plan("school"), 1)
    walk_to(model, 23, 12)
    assert model.outcome == "lift" and not model.passed()
    assert model.sheet.critical_failure()


def test_a_hot_door_found_by_touch_is_a_right_decision():
    model = EscapeModel(fp.load_plan("school"), 1)  # fire in the left stairwell
    walk_to(model, 2, 10)
    assert model.door_is_hot((2, 9))
    model.test_door()
    assert model.message == "hot"
    assert [(d.code, d.correct) for d in model.sheet.decisions] == [("hot_door", True)]


def test_opening_a_hot_door_hurts_and_is_critical():
    model = EscapeModel(fp.load_plan("school"), 1)
    walk_to(model, 2, 10)
    model.open_door()
    codes = {(d.code, d.correct) for d in model.sheet.decisions}
    assert ("door_tested", False) in codes and ("hot_door", False) in codes
    assert model.health <= 100 - model.r["hot_door_damage"] + 1
    assert model.doors[(2, 9)].open and model.sheet.critical_failure()


def test_a_closed_door_blocks_until_opened():
    model = EscapeModel(fp.load_plan("school"), 1)
    walk_to(model, 36, 10)
    assert not model.goto(36, 8)
    model.test_door()
    model.open_door()
    assert model.goto(36, 8)
    assert ("door_tested", True) in {(d.code, d.correct) for d in model.sheet.decisions}


def test_going_back_for_belongings_costs_time_and_a_mistake():
    model = EscapeModel(fp.load_plan("school"), 1)
    walk_to(model, 2, 17)
    model.use()
    x = model.x
    model.set_move(1, 0)
    advance(model, 2)
    assert model.x == x and model.busy > 0  # packing keeps the learner still
    assert ("belongings", False) in {(d.code, d.correct) for d in model.sheet.decisions}


def test_escape_scores_time_health_and_decisions():
    model = EscapeModel(fp.load_plan("school"), 1)
    model.toggle_crouch()
    walk_to(model, 18, 13)
    model.use()
    advance(model, 4)
    walk_to(model, 36, 10)
    model.test_door()
    model.open_door()
    walk_to(model, 19, 1)
    model.call_119()
    advance(model, 4)
    assert model.outcome == "escaped" and model.passed()
    assert 60 <= model.score() <= J.MAX_SCORE


def test_staying_in_smoke_leads_to_collapse():
    model = EscapeModel(fp.load_plan("school"), 0)
    walk_to(model, 19, 10)
    walk_to(model, 19, 8)
    advance(model, 60)
    assert model.outcome == "collapsed" and not model.passed()
    codes = {(d.code, d.correct) for d in model.sheet.decisions}
    assert ("crouch", False) in codes and ("wet_cloth", False) in codes
    assert ("assembly", False) in codes and ("call_119", False) in codes


def test_final_score_has_three_parts():
    sheet = J.ScoreSheet()
    J.judge(sheet, "assembly", True, J.ASSEMBLY_OK, 1)
    J.judge(sheet, "call_119", False, J.CALL_MISSING, 1)
    assert J.final_score(True, 45, 100, 45, 240, sheet) == 30 + 30 + 20
    assert J.final_score(False, 45, 100, 45, 240, sheet) == 20
