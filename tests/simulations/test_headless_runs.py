"""Headless scripted runs of each drill: a pass, each kind of failure, replay equality."""

import json

import pytest

from simulations.__main__ import main
from simulations.engine.inputs import load_replay

EXT_RIGHT = {"A": "1", "B": "2", "C": "4", "D": "6", "E": "3", "F": "5"}
EXT_ORDER_SEED = 11


def extinguisher_script(agent_keys):
    """Handle each fire: choose, lift, walk upwind, approach to 4 m, pin, aim, sweep, squeeze."""
    from simulations.extinguisher.model import ExtinguisherModel

    model, lines = ExtinguisherModel(EXT_ORDER_SEED), []
    for i, fire in enumerate(model.order):
        lines.append(f"tap {agent_keys[fire]}")
        if fire == "D" and agent_keys[fire] == "6":
            lines.append("wait 3.5")
            continue
        lines += ["tap l"]
        lines += ["tap left"] * _turns_to_upwind(i)
        lines += ["hold up 3.33", "tap p", "tap a", "tap w", "hold space 12", "wait 3.5"]
    return "\n".join(lines) + "\n"


def _turns_to_upwind(index):
    from simulations.extinguisher.model import ExtinguisherModel

    model = ExtinguisherModel(EXT_ORDER_SEED)
    for _ in range(index):  # replay the seeded draws of earlier rounds
        model.index += 1
        model.round = model._new_round()
    return model.round.position  # positions 1 or 2 need 1 or 2 quarter turns back


def test_escape_pass_from_the_bundled_script(play, script_file, schema_errors, data_dir):
    session = play("escape", 1, script_file("escape_school_seed1_pass.txt"))
    result = session.results[0]
    assert result.passed and result.outcome == "escaped" and result.score >= 60
    files = sorted(p.name for p in (data_dir / "results").iterdir())
    assert files == [f"{result.run_id}.json", f"{result.run_id}.replay.json"]
    payload = json.loads((data_dir / "results" / files[0]).read_text(encoding="utf-8"))
    assert schema_errors(payload) == [] and payload["run_id"] == result.run_id
    assert [p.stem for p in (data_dir / "outbox").glob("*.json")] == [result.run_id]


def test_escape_fails_by_taking_the_lift(play, tile_click):
    session = play("escape", 1, f"{tile_click(23, 12)}\nwait 30\n")
    result = session.results[0]
    assert (result.outcome, result.passed) == ("lift", False)


def test_escape_fails_by_opening_a_hot_door(play, tile_click):
    script = f"{tile_click(2, 10)}\nwait 12\ntap o\n{tile_click(2, 5)}\nwait 20\n"
    result = play("escape", 1, script).results[0]
    assert not result.passed
    assert ("hot_door", False, True) in {(d.code, d.correct, d.critical) for d in result.decisions}
    assert result.outcome == "collapsed"


def test_escape_fails_when_time_runs_out(play):
    result = play("escape", 1, "").results[0]
    assert (result.outcome, result.passed, result.duration_s) == ("timeout", False, 240.0)


def test_escape_fails_by_waiting_in_the_smoke_on_the_office_floor(play):
    result = play("escape", 1, "", floorplan="office").results[0]
    assert (result.outcome, result.passed) == ("collapsed", False)
    assert result.details["floorplan"] == "office" and result.details["health"] == 0


def test_extinguisher_pass(play):
    result = play("extinguisher", EXT_ORDER_SEED, extinguisher_script(EXT_RIGHT)).results[0]
    assert result.outcome == "completed" and result.passed and result.score == 100


def test_extinguisher_fails_by_water_on_live_equipment(play):
    keys = dict(EXT_RIGHT, E="1")
    result = play("extinguisher", EXT_ORDER_SEED, extinguisher_script(keys)).results[0]
    assert (result.outcome, result.passed) == ("shock", False)


def test_extinguisher_fails_by_water_on_oil(play):
    keys = dict(EXT_RIGHT, F="1")
    result = play("extinguisher", EXT_ORDER_SEED, extinguisher_script(keys)).results[0]
    assert not result.passed
    assert ("F.agent", False, True) in {(d.code, d.correct, d.critical) for d in result.decisions}


def test_extinguisher_fails_when_fires_are_left_to_grow(play):
    result = play("extinguisher", 2, "").results[0]
    assert result.outcome == "completed" and not result.passed and result.score == 0


def test_confined_space_pass(play, script_file):
    result = play("confined-space", 0, script_file("confined_space_pass.txt")).results[0]
    assert (result.outcome, result.passed, result.score) == ("rescued", True, 100)


def test_confined_space_fails_by_blind_rescue(play, script_file):
    script = script_file("confined_space_pass.txt").replace("tap l", "tap g")
    result = play("confined-space", 0, script).results[0]
    assert (result.outcome, result.passed) == ("blind_rescue", False)


def test_confined_space_fails_by_skipping_the_gas_test(play):
    script = "tap p\ntap i\ntap k\ntap v\ntap a\ntap h\ntap e\nwait 20\ntap x\nwait 5\ntap r\ntap l\n"
    result = play("confined-space", 0, script).results[0]
    assert not result.passed
    wrong = {d.code for d in result.decisions if not d.correct}
    assert {"tests_complete", "test_fresh", "readings_ok"} <= wrong


@pytest.mark.parametrize(
    ("drill", "seed", "script_name"),
    [
        ("escape", 1, "escape_school_seed1_pass.txt"),
        ("confined-space", 0, "confined_space_pass.txt"),
    ],
)
def test_replay_reproduces_the_result(play, script_file, data_dir, drill, seed, script_name, capsys):
    original = play(drill, seed, script_file(script_name), lang="zh_CN").results[0]
    replay = data_dir / "results" / f"{original.run_id}.replay.json"
    data = load_replay(replay)
    assert (data["drill"], data["seed"], data["lang"]) == (drill, seed, "zh_CN")
    assert main(["--replay", str(replay)]) == 0
    assert "identical" in capsys.readouterr().out


def test_replay_of_extinguisher_and_tampering_is_detected(play, data_dir, capsys):
    original = play("extinguisher", EXT_ORDER_SEED, extinguisher_script(EXT_RIGHT)).results[0]
    replay = data_dir / "results" / f"{original.run_id}.replay.json"
    assert main(["--replay", str(replay)]) == 0
    data = json.loads(replay.read_text(encoding="utf-8"))
    data["expected"]["score"] = 99
    replay.write_text(json.dumps(data), encoding="utf-8")
    assert main(["--replay", str(replay)]) == 3
    assert "DIFFERS" in capsys.readouterr().err
