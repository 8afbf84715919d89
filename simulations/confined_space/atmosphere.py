"""Gas levels at the top, middle and bottom of a confined space (pure)."""

from __future__ import annotations

import math
import random
from typing import Any

GASES = ("o2", "lel", "h2s", "co")
CLEAN = {"o2": 20.9, "lel": 0.0, "h2s": 0.0, "co": 0.0}
REFILL_TAU_MIN = 40.0  # without a fan the space slowly returns to its own atmosphere
SURGE_TAU_MIN = 0.5


class Atmosphere:
    """Seeded starting gases per level; a fan clears them, a surge spoils one level."""

    def __init__(self, scenario: dict[str, Any], levels: list[str], rng: random.Random) -> None:
        self.levels = levels
        self.initial = {lv: {g: round(rng.uniform(*scenario[lv][g]), 1) for g in GASES} for lv in levels}
        self.now = {lv: dict(values) for lv, values in self.initial.items()}
        self.surge_spec = scenario["surge"]
        self.surging = False

    def advance(self, minutes: float, fan: bool, tau: float) -> None:
        """Let ``minutes`` pass with the fan on or off."""
        for lv in self.levels:
            for gas in GASES:
                target = CLEAN[gas] if fan else self.initial[lv][gas]
                k = 1.0 - math.exp(-minutes / (tau if fan else REFILL_TAU_MIN))
                self.now[lv][gas] += (target - self.now[lv][gas]) * k
        if self.surging:
            lv, gas = self.surge_spec["level"], self.surge_spec["gas"]
            k = 1.0 - math.exp(-minutes / SURGE_TAU_MIN)
            self.now[lv][gas] += (self.surge_spec["to"] - self.now[lv][gas]) * k

    def reading(self, level: str) -> dict[str, float]:
        """Return the rounded reading a detector shows at ``level``."""
        return {gas: round(value, 1) for gas, value in self.now[level].items()}


def out_of_limits(reading: dict[str, float], limits: dict[str, Any]) -> list[str]:
    """Return the gases of a reading that break the acceptance thresholds."""
    bad = []
    if not limits["oxygen_pct_min"] <= reading["o2"] <= limits["oxygen_pct_max"]:
        bad.append("o2")
    if reading["lel"] >= limits["lel_pct_max"]:
        bad.append("lel")
    if reading["h2s"] > limits["h2s_mg_m3_max"]:
        bad.append("h2s")
    if reading["co"] > limits["co_mg_m3_max"]:
        bad.append("co")
    return bad
