"""Input events keyed by simulation tick, script parsing and replay files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TICK_RATE = 60
REPLAY_FORMAT = "safety-drill-replay"


@dataclass(frozen=True)
class InputEvent:
    """A key press/release or a click, applied at the start of simulation tick ``tick``."""

    tick: int
    kind: str  # "down", "up" or "click"
    key: str = ""  # pygame key name, e.g. "right", "space", "t"
    pos: tuple[int, int] = (0, 0)  # logical 1280x720 pixels, for clicks

    def to_list(self) -> list[Any]:
        """Return a compact JSON form: [tick, kind, key, x, y]."""
        return [self.tick, self.kind, self.key, self.pos[0], self.pos[1]]

    @classmethod
    def from_list(cls, row: list[Any]) -> InputEvent:
        """Rebuild an event from :meth:`to_list` output."""
        return cls(int(row[0]), str(row[1]), str(row[2]), (int(row[3]), int(row[4])))


class ScriptError(ValueError):
    """A line of a script file could not be understood."""


def parse_script(text: str, tick_rate: int = TICK_RATE) -> list[InputEvent]:
    """Turn a script (see simulations/README.md) into tick-stamped events."""
    cursor, events = 0, []
    for number, raw in enumerate(text.splitlines(), 1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        try:
            cursor = _apply(words, cursor, events, tick_rate)
        except (IndexError, ValueError) as exc:
            raise ScriptError(f"line {number}: {raw.strip()!r}: {exc}") from exc
    return events


def _apply(words: list[str], cursor: int, events: list[InputEvent], rate: int) -> int:
    verb, args = words[0].lower(), words[1:]

    def ticks(seconds: str) -> int:
        return max(0, round(float(seconds) * rate))

    if verb == "wait":
        return cursor + ticks(args[0])
    if verb == "at":
        target = ticks(args[0])
        if target < cursor:
            raise ValueError("'at' cannot go back in time")
        return target
    if verb == "tap":
        key = " ".join(args)
        events += [InputEvent(cursor, "down", key), InputEvent(cursor + 1, "up", key)]
        return cursor + 2
    if verb == "hold":
        key, end = " ".join(args[:-1]), cursor + ticks(args[-1])
        events += [InputEvent(cursor, "down", key), InputEvent(end, "up", key)]
        return end + 1
    if verb in ("press", "release"):
        events.append(InputEvent(cursor, "down" if verb == "press" else "up", " ".join(args)))
        return cursor + 1
    if verb == "click":
        events.append(InputEvent(cursor, "click", "mouse1", (int(args[0]), int(args[1]))))
        return cursor + 1
    raise ValueError(f"unknown command {verb!r}")


class EventQueue:
    """Deliver pre-recorded events tick by tick (scripts and replays)."""

    def __init__(self, events: list[InputEvent]) -> None:
        self._events = sorted(events, key=lambda e: e.tick)  # stable: keeps same-tick order
        self._index = 0

    def pump(self, tick: int) -> None:
        """Nothing to read: the events are known in advance."""

    def due(self, tick: int) -> list[InputEvent]:
        """Return the events scheduled at or before ``tick`` not yet delivered."""
        start = self._index
        while self._index < len(self._events) and self._events[self._index].tick <= tick:
            self._index += 1
        return self._events[start : self._index]

    @property
    def exhausted(self) -> bool:
        """Tell whether every event has been delivered."""
        return self._index >= len(self._events)


def save_replay(
    path: Path, header: dict[str, Any], events: list[InputEvent], expected: dict[str, Any]
) -> None:
    """Write a replay file: drill, version, seed, options, the input log and the verdict."""
    from simulations.results import write_json_atomic

    data = {
        "format": REPLAY_FORMAT,
        "format_version": 1,
        "tick_rate": TICK_RATE,
        **header,
        "events": [e.to_list() for e in events],
        "expected": expected,
    }
    write_json_atomic(path, data)


def load_replay(path: Path) -> dict[str, Any]:
    """Read a replay file and turn its events back into InputEvents."""
    with Path(path).open(encoding="utf-8") as fh:
        data = json.load(fh)
    if data.get("format") != REPLAY_FORMAT:
        raise ValueError(f"{path} is not a safety-drill replay file")
    data["events"] = [InputEvent.from_list(row) for row in data["events"]]
    return data
