"""Contract (conventions 4.9): the real drill client and outbox talk to the real LMS endpoint.

A transport adapter hands the client's requests to the Flask test client, so both sides run
their own code against one payload and simulations never imports Flask.
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pytest
from sqlalchemy import func, select

from courses.drills.models import DrillResult
from lms.api.tokens import issue_token
from lms.extensions import db
from lms.models import OrgKind
from lms.roles import Role
from simulations.__main__ import main as drill_main
from simulations.client import ResultsClient
from simulations.outbox import Outbox

SCRIPTS = Path(__file__).resolve().parents[2] / "simulations" / "scripts"
LMS_URL = "http://lms.test"


class FlaskTransport:
    """The client's (method, url, body, headers) -> (status, body), answered by the Flask app."""

    def __init__(self, client):
        self.client, self.statuses = client, []

    def __call__(self, method, url, body, headers):
        response = self.client.open(urlsplit(url).path, method=method, data=body, headers=headers)
        self.statuses.append(response.status_code)
        return response.status_code, response.get_data()


def unreachable(method, url, body, headers):
    raise ConnectionRefusedError("the LMS is down")


def run_drill(home: Path, drill: str, script: str, seed: int, class_name: str) -> dict:
    """Play a drill headless with a bundled script, offline; return the queued payload."""
    code = drill_main([drill, "--headless", "--seed", str(seed), "--script", str(SCRIPTS / script),
                       "--data-dir", str(home), "--class-name", class_name, "--participant", "07"])
    assert code == 0
    queued = Outbox(home / "outbox").pending()
    assert len(queued) == 1
    return json.loads(queued[-1].read_text(encoding="utf-8"))


@pytest.fixture
def lms(client, make, monkeypatch):
    """A school, its teacher's drill token and a transport into the app."""
    monkeypatch.delenv("LMS_URL", raising=False)
    monkeypatch.delenv("LMS_TOKEN", raising=False)
    school = make.org("吴江区实验小学", region_code="320509", kind=OrgKind.SCHOOL, industry=None)
    teacher = make.account("teacher", Role.SCHOOL_TEACHER, org=school)
    _token, clear = issue_token(teacher, "drill room", ["drill-results:write"], days=30)
    db.session.commit()
    return {"school": school, "token": clear, "transport": FlaskTransport(client)}


def stored() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(DrillResult.id)))


def test_a_headless_run_is_synced_stored_and_a_retry_stores_nothing_new(lms, tmp_path):
    payload = run_drill(tmp_path, "confined-space", "confined_space_pass.txt", 0, "五年级二班")
    outbox = Outbox(tmp_path / "outbox")
    client = ResultsClient(LMS_URL, lms["token"], outbox, transport=lms["transport"])

    report = client.sync()
    assert report.delivered == [payload["run_id"]] and outbox.pending() == []
    assert lms["transport"].statuses == [201]
    result = db.session.scalar(select(DrillResult))
    assert (result.run_id, result.drill, result.organization_id) == (
        payload["run_id"], "confined-space", lms["school"].id)
    assert (result.class_name, result.participant, result.score, result.passed) == (
        "五年级二班", "07", payload["score"], payload["passed"])
    assert result.decisions == payload["decisions"] and result.details == payload["details"]

    assert client.submit(payload) == "delivered"
    assert lms["transport"].statuses[-1] == 200
    assert stored() == 1 and outbox.pending() == []


def test_a_malformed_payload_is_refused_and_lands_in_the_rejected_folder(lms, tmp_path):
    payload = run_drill(tmp_path, "confined-space", "confined_space_pass.txt", 0, "五年级二班")
    outbox = Outbox(tmp_path / "outbox")
    outbox.remove(outbox.pending()[0])
    client = ResultsClient(LMS_URL, lms["token"], outbox, transport=lms["transport"])
    broken = {**payload, "score": -5, "decisions": [{"code": "permit"}]}

    assert client.submit(broken) == "rejected"
    assert lms["transport"].statuses == [422]
    [rejected] = outbox.rejected()
    record = json.loads(rejected.read_text(encoding="utf-8"))
    assert record["status"] == 422 and "score" in record["reason"]
    assert record["payload"]["run_id"] == payload["run_id"]
    assert outbox.pending() == [] and stored() == 0


def test_a_result_queued_while_the_lms_is_down_is_flushed_by_sync(lms, tmp_path):
    payload = run_drill(tmp_path, "confined-space", "confined_space_pass.txt", 0, "三年级一班")
    outbox = Outbox(tmp_path / "outbox")
    offline = ResultsClient(LMS_URL, lms["token"], outbox, transport=unreachable)
    assert offline.sync().pending == [payload["run_id"]]
    assert len(outbox.pending()) == 1 and stored() == 0

    report = ResultsClient(LMS_URL, lms["token"], outbox, transport=lms["transport"]).sync()
    assert report.delivered == [payload["run_id"]] and outbox.pending() == []
    assert stored() == 1


def test_the_sync_command_sends_the_outbox_over_real_http(lms, live_server, tmp_path):
    """``python -m simulations sync`` end to end: CLI, urllib, HTTP, the LMS route."""
    payload = run_drill(tmp_path, "confined-space", "confined_space_pass.txt", 0, "五年级二班")
    code = drill_main(["sync", "--lms-url", live_server, "--token", lms["token"],
                       "--data-dir", str(tmp_path)])
    assert code == 0 and Outbox(tmp_path / "outbox").pending() == []
    assert db.session.scalar(select(DrillResult.run_id)) == payload["run_id"]
