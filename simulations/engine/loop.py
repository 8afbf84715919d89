"""Fixed-timestep main loop with a lag cap; input is applied per tick, so runs replay exactly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from simulations.engine.inputs import TICK_RATE, InputEvent

STEP = 1.0 / TICK_RATE
MAX_FRAME_TIME = 0.25  # cap the lag so a stall does not cause a burst of catch-up updates


class Clock(Protocol):
    """Something that says how many seconds passed since the last call."""

    def tick(self) -> float: ...


class FixedClock:
    """A clock that always reports the same interval (tests, headless runs, replays)."""

    def __init__(self, dt: float = STEP) -> None:
        self.dt = dt

    def tick(self) -> float:
        """Return the fixed interval."""
        return self.dt


class InputSource(Protocol):
    """Where tick-stamped input comes from: a script, a replay or the keyboard."""

    def pump(self, tick: int) -> None: ...

    def due(self, tick: int) -> list[InputEvent]: ...


class App(Protocol):
    """What the loop drives (normally a :class:`Director`)."""

    finished: bool

    def handle_input(self, event: InputEvent) -> None: ...

    def update(self, dt: float) -> None: ...

    def draw(self, alpha: float) -> None: ...


@dataclass
class LoopStats:
    """How many frames, simulation ticks and renders one run took."""

    frames: int = 0
    ticks: int = 0
    renders: int = 0


def run(
    app: App,
    clock: Clock,
    source: InputSource,
    *,
    max_frames: int | None = None,
    render_every: int = 1,
    recorder: list[InputEvent] | None = None,
) -> LoopStats:
    """Run ``app`` until it finishes or ``max_frames`` frames have passed."""
    stats, lag = LoopStats(), 0.0
    while not app.finished and (max_frames is None or stats.frames < max_frames):
        lag += min(clock.tick(), MAX_FRAME_TIME)
        source.pump(stats.ticks)
        while lag >= STEP - 1e-9 and not app.finished:
            _tick(app, source, stats.ticks, recorder)
            stats.ticks += 1
            lag -= STEP
        if render_every and (stats.frames % render_every == 0 or app.finished):
            app.draw(max(0.0, lag) / STEP)
            stats.renders += 1
        stats.frames += 1
    return stats


def _tick(app: App, source: InputSource, tick: int, recorder: list[InputEvent] | None) -> None:
    for event in source.due(tick):
        stamped = event if event.tick == tick else InputEvent(tick, event.kind, event.key, event.pos)
        if recorder is not None:
            recorder.append(stamped)
        app.handle_input(stamped)
    app.update(STEP)
