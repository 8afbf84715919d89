"""Smoke on the floor grid: emitted by fire, spreading through open space, leaking past doors."""

from __future__ import annotations

from collections.abc import Iterable

from simulations.escape.floorplan import DOOR_CLOSED, WALL, FloorPlan

#: Smoke may pile up above density 1 (it is then reported as 1): the excess acts as
#: pressure that pushes smoke out through doorways instead of vanishing at a cap.
MAX_LOAD = 3.0


class SmokeField:
    """Ceiling-layer smoke density (0..1) per tile, updated at a fixed low rate."""

    def __init__(
        self,
        plan: FloorPlan,
        spread: float,
        emission: float,
        door_leak: float,
        outdoor_decay: float,
    ) -> None:
        self.plan = plan
        self.spread, self.emission = spread, emission
        self.door_leak, self.outdoor_decay = door_leak, outdoor_decay
        self.density = [0.0] * (plan.cols * plan.rows)
        self.conduct = [self._conductance(k) for k in plan.tiles]
        self.outdoor = [i for i, _ in enumerate(plan.tiles) if plan.is_outside(*self.cell(i))]
        self.edges: list[tuple[int, int, float]] = []
        self._build_edges()

    def cell(self, index: int) -> tuple[int, int]:
        """Return (col, row) of a flat index."""
        return index % self.plan.cols, index // self.plan.cols

    def at(self, col: int, row: int) -> float:
        """Return the density at a tile (0 outside the grid)."""
        if 0 <= col < self.plan.cols and 0 <= row < self.plan.rows:
            return min(1.0, self.density[row * self.plan.cols + col])
        return 0.0

    def set_door(self, col: int, row: int, is_open: bool) -> None:
        """Let smoke through an opened door (or hold it back behind a closed one)."""
        self.conduct[row * self.plan.cols + col] = 1.0 if is_open else self.door_leak
        self._build_edges()

    def step(self, dt: float, fires: Iterable[int]) -> None:
        """Advance by ``dt`` seconds: emit at fires, diffuse, clear outdoors."""
        d = self.density
        for i in fires:
            d[i] = min(MAX_LOAD, d[i] + self.emission * dt)
        rate = self.spread * dt / 4.0
        delta = [0.0] * len(d)
        for i, j, c in self.edges:
            diff = d[j] - d[i]
            if diff:
                flux = c * rate * diff
                delta[i] += flux
                delta[j] -= flux
        for i, change in enumerate(delta):
            if change:
                value = d[i] + change
                d[i] = MAX_LOAD if value > MAX_LOAD else (max(0.0, value))
        keep = max(0.0, 1.0 - self.outdoor_decay * dt)
        for i in self.outdoor:
            d[i] *= keep

    def _conductance(self, kind: str) -> float:
        if kind == WALL:
            return 0.0
        return self.door_leak if kind == DOOR_CLOSED else 1.0

    def _build_edges(self) -> None:
        cols, rows, cond = self.plan.cols, self.plan.rows, self.conduct
        self.edges = []
        for i in range(cols * rows):
            if cond[i] == 0.0:
                continue
            for j in (i + 1 if (i + 1) % cols else -1, i + cols if i + cols < cols * rows else -1):
                if j >= 0 and cond[j] > 0.0:
                    self.edges.append((i, j, min(cond[i], cond[j])))
