"""The DrillResult contract: what a finished run reports to files and to the LMS."""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulations.i18n import translate
from simulations.scoring import Decision

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("schema") / "drill_result.schema.json"
OPTIONAL_TAGS = ("org_code", "class_name", "participant")


def new_run_id() -> str:
    """Return a fresh run id (uuid4); the LMS dedupes on it."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class DrillResult:
    """A finished drill run: score, verdict and every judged decision."""

    drill: str
    version: str
    seed: int
    run_id: str
    started_at: str
    duration_s: float
    score: int
    max_score: int
    passed: bool
    lang: str
    outcome: str
    outcome_message: str
    decisions: tuple[Decision, ...]
    details: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    def to_payload(self) -> dict[str, Any]:
        """Return the JSON body posted to the LMS and written to the result file."""
        payload: dict[str, Any] = {
            "schema_version": self.schema_version,
            "drill": self.drill,
            "version": self.version,
            "seed": self.seed,
            "run_id": self.run_id,
            "started_at": self.started_at,
            "duration_s": round(self.duration_s, 3),
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "lang": self.lang,
            "outcome": self.outcome,
            "outcome_text": translate(self.outcome_message, self.lang),
            "decisions": [self._decision(d) for d in self.decisions],
            "details": self.details,
        }
        payload.update({k: v for k, v in self.tags.items() if k in OPTIONAL_TAGS and v})
        return payload

    def _decision(self, d: Decision) -> dict[str, Any]:
        return {
            "code": d.code,
            "correct": d.correct,
            "critical": d.critical,
            "t": d.t,
            "points": d.points,
            "max_points": d.max_points,
            "message_id": d.message,
            "text": translate(d.message, self.lang, d.params),
        }

    def verdict(self) -> dict[str, Any]:
        """Return the deterministic part of the result, compared on replay."""
        payload = self.to_payload()
        keep = (
            "drill",
            "version",
            "seed",
            "score",
            "max_score",
            "passed",
            "duration_s",
            "outcome",
            "decisions",
            "details",
        )
        return {k: payload[k] for k in keep}


def write_json_atomic(path: Path, data: dict[str, Any]) -> Path:
    """Write JSON to ``path`` via a temporary file and os.replace, so it is never torn."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
