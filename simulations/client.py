"""Send DrillResults to the LMS (``POST /api/v1/drill-results``) with an offline outbox."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulations.outbox import Outbox

ENDPOINT = "/api/v1/drill-results"
TIMEOUT_S = 5.0
RETRYABLE_4XX = (408, 429)

#: (method, url, body, headers) -> (status, response body); raises OSError when unreachable.
Transport = Callable[[str, str, bytes, dict[str, str]], tuple[int, bytes]]


def urllib_transport(method: str, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """Perform one HTTP request with the standard library."""
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # nosec B310  # URL is the operator's own --lms-url/LMS_URL setting
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        # HTTPError is also an OSError; an HTTP status is an answer, not a network failure.
        return exc.code, exc.read() or b""


def classify(status: int) -> str:
    """Map an HTTP status to ``delivered``, ``rejected`` or ``pending``."""
    if status in (200, 201):
        return "delivered"
    if 400 <= status < 500 and status not in RETRYABLE_4XX:
        return "rejected"
    return "pending"


@dataclass
class SyncReport:
    """Counts of what happened to the results in one sync."""

    delivered: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)


class ResultsClient:
    """Queue results in the outbox and deliver them to the LMS when it answers."""

    def __init__(
        self,
        base_url: str | None,
        token: str | None,
        outbox: Outbox,
        transport: Transport = urllib_transport,
    ) -> None:
        self.base_url = (base_url or "").rstrip("/")
        self.token = token or ""
        self.outbox = outbox
        self.transport = transport

    @property
    def online(self) -> bool:
        """Tell whether an LMS address and token are configured."""
        return bool(self.base_url and self.token)

    def submit(self, payload: dict[str, Any]) -> str:
        """Store the payload in the outbox, then try to deliver it once."""
        path = self.outbox.put(payload)
        return self._deliver(path) if self.online else "pending"

    def sync(self) -> SyncReport:
        """Try to deliver every waiting result."""
        report = SyncReport()
        for path in self.outbox.pending():
            status = self._deliver(path) if self.online else "pending"
            getattr(report, status).append(path.stem)
        return report

    def _deliver(self, path: Path) -> str:
        body = path.read_bytes()
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        try:
            status, answer = self.transport("POST", self.base_url + ENDPOINT, body, headers)
        except OSError:
            return "pending"
        outcome = classify(status)
        if outcome == "delivered":
            self.outbox.remove(path)
        elif outcome == "rejected":
            self.outbox.reject(path, status, _reason(answer))
        return outcome


def _reason(answer: bytes) -> str:
    text = answer.decode("utf-8", "replace")[:2000]
    try:
        data = json.loads(text)
    except ValueError:
        return text
    return str(data.get("error") or data.get("message") or data) if isinstance(data, dict) else text
