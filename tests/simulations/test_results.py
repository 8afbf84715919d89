"""The DrillResult contract: payload shape, schema, translation, atomic files."""

import json
import uuid

import pytest

from simulations.confined_space.model import ConfinedSpaceModel
from simulations.drill import RunInfo, build_result
from simulations.results import SCHEMA_VERSION, write_json_atomic


def finished_model():
    model = ConfinedSpaceModel(3)
    model.act("enter")  # everything skipped: several critical mistakes
    for _ in range(60 * 60):
        model.update(1 / 60)
        if model.phase == "rescue":
            break
    model.act("go_in")
    return model


@pytest.fixture
def result():
    info = RunInfo(
        drill="confined-space",
        seed=3,
        lang="zh_CN",
        tags={"org_code": "WX-0001", "class_name": "初二(3)班", "participant": "17"},
    )
    return build_result(info, finished_model())


def test_payload_matches_the_json_schema(result, schema_errors):
    payload = result.to_payload()
    assert schema_errors(payload) == []
    assert payload["schema_version"] == SCHEMA_VERSION == 1
    assert uuid.UUID(payload["run_id"]).version == 4


def test_schema_rejects_a_broken_payload(result, schema_errors):
    payload = result.to_payload()
    payload.pop("score")
    payload["decisions"][0]["correct"] = "yes"
    payload["surprise"] = 1
    errors = schema_errors(payload)
    assert any("missing score" in e for e in errors)
    assert any("correct" in e for e in errors) and any("surprise" in e for e in errors)


def test_payload_explains_every_decision_in_the_run_language(result):
    payload = result.to_payload()
    assert payload["passed"] is False and payload["outcome"] == "blind_rescue"
    wrong = [d for d in payload["decisions"] if not d["correct"]]
    assert {d["code"] for d in wrong} >= {"permit", "tests_complete", "attendant", "rescue"}
    assert all(d["text"] and d["text"] != d["message_id"] for d in payload["decisions"])
    assert "盲目施救" in next(d["text"] for d in wrong if d["code"] == "rescue")
    assert payload["score"] <= payload["max_score"] == 100


def test_optional_class_tags_are_carried(result):
    payload = result.to_payload()
    assert (payload["org_code"], payload["class_name"], payload["participant"]) == (
        "WX-0001",
        "初二(3)班",
        "17",
    )


def test_verdict_leaves_out_identity_and_clock(result):
    verdict = result.verdict()
    assert "run_id" not in verdict and "started_at" not in verdict
    assert verdict["score"] == result.score and verdict["decisions"]


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "out" / "r.json"
    write_json_atomic(target, {"a": "火"})
    write_json_atomic(target, {"a": "水"})
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": "水"}
    assert [p.name for p in target.parent.iterdir()] == ["r.json"]
