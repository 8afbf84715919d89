"""Fire escape rules and state (pure: no pygame; time only comes in through ``update``)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from simulations.escape import floorplan as fp
from simulations.escape import judge as J
from simulations.escape.smoke import SmokeField
from simulations.rules import section
from simulations.scoring import ScoreSheet, percent

VERSION = "1.0"
BODY = 0.25  # half-width of the learner in metres, for wall collisions
PASSABLE = set(".,ASXLd") | fp.FLOOR_MARKERS
REACH_M = 1.3  # how close you must stand to a door, tap or bag to use it


@dataclass
class Door:
    """A door on the plan: open or shut, and whether the learner has felt it."""

    open: bool
    tested: bool = False


class EscapeModel:
    """The learner, the fire, the smoke and every judged decision."""

    version = VERSION
    max_score = J.MAX_SCORE

    def __init__(self, plan: fp.FloorPlan, seed: int) -> None:
        self.plan, self.seed, self.r = plan, seed, section("escape")
        self.rng = random.Random(seed)
        col, row = plan.find(fp.START)[0]
        self.x, self.y = col + 0.5, row + 0.5
        self.t, self.health, self.exposure = 0.0, 100.0, 0.0
        self.crouching = self.wet_cloth = self.has_belongings = self.called = False
        self.reached_assembly = False
        self.busy = 0.0  # seconds left of an action that keeps the learner still
        self.outcome: str | None = None
        self.sheet = ScoreSheet()
        self.doors = {
            pos: Door(open=plan.kind(*pos) == fp.DOOR_OPEN)
            for pos in plan.find(fp.DOOR_CLOSED) + plan.find(fp.DOOR_OPEN)
        }
        self.smoke = SmokeField(
            plan,
            self.r["smoke_spread_per_s"],
            self.r["smoke_emission_per_s"],
            self.r["smoke_door_leak"],
            self.r["smoke_outdoor_decay_per_s"],
        )
        origin = self.rng.choice(plan.find(fp.FIRE_ORIGIN))
        self.burning = [origin[1] * plan.cols + origin[0]]
        self._smoke_clock = self._spread_clock = 0.0
        self.smoke_time = self.crouched_smoke_time = self.cloth_smoke_time = 0.0
        self.path: list[tuple[float, float]] = []
        self.move = (0.0, 0.0)
        self.message = ""
        for _ in range(round(self.r["preburn_s"] * 10)):
            self._advance_fire(0.1)

    # --- queries -------------------------------------------------------------
    @property
    def finished(self) -> bool:
        """Tell whether the drill has ended."""
        return self.outcome is not None

    def tile(self) -> tuple[int, int]:
        """Return the tile the learner stands on."""
        return int(self.x), int(self.y)

    def breathing_density(self) -> float:
        """Smoke density at mouth height: lower when crouching, filtered by a wet cloth."""
        d = self.smoke.at(*self.tile())
        if self.crouching:
            d *= self.r["floor_layer_fraction"]
        return d

    def visibility_m(self) -> float:
        """How far the learner can see through the smoke, in metres."""
        return 1.5 + 10.5 * (1.0 - self.breathing_density()) ** 2

    def door_is_hot(self, pos: tuple[int, int]) -> bool:
        """A door is hot when fire burns within the configured radius of it."""
        radius = self.r["hot_door_radius_tiles"]
        return any(math.dist(pos, self.smoke.cell(i)) <= radius for i in self.burning)

    def nearby(self, kinds: set[str]) -> tuple[int, int] | None:
        """Return the closest tile of one of ``kinds`` within reach, if any."""
        col, row = self.tile()
        best = None
        for dc in (-1, 0, 1):
            for dr in (-1, 0, 1):
                pos = (col + dc, row + dr)
                dist = math.dist((self.x, self.y), (pos[0] + 0.5, pos[1] + 0.5))
                close = self.plan.kind(*pos) in kinds and dist <= REACH_M
                if close and (best is None or dist < best[0]):
                    best = (dist, pos)
        return best[1] if best else None

    def near_door(self) -> tuple[int, int] | None:
        """Return the closest door within reach."""
        return self.nearby({fp.DOOR_CLOSED, fp.DOOR_OPEN})

    # --- commands ------------------------------------------------------------
    def set_move(self, dx: float, dy: float) -> None:
        """Set the walking direction from the keyboard; it cancels a mouse route."""
        if dx or dy:
            self.path = []
        self.move = (dx, dy)

    def goto(self, col: int, row: int) -> bool:
        """Walk to a tile along the shortest known route (mouse click)."""
        passable = {p for p in self._all_tiles() if self._passable(*p)}
        route = fp.shortest_path(self.tile(), (col, row), passable)
        self.path = [(c + 0.5, r + 0.5) for c, r in route[1:]]
        return bool(route)

    def toggle_crouch(self) -> None:
        """Bend low under the smoke (slower) or stand up again."""
        self.crouching = not self.crouching

    def test_door(self) -> None:
        """Feel the nearest door with the back of the hand."""
        pos = self.near_door()
        if pos is None or self.finished:
            return
        door = self.doors[pos]
        hot = self.door_is_hot(pos)
        if hot and not door.tested and not door.open:
            J.judge(self.sheet, "hot_door", True, J.HOT_DOOR_FOUND, self.t)
        door.tested = True
        self.message = "hot" if hot else "cool"

    def open_door(self) -> None:
        """Open the nearest closed door, with the consequences if it was hot."""
        pos = self.near_door()
        if pos is None or self.finished or self.doors[pos].open:
            return
        door = self.doors[pos]
        ok = door.tested
        J.judge(self.sheet, "door_tested", ok, J.DOOR_TESTED if ok else J.DOOR_UNTESTED, self.t)
        if self.door_is_hot(pos):
            self.health -= self.r["hot_door_damage"]
            J.judge(self.sheet, "hot_door", False, J.HOT_DOOR_OPENED, self.t)
            self.message = "burst"
        door.open = True
        self.smoke.set_door(*pos, True)

    def use(self) -> None:
        """Use what is within reach: wet a cloth at a tap, or pick up belongings."""
        if self.finished or self.busy > 0:
            return
        if not self.wet_cloth and self.nearby({fp.SINK}):
            self.wet_cloth, self.busy = True, self.r["wet_cloth_delay_s"]
            self.message = "cloth"
        elif not self.has_belongings and self.nearby({fp.BELONGINGS}):
            self.has_belongings, self.busy = True, self.r["belongings_delay_s"]
            J.judge(self.sheet, "belongings", False, J.BELONGINGS, self.t)
            self.message = "belongings"

    def call_119(self) -> None:
        """Call the fire brigade (takes a few seconds standing still)."""
        if not self.called and not self.finished:
            self.called, self.busy = True, max(self.busy, self.r["call_duration_s"])
            J.judge(self.sheet, "call_119", True, J.CALL_OK, self.t)
            self.message = "called"

    # --- simulation ----------------------------------------------------------
    def update(self, dt: float) -> None:
        """Advance the fire, the smoke and the learner by ``dt`` seconds."""
        if self.finished:
            return
        self.t += dt
        self._advance_fire(dt)
        if self.busy > 0:
            self.busy = max(0.0, self.busy - dt)
        else:
            self._walk(dt)
        self._breathe(dt)
        self._check_end()

    def _advance_fire(self, dt: float) -> None:
        self._smoke_clock += dt
        period = 1.0 / self.r["smoke_update_hz"]
        while self._smoke_clock >= period - 1e-9:
            self._smoke_clock -= period
            self.smoke.step(period, self.burning)
        self._spread_clock += dt
        if self._spread_clock >= self.r["fire_spread_interval_s"]:
            self._spread_clock = 0.0
            self._spread_fire()

    def _spread_fire(self) -> None:
        lit = set(self.burning)
        options = sorted(
            {n for i in self.burning for n in self._neighbours(i) if n not in lit and self._flammable(n)}
        )
        if options:
            self.burning.append(self.rng.choice(options))

    def _neighbours(self, i: int) -> list[int]:
        col, row = self.smoke.cell(i)
        cols = self.plan.cols
        return [
            r * cols + c
            for c, r in ((col + 1, row), (col - 1, row), (col, row + 1), (col, row - 1))
            if 0 <= c < cols and 0 <= r < self.plan.rows
        ]

    def _flammable(self, i: int) -> bool:
        kind = self.plan.tiles[i]
        pos = self.smoke.cell(i)
        if kind in (fp.DOOR_CLOSED, fp.DOOR_OPEN):
            return self.doors[pos].open
        return kind in fp.FLOOR_MARKERS or kind in (fp.FLOOR, fp.STAIRS)

    def _walk(self, dt: float) -> None:
        dx, dy = self.move
        if self.path:
            tx, ty = self.path[0]
            dx, dy = tx - self.x, ty - self.y
            if math.hypot(dx, dy) < 0.05:
                self.path.pop(0)
                return
        length = math.hypot(dx, dy)
        if length == 0:
            return
        speed = self.r["crouch_speed_mps" if self.crouching else "walk_speed_mps"]
        step = min(speed * dt, length) if self.path else speed * dt
        self._try_move(dx / length * step, dy / length * step)

    def _try_move(self, dx: float, dy: float) -> None:
        # Axis by axis, so the learner slides along walls instead of sticking.
        if self._free(self.x + dx, self.y):
            self.x += dx
        if self._free(self.x, self.y + dy):
            self.y += dy

    def _free(self, x: float, y: float) -> bool:
        return all(self._passable(int(x + ox), int(y + oy)) for ox in (-BODY, BODY) for oy in (-BODY, BODY))

    def _passable(self, col: int, row: int) -> bool:
        kind = self.plan.kind(col, row)
        if kind == fp.DOOR_CLOSED:
            return self.doors[(col, row)].open
        return kind in PASSABLE

    def _all_tiles(self) -> list[tuple[int, int]]:
        return [(c, r) for r in range(self.plan.rows) for c in range(self.plan.cols)]

    def _breathe(self, dt: float) -> None:
        ceiling = self.smoke.at(*self.tile())
        dose = self.breathing_density()
        if self.wet_cloth:
            dose *= self.r["wet_cloth_exposure_factor"]
        self.exposure += dose * dt
        self.health -= self.r["exposure_damage_per_s"] * dose * dt
        col, row = self.tile()
        if row * self.plan.cols + col in self.burning:
            self.health -= self.r["fire_damage_per_s"] * dt
        if ceiling >= self.r["smoke_threshold"]:
            self.smoke_time += dt
            self.crouched_smoke_time += dt if self.crouching else 0.0
            self.cloth_smoke_time += dt if self.wet_cloth else 0.0

    def _check_end(self) -> None:
        kind = self.plan.kind(*self.tile())
        if kind == fp.LIFT:
            J.judge(self.sheet, "lift", False, J.LIFT, self.t)
            self._finish("lift")
        elif self.health <= 0:
            self.health = 0.0
            self._finish("collapsed")
        elif kind == fp.ASSEMBLY and not self.reached_assembly:
            self.reached_assembly = True
            J.judge(self.sheet, "assembly", True, J.ASSEMBLY_OK, self.t)
        if not self.finished and self.reached_assembly and self.called and self.busy == 0:
            self._finish("escaped")
        elif not self.finished and self.t >= self.r["time_limit_s"]:
            self._finish("timeout")

    def _finish(self, outcome: str) -> None:
        self.outcome = outcome
        if self.smoke_time > 1.0:
            crouched = self.crouched_smoke_time >= 0.6 * self.smoke_time
            clothed = self.cloth_smoke_time >= 0.5 * self.smoke_time
            J.judge(
                self.sheet,
                "crouch",
                crouched,
                J.CROUCH_OK if crouched else J.CROUCH_MISSING,
                self.t,
            )
            J.judge(
                self.sheet,
                "wet_cloth",
                clothed,
                J.WET_CLOTH_OK if clothed else J.WET_CLOTH_MISSING,
                self.t,
            )
        if not self.reached_assembly:
            J.judge(self.sheet, "assembly", False, J.ASSEMBLY_MISSING, self.t)
        if not self.called:
            J.judge(self.sheet, "call_119", False, J.CALL_MISSING, self.t)

    # --- result --------------------------------------------------------------
    def score(self) -> int:
        """Return the score out of :data:`judge.MAX_SCORE`."""
        return J.final_score(
            self.outcome == "escaped",
            self.t,
            self.health,
            self.plan.par_time_s,
            self.r["time_limit_s"],
            self.sheet,
        )

    def passed(self) -> bool:
        """Pass: escaped, no critical mistake and at least the pass mark."""
        return (
            self.outcome == "escaped"
            and not self.sheet.critical_failure()
            and percent(self.score(), J.MAX_SCORE) >= self.r["pass_mark_pct"]
        )

    def outcome_message(self) -> str:
        """Return the msgid describing how the drill ended."""
        return J.OUTCOMES.get(self.outcome or "", J.UNFINISHED)

    def details(self) -> dict[str, Any]:
        """Return drill-specific figures for the result."""
        return {
            "floorplan": self.plan.plan_id,
            "health": round(self.health, 1),
            "exposure": round(self.exposure, 3),
            "smoke_time_s": round(self.smoke_time, 2),
        }
