"""Map drill names to their scenes (imported lazily so the menu starts fast)."""

from __future__ import annotations

import random

from simulations.drill import DrillScene, RunInfo
from simulations.i18n import N_

TITLES = {
    "escape": N_("Fire escape"),
    "extinguisher": N_("Fire extinguishing"),
    "confined-space": N_("Confined-space entry"),
}


def make_drill(info: RunInfo) -> DrillScene:
    """Create the scene (and model) for ``info.drill``."""
    if info.drill == "escape":
        from simulations.escape.scenes import EscapeScene

        return EscapeScene(info)
    if info.drill == "extinguisher":
        from simulations.extinguisher.scenes import ExtinguisherScene

        return ExtinguisherScene(info)
    if info.drill == "confined-space":
        from simulations.confined_space.scenes import ConfinedSpaceScene

        return ConfinedSpaceScene(info)
    raise ValueError(f"unknown drill {info.drill!r}")


def fresh_seed() -> int:
    """Pick a seed for a run when none was given (recorded, so the run can be replayed)."""
    return random.SystemRandom().randrange(1, 2**31)
