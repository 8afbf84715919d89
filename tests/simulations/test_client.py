"""Outbox and LMS client: delivery, retry, rejection, sync, and real HTTP via urllib."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from simulations.client import ENDPOINT, ResultsClient, classify, urllib_transport
from simulations.outbox import Outbox, data_home

PAYLOAD = {"run_id": "6f1c1d3e-7a51-4c1b-9d0e-1234567890ab", "drill": "escape", "score": 80}


class FakeLMS:
    """A transport that answers with scripted statuses and records requests."""

    def __init__(self, *statuses):
        self.statuses, self.requests = list(statuses), []

    def __call__(self, method, url, body, headers):
        self.requests.append((method, url, json.loads(body), headers))
        status = self.statuses.pop(0)
        if isinstance(status, Exception):
            raise status
        return status, json.dumps({"error": "bad payload"}).encode()


@pytest.fixture
def outbox(tmp_path):
    return Outbox(tmp_path / "outbox")


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (201, "delivered"),
        (200, "delivered"),
        (400, "rejected"),
        (401, "rejected"),
        (422, "rejected"),
        (408, "pending"),
        (429, "pending"),
        (500, "pending"),
        (503, "pending"),
    ],
)
def test_status_classification(status, outcome):
    assert classify(status) == outcome


@pytest.mark.parametrize("status", [201, 200])
def test_acknowledged_result_leaves_the_outbox(outbox, status):
    lms = FakeLMS(status)
    client = ResultsClient("http://lms.test/", "tok", outbox, transport=lms)
    assert client.submit(PAYLOAD) == "delivered"
    assert outbox.pending() == []
    method, url, body, headers = lms.requests[0]
    assert (method, url, body) == ("POST", "http://lms.test" + ENDPOINT, PAYLOAD)
    assert headers["Authorization"] == "Bearer tok"
    assert headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("failure", [OSError("unreachable"), 500, 429, 408])
def test_unreachable_or_busy_lms_keeps_the_result(outbox, failure):
    client = ResultsClient("http://lms.test", "tok", outbox, transport=FakeLMS(failure))
    assert client.submit(PAYLOAD) == "pending"
    assert [p.stem for p in outbox.pending()] == [PAYLOAD["run_id"]]


def test_rejected_result_is_moved_aside_with_the_reason(outbox):
    client = ResultsClient("http://lms.test", "tok", outbox, transport=FakeLMS(422))
    assert client.submit(PAYLOAD) == "rejected"
    assert outbox.pending() == []
    record = json.loads(outbox.rejected()[0].read_text(encoding="utf-8"))
    assert record == {"status": 422, "reason": "bad payload", "payload": PAYLOAD}


def test_offline_client_only_queues(outbox):
    client = ResultsClient(None, None, outbox, transport=FakeLMS())
    assert client.submit(PAYLOAD) == "pending" and len(outbox.pending()) == 1


def test_sync_sends_what_waited(outbox):
    ResultsClient(None, None, outbox).submit(PAYLOAD)
    other = dict(PAYLOAD, run_id="00000000-0000-4000-8000-000000000000")
    ResultsClient(None, None, outbox).submit(other)
    report = ResultsClient("http://lms.test", "t", outbox, transport=FakeLMS(201, 500)).sync()
    assert len(report.delivered) == 1 and len(report.pending) == 1
    assert len(outbox.pending()) == 1


def test_data_home_order(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFETY_DRILL_HOME", str(tmp_path / "env"))
    assert data_home(tmp_path / "flag") == tmp_path / "flag"
    assert data_home() == tmp_path / "env"
    monkeypatch.delenv("SAFETY_DRILL_HOME")
    assert data_home().parts[-3:] == (".local", "share", "safety-drill")


class _Handler(BaseHTTPRequestHandler):
    store: ClassVar[dict] = {}

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.headers.get("Authorization") != "Bearer good":
            self.send_response(401)
        else:
            duplicate = body["run_id"] in self.store
            self.store[body["run_id"]] = body
            self.send_response(200 if duplicate else 201)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def http_lms():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.store = {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Handler.store
    server.shutdown()
    server.server_close()


def test_real_http_round_trip_and_duplicate(http_lms, outbox):
    url, store = http_lms
    assert ResultsClient(url, "good", outbox, transport=urllib_transport).submit(PAYLOAD) == "delivered"
    assert ResultsClient(url, "good", outbox).submit(PAYLOAD) == "delivered"  # 200 duplicate
    assert list(store) == [PAYLOAD["run_id"]]
    assert ResultsClient(url, "bad", outbox).submit(PAYLOAD) == "rejected"


def test_real_network_failure_keeps_the_result(outbox):
    client = ResultsClient("http://127.0.0.1:9", "good", outbox)  # discard port: refused
    assert client.submit(PAYLOAD) == "pending" and outbox.pending()
