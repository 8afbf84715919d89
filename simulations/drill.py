"""Base scene for drills: input log, held keys, and the hand-over to the debrief."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from simulations.engine.inputs import InputEvent
from simulations.engine.scene import Scene
from simulations.results import DrillResult, new_run_id
from simulations.scoring import ScoreSheet


class DrillModel(Protocol):
    """What every drill model offers to the shared engine."""

    t: float
    outcome: str | None
    sheet: ScoreSheet
    version: str
    max_score: int

    @property
    def finished(self) -> bool: ...

    def update(self, dt: float) -> None: ...

    def score(self) -> int: ...

    def passed(self) -> bool: ...

    def details(self) -> dict[str, Any]: ...

    def outcome_message(self) -> str: ...


@dataclass
class RunInfo:
    """Who runs which drill with which seed; fixed before the first tick."""

    drill: str
    seed: int
    lang: str
    options: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    run_id: str = field(default_factory=new_run_id)
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


def build_result(info: RunInfo, model: DrillModel) -> DrillResult:
    """Freeze a finished model into a DrillResult."""
    return DrillResult(
        drill=info.drill,
        version=model.version,
        seed=info.seed,
        run_id=info.run_id,
        started_at=info.started_at,
        duration_s=round(model.t, 3),
        score=model.score(),
        max_score=model.max_score,
        passed=model.passed(),
        lang=info.lang,
        outcome=model.outcome or "unfinished",
        outcome_message=model.outcome_message(),
        decisions=tuple(model.sheet.decisions),
        details=model.details(),
        tags=dict(info.tags),
    )


class DrillScene(Scene):
    """Feeds input to a drill model tick by tick and reports the result when it ends."""

    def __init__(self, info: RunInfo, model: DrillModel) -> None:
        super().__init__()
        self.info, self.model = info, model
        self.tick = 0
        self.log: list[InputEvent] = []
        self.keys: set[str] = set()  # own held set: keys pressed before the drill are ignored
        self.result: DrillResult | None = None

    def handle_input(self, event: InputEvent, held: frozenset[str]) -> None:
        """Record the event against the drill's own tick, then act on it."""
        if self.result is not None:
            return
        if event.kind == "down" and event.key == "escape":
            self._leave()
            return
        self.log.append(InputEvent(self.tick, event.kind, event.key, event.pos))
        if event.kind == "down":
            self.keys.add(event.key)
            self.on_key(event.key)
        elif event.kind == "up":
            self.keys.discard(event.key)
        elif event.kind == "click":
            self.on_click(event.pos)

    def update(self, dt: float, held: frozenset[str]) -> None:
        """Steer the model from held keys, advance it, and report once it has finished."""
        if self.result is not None:
            return
        self.steer(frozenset(self.keys))
        self.model.update(dt)
        self.tick += 1
        if self.model.finished:
            self._report()

    def on_key(self, key: str) -> None:
        """Handle a key press (drills override)."""

    def on_click(self, pos: tuple[int, int]) -> None:
        """Handle a left click in canvas coordinates (drills override)."""

    def steer(self, keys: frozenset[str]) -> None:
        """Apply continuously held keys before each tick (drills override)."""

    def _report(self) -> None:
        from simulations.debrief import DebriefScene

        self.result = build_result(self.info, self.model)
        callback = self.context.get("on_result")
        if callback is not None:
            callback(self.result, self.info, self.log)
        self.next_scene = DebriefScene(self.result)

    def _leave(self) -> None:
        from simulations.menu import MenuScene

        if self.context.get("from_menu"):
            self.next_scene = MenuScene()
        else:
            self.quit = True
