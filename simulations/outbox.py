"""Local outbox: results wait here, one JSON file each, until the LMS acknowledges them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from simulations.results import write_json_atomic

HOME_ENV = "SAFETY_DRILL_HOME"


def data_home(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory: --data-dir, then $SAFETY_DRILL_HOME, then ~/.local/share."""
    if override:
        return Path(override)
    if os.environ.get(HOME_ENV):
        return Path(os.environ[HOME_ENV])
    return Path.home() / ".local" / "share" / "safety-drill"


class Outbox:
    """A directory of pending results plus a ``rejected/`` folder for refused ones."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.rejected_dir = self.root / "rejected"

    def put(self, payload: dict[str, Any]) -> Path:
        """Store a payload durably before any attempt to send it."""
        return write_json_atomic(self.root / f"{payload['run_id']}.json", payload)

    def pending(self) -> list[Path]:
        """List waiting results, oldest name first for a stable order."""
        if not self.root.exists():
            return []
        return sorted(p for p in self.root.glob("*.json") if not p.name.startswith("."))

    def load(self, path: Path) -> dict[str, Any]:
        """Read one stored payload."""
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)

    def remove(self, path: Path) -> None:
        """Forget a result once the LMS has acknowledged it."""
        path.unlink(missing_ok=True)

    def reject(self, path: Path, status: int, reason: str) -> Path:
        """Move a refused result aside with the reason, so it is not retried forever."""
        record = {"status": status, "reason": reason, "payload": self.load(path)}
        target = write_json_atomic(self.rejected_dir / path.name, record)
        path.unlink(missing_ok=True)
        return target

    def rejected(self) -> list[Path]:
        """List results the LMS refused."""
        return sorted(self.rejected_dir.glob("*.json")) if self.rejected_dir.exists() else []
