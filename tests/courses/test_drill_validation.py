"""The LMS's own validator accepts exactly what simulations/schema/drill_result.schema.json describes.

The schema file is read here (tests may import everything; courses may not import simulations),
and every constraint it states is turned into accepted and refused values for the validator.
"""

import json
import os
import uuid

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pytest

from courses.drills import validation
from courses.drills.validation import DECISION, OPTIONAL, REQUIRED, problems_of
from simulations.__main__ import main as drill_main
from simulations.outbox import Outbox
from simulations.results import SCHEMA_PATH, DrillResult
from simulations.scoring import Decision

SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
ITEM = SCHEMA["properties"]["decisions"]["items"]
WRONG_TYPE = {"string": 5, "integer": "5", "number": "5", "boolean": 1, "object": [], "array": {}}


def built_payload(**tags) -> dict:
    """A payload made by simulations' own DrillResult, as the drill program makes it."""
    decisions = (Decision("door_tested", False, "You opened a door without feeling it first.", 3.25, 5),
                 Decision("lift", True, "You took the stairs.", 9.0, 20, critical=True))
    result = DrillResult(drill="escape", version="1.0", seed=42, run_id=str(uuid.uuid4()),
                         started_at="2026-05-01T01:30:00+00:00", duration_s=71.25, score=64,
                         max_score=100, passed=True, lang="en", outcome="escaped",
                         outcome_message="You escaped and called 119.", decisions=decisions,
                         details={"floorplan": "school"}, tags=tags)
    return result.to_payload()


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> dict:
    """A payload from a real headless run of the confined-space drill."""
    home = tmp_path_factory.mktemp("drill-home")
    assert drill_main(["confined-space", "--headless", "--seed", "0", "--script",
                       str(SCHEMA_PATH.parents[1] / "scripts" / "confined_space_pass.txt"),
                       "--data-dir", str(home), "--org-code", "SCH-1", "--class-name", "五年级二班"]) == 0
    return Outbox(home / "outbox").load(Outbox(home / "outbox").pending()[0])


def test_the_field_lists_are_the_schemas():
    assert set(REQUIRED) == set(SCHEMA["required"])
    assert set(REQUIRED) | set(OPTIONAL) == set(SCHEMA["properties"])
    assert set(DECISION) == set(ITEM["required"]) == set(ITEM["properties"])
    assert SCHEMA["additionalProperties"] is False and ITEM["additionalProperties"] is False


def test_payloads_made_by_the_drill_program_are_accepted(played):
    assert problems_of(played) == []
    assert problems_of(built_payload()) == []
    assert problems_of(built_payload(org_code="SCH-1", class_name="三年级一班", participant="07")) == []
    assert played["org_code"] == "SCH-1" and played["decisions"]


def _cases(properties: dict):
    """(field, value, accepted) triples derived from each property's constraints."""
    for name, spec in properties.items():
        if "type" in spec:
            yield name, WRONG_TYPE[spec["type"]], False
        for value in spec.get("enum", []):
            yield name, value, True
        if "enum" in spec:
            yield name, "not-" + str(spec["enum"][0]), False
        if "const" in spec:
            yield name, spec["const"], True
            yield name, spec["const"] + 1, False
        if "minimum" in spec:
            yield name, spec["minimum"], True
            yield name, spec["minimum"] - 1, False
        if "minLength" in spec:
            yield name, "", spec["minLength"] == 0
        if "maxLength" in spec:
            yield name, "x" * spec["maxLength"], True
            yield name, "x" * (spec["maxLength"] + 1), False
        if "pattern" in spec:
            yield name, str(uuid.uuid4()).upper(), False
            yield name, str(uuid.uuid1()), False
        if spec.get("format") == "date-time":
            yield name, "2026-05-01T09:30:00.5+08:00", True
            yield name, "2026-05-01Z", False


@pytest.mark.parametrize(("field", "value", "accepted"), list(_cases(SCHEMA["properties"])),
                         ids=lambda v: repr(v)[:30])
def test_each_schema_constraint_on_a_field_is_enforced(field, value, accepted):
    problems = problems_of({**built_payload(), field: value})
    assert (problems == []) is accepted, problems


@pytest.mark.parametrize(("field", "value", "accepted"), list(_cases(ITEM["properties"])),
                         ids=lambda v: repr(v)[:30])
def test_each_schema_constraint_on_a_decision_is_enforced(field, value, accepted):
    payload = built_payload()
    payload["decisions"][0][field] = value
    problems = problems_of(payload)
    assert (problems == []) is accepted, problems


@pytest.mark.parametrize("field", SCHEMA["required"])
def test_a_missing_required_field_is_refused(field):
    payload = built_payload()
    del payload[field]
    assert (field, "is required") in problems_of(payload)


@pytest.mark.parametrize("field", ITEM["required"])
def test_a_decision_missing_a_field_is_refused(field):
    payload = built_payload()
    del payload["decisions"][1][field]
    assert (f"decisions[1].{field}", "is required") in problems_of(payload)


def test_unknown_fields_and_non_objects_are_refused():
    assert ("user_ref", "is not a DrillResult field") in problems_of({**built_payload(), "user_ref": 1})
    payload = built_payload()
    payload["decisions"][0]["extra"] = True
    assert ("decisions[0].extra", "is not a decision field") in problems_of(payload)
    assert problems_of([built_payload()]) == [("$", "must be a JSON object")]


def test_the_lms_adds_only_size_bounds_to_the_schema():
    """Integers written as 3.0 count as integers (JSON Schema); NaN is not JSON at all."""
    assert problems_of({**built_payload(), "score": 64.0}) == []
    assert problems_of({**built_payload(), "seed": 2**63}) != []
    assert problems_of({**built_payload(), "decisions": [built_payload()["decisions"][0]] * 501}) != []
    with pytest.raises(validation.PayloadError):
        validation.parse_body(b'{"duration_s": Infinity}')
