"""Floor plans as data: a character grid loaded from data/floorplans/<id>.json."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from simulations.i18n import N_

PLAN_DIR = Path(__file__).resolve().parent.parent / "data" / "floorplans"
PLAN_NAMES = {"school": N_("School teaching building"), "office": N_("Office floor")}

WALL, FLOOR, OUTDOOR, ASSEMBLY = "#", ".", ",", "A"
DOOR_CLOSED, DOOR_OPEN, LIFT, STAIRS, EXIT = "D", "d", "L", "S", "X"
START, BELONGINGS, SINK, FIRE_ORIGIN = "P", "B", "W", "F"
#: Marker tiles are ordinary floor once the plan is loaded.
FLOOR_MARKERS = {START, BELONGINGS, SINK, FIRE_ORIGIN}
OUTSIDE_KINDS = {OUTDOOR, ASSEMBLY}


@dataclass(frozen=True)
class FloorPlan:
    """An immutable floor: tile kinds plus the special places found in the grid."""

    plan_id: str
    cols: int
    rows: int
    tiles: tuple[str, ...]  # row-major kinds, markers kept (P, B, W, F)
    par_time_s: float

    def kind(self, col: int, row: int) -> str:
        """Return the tile character, or a wall outside the grid."""
        if 0 <= col < self.cols and 0 <= row < self.rows:
            return self.tiles[row * self.cols + col]
        return WALL

    def find(self, kind: str) -> list[tuple[int, int]]:
        """Return every (col, row) holding ``kind``, in reading order."""
        return [(i % self.cols, i // self.cols) for i, k in enumerate(self.tiles) if k == kind]

    def is_outside(self, col: int, row: int) -> bool:
        """Tell whether a tile is out of the building."""
        return self.kind(col, row) in OUTSIDE_KINDS


def list_plans() -> list[str]:
    """Return the ids of the bundled floor plans."""
    return sorted(p.stem for p in PLAN_DIR.glob("*.json"))


def load_plan(plan_id: str) -> FloorPlan:
    """Load and check one bundled floor plan."""
    data = json.loads((PLAN_DIR / f"{plan_id}.json").read_text(encoding="utf-8"))
    grid: list[str] = data["grid"]
    cols = len(grid[0])
    if any(len(row) != cols for row in grid):
        raise ValueError(f"floor plan {plan_id}: rows differ in length")
    plan = FloorPlan(plan_id, cols, len(grid), tuple("".join(grid)), float(data["par_time_s"]))
    if len(plan.find(START)) != 1 or not plan.find(ASSEMBLY) or not plan.find(FIRE_ORIGIN):
        raise ValueError(f"floor plan {plan_id}: needs one P, an A and at least one F")
    return plan


def shortest_path(
    start: tuple[int, int], goal: tuple[int, int], passable: set[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Breadth-first path over passable tiles (4-neighbour); empty when unreachable."""
    came: dict[tuple[int, int], tuple[int, int] | None] = {start: None}
    queue = deque([start])
    while queue:
        cur = queue.popleft()
        if cur == goal:
            break
        for nxt in (
            (cur[0] + 1, cur[1]),
            (cur[0] - 1, cur[1]),
            (cur[0], cur[1] + 1),
            (cur[0], cur[1] - 1),
        ):
            if nxt in passable and nxt not in came:
                came[nxt] = cur
                queue.append(nxt)
    if goal not in came:
        return []
    path, node = [], goal
    while node is not None:
        path.append(node)
        node = came[node]
    return path[::-1]
