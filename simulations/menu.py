"""Launcher menu: choose a drill, the language and the floor plan."""

from __future__ import annotations

import pygame

from simulations import palette as P
from simulations import ui
from simulations.drill import RunInfo
from simulations.engine.inputs import InputEvent
from simulations.engine.scene import Scene
from simulations.escape.floorplan import PLAN_NAMES, list_plans
from simulations.i18n import LANGUAGES, _, language, set_language
from simulations.registry import TITLES, fresh_seed, make_drill

DRILL_KEYS = {"1": "escape", "2": "extinguisher", "3": "confined-space"}


class MenuScene(Scene):
    """Pick a drill with 1-3 or the arrows and Enter; L switches language, P the floor plan."""

    def __init__(self) -> None:
        super().__init__()
        self.choice = 0
        self._layer: pygame.Surface | None = None

    def handle_input(self, event: InputEvent, held: frozenset[str]) -> None:
        """React to menu keys."""
        if event.kind != "down":
            return
        drills = list(TITLES)
        key = event.key
        if key in DRILL_KEYS:
            self._start(DRILL_KEYS[key])
        elif key in ("up", "down"):
            self.choice = (self.choice + (1 if key == "down" else -1)) % len(drills)
        elif key in ("return", "space"):
            self._start(drills[self.choice])
        elif key == "l":
            set_language(LANGUAGES[(LANGUAGES.index(language()) + 1) % len(LANGUAGES)])
        elif key == "p":
            plans = list_plans()
            current = self.context.get("floorplan", "school")
            self.context["floorplan"] = plans[(plans.index(current) + 1) % len(plans)]
        elif key == "escape":
            self.quit = True
        self._layer = None

    def _start(self, drill: str) -> None:
        seed = self.context.get("seed")
        options = {"floorplan": self.context.get("floorplan", "school")} if drill == "escape" else {}
        info = RunInfo(
            drill=drill,
            seed=fresh_seed() if seed is None else seed,
            lang=language(),
            options=options,
            tags=self.context.get("tags", {}),
        )
        self.context["from_menu"] = True
        self.next_scene = make_drill(info)

    def draw(self, surface: pygame.Surface, alpha: float) -> None:
        """Blit the cached menu page."""
        if self._layer is None:
            self._layer = self._render(surface.get_size())
        surface.blit(self._layer, (0, 0))

    def _render(self, size: tuple[int, int]) -> pygame.Surface:
        text = self.context["text"]
        layer = ui.static_layer(size, P.BG)
        text.draw(layer, _("Work-safety drills"), (640, 70), 48, P.TEXT, "midtop")
        text.draw(
            layer,
            _("Learn by deciding: every mistake is explained at the end."),
            (640, 140),
            22,
            P.TEXT_DIM,
            "midtop",
        )
        for i, title in enumerate(TITLES.values()):
            rect = pygame.Rect(390, 220 + i * 90, 500, 70)
            chosen = i == self.choice
            ui.panel(
                layer,
                rect,
                P.PANEL_LIGHT if chosen else P.PANEL,
                P.HIGHLIGHT if chosen else P.PANEL_LIGHT,
            )
            text.draw(layer, f"{i + 1}  {_(title)}", rect.center, 30, P.TEXT, "center")
        plan_id = self.context.get("floorplan", "school")
        plan = _(PLAN_NAMES[plan_id]) if plan_id in PLAN_NAMES else plan_id
        text.draw(
            layer,
            _("Floor plan for the escape drill: %(plan)s") % {"plan": plan},
            (640, 510),
            20,
            P.TEXT_DIM,
            "midtop",
        )
        ui.hints(
            layer,
            text,
            _(
                "1-3 or Up/Down + Enter: start · L: 中文/English · "
                "P: floor plan · F11: fullscreen · Esc: quit"
            ),
            640,
            18,
        )
        return layer
