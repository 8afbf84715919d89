"""Demo drill results: a primary school's classes run the escape drill, an enterprise's maintenance
team the confined-space drill.

Every run is played by the drills' own models and judges (``simulations``, headless, no pygame)
from a scripted behaviour, so its score, outcome text and decision log are what the drill program
would have reported for those inputs; the demo only chooses who behaved how, and when.
"""

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from sqlalchemy import select

from courses.drills.services import record_result
from lms.extensions import db
from lms.models import Account, Organization
from simulations.confined_space.model import ConfinedSpaceModel
from simulations.escape.floorplan import load_plan
from simulations.escape.model import EscapeModel
from simulations.results import DrillResult as RunResult

TICK = 1 / 60  # the drill loop's fixed step
ESCAPE_SEED = 1  # school plan, fire in the left stairwell: the bundled pass script's setting

#: Escape behaviours as model commands ("wait" in seconds), after the bundled pass script.
ESCAPE_PASS = [("toggle_crouch",), ("goto", 18, 13), ("wait", 28), ("use",), ("wait", 3.5),
               ("goto", 36, 10), ("wait", 33), ("test_door",), ("open_door",), ("goto", 19, 1),
               ("wait", 45), ("call_119",), ("wait", 4)]
ESCAPE = {
    "pass": ESCAPE_PASS,
    "door_untested": [s for s in ESCAPE_PASS if s[0] != "test_door"],
    "hot_door": [("goto", 2, 10), ("wait", 12), ("open_door",), ("goto", 2, 5), ("wait", 20)],
    "lift": [("goto", 23, 12), ("wait", 30)],
}
#: Confined-space behaviours as model actions (a float is seconds of drill time), after the
#: bundled pass script.
CONFINED_PASS = (["permit", "pipes", "power", "fan"] + ["wait"] * 6
                 + ["test_top", "test_middle", "test_bottom", "attendant", "harness", "enter", 12.8,
                    "evacuate", 4.0, "alarm", "lifeline"])
CONFINED = {
    "pass": CONFINED_PASS,
    "no_harness_scba": [a for a in CONFINED_PASS if a not in ("harness", "lifeline")] + ["scba", "go_in"],
    "tested_first": ["permit", "pipes", "power", "test_top", "test_middle", "test_bottom", "fan"]
    + CONFINED_PASS[4:10] + CONFINED_PASS[13:],
    "one_level": [a for a in CONFINED_PASS if a not in ("test_middle", "test_bottom")],
    "blind_rescue": [a for a in CONFINED_PASS if a not in ("harness", "lifeline")] + ["go_in"],
}
#: (organization, reporting username, drill, {class: chances of each behaviour}, runs per class)
PLAN = [
    ("吴江区实验小学", "teacher", "escape",
     {"三年级一班": {"pass": 3, "door_untested": 2, "hot_door": 2, "lift": 1},
      "五年级二班": {"pass": 5, "door_untested": 2, "hot_door": 1},
      "六年级一班": {"pass": 6, "door_untested": 1, "hot_door": 1}}, 8),
    ("无锡恒通化工有限公司", "ent_admin", "confined-space",
     {"维修班": {"pass": 3, "no_harness_scba": 1, "tested_first": 1, "one_level": 1, "blind_rescue": 1}}, 6),
]


def _tick(model, seconds: float) -> None:
    for _ in range(round(seconds / TICK)):
        if model.finished:
            return
        model.update(TICK)


def _finish(model) -> None:
    while not model.finished:  # every drill ends by itself at its time limit
        model.update(TICK)


@cache
def escape_model(behaviour: str) -> EscapeModel:
    """The escape drill played to its end with one scripted behaviour (deterministic, so cached)."""
    model = EscapeModel(load_plan("school"), ESCAPE_SEED)
    for command, *args in ESCAPE[behaviour]:
        if command == "wait":
            _tick(model, args[0])
        else:
            getattr(model, command)(*args)
    _finish(model)
    return model


@cache
def confined_model(behaviour: str, seed: int) -> ConfinedSpaceModel:
    """The confined-space drill played to its end with one scripted behaviour."""
    model = ConfinedSpaceModel(seed)
    for action in CONFINED[behaviour]:
        if isinstance(action, float):
            _tick(model, action)
        else:
            model.act(action)
    _finish(model)
    return model


def run_payload(drill: str, behaviour: str, seed: int, run_id: str, started: datetime) -> dict:
    """The DrillResult payload the drill program reports for this run, in Chinese."""
    if drill == "escape":
        model, seed = escape_model(behaviour), ESCAPE_SEED
    else:
        model = confined_model(behaviour, seed)
    result = RunResult(drill=drill, version=model.version, seed=seed, run_id=run_id,
                       started_at=started.isoformat(timespec="seconds"), duration_s=round(model.t, 3),
                       score=model.score(), max_score=model.max_score, passed=model.passed(),
                       lang="zh_CN", outcome=model.outcome or "unfinished",
                       outcome_message=model.outcome_message(), decisions=tuple(model.sheet.decisions),
                       details={**model.details(), "demo": True})
    return result.to_payload()


def add_demo_results(_sender, *, rng: random.Random, today: date, **_kwargs) -> None:
    """Receiver of lms.signals.demo_loaded: add drill runs (the caller commits)."""
    for org_name, username, drill, classes, runs in PLAN:
        org = db.session.scalar(select(Organization).where(Organization.name == org_name))
        reporter = db.session.scalar(select(Account).where(Account.username == username))
        if org is None or reporter is None:
            continue
        for class_name, chances in classes.items():
            for n in range(1, runs + 1):
                _report(rng, today, reporter, drill, chances, class_name, n)


def _report(rng, today, reporter, drill, chances, class_name, n) -> None:
    days_back = rng.randrange(0, max(1, min(45, today.timetuple().tm_yday)))
    started = datetime.combine(today - timedelta(days=days_back), time(2), UTC)
    started += timedelta(minutes=rng.randrange(360))
    behaviour = rng.choices(list(chances), weights=list(chances.values()))[0]
    run_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    payload = run_payload(drill, behaviour, rng.randrange(3), run_id, started)
    payload.update(class_name=class_name, participant=f"{n:02d}号")
    record_result(reporter, payload, now=started + timedelta(minutes=5))
