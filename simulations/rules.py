"""Rule values loaded from data/rules.json, each tagged with its source."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_PATH = Path(__file__).with_name("data") / "rules.json"


@lru_cache(maxsize=1)
def load_rules() -> dict[str, Any]:
    """Return the parsed rules file (cached; the file is read-only data)."""
    with RULES_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


def section(name: str) -> dict[str, Any]:
    """Return ``{key: value}`` for one drill section, dropping tags and sources."""
    raw = load_rules()[name]
    return {key: entry["value"] for key, entry in raw.items()}


def entries() -> list[tuple[str, str, dict[str, Any]]]:
    """List every rule as (section, key, entry) so tests can audit tags."""
    out = []
    for sec, items in load_rules().items():
        if sec.startswith("_"):
            continue
        out.extend((sec, key, entry) for key, entry in items.items())
    return out
