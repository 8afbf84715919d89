"""The fire escape scene: keyboard/mouse control of EscapeModel and the HUD."""

from __future__ import annotations

import pygame

from simulations import palette as P
from simulations import ui
from simulations.drill import DrillScene, RunInfo
from simulations.escape.floorplan import PLAN_NAMES, load_plan
from simulations.escape.model import EscapeModel
from simulations.escape.render import MAP_SIZE, TILE, EscapeRenderer
from simulations.i18n import N_, _

MESSAGES = {
    "start": N_("Fire alarm! Get out of the building safely and call 119."),
    "hot": N_("The door is HOT. Do not open it: find another way."),
    "cool": N_("The door is not hot. You may open it carefully (O)."),
    "burst": N_("Fire and hot smoke burst through the door!"),
    "cloth": N_("You wet a cloth and hold it over your mouth and nose."),
    "belongings": N_("You go back and pack your bag..."),
    "called": N_("Calling 119: address, what is burning, anyone trapped..."),
}
MOVE_KEYS = {
    "left": (-1, 0),
    "a": (-1, 0),
    "right": (1, 0),
    "d": (1, 0),
    "up": (0, -1),
    "w": (0, -1),
    "down": (0, 1),
    "s": (0, 1),
}
MESSAGE_S = 4.0


class EscapeScene(DrillScene):
    """Move with arrows/WASD or a click; C crouch, T feel door, O open, E use, 9 call 119."""

    def __init__(self, info: RunInfo) -> None:
        plan = load_plan(info.options.get("floorplan", "school"))
        super().__init__(info, EscapeModel(plan, info.seed))
        self.model: EscapeModel = self.model
        self.renderer: EscapeRenderer | None = None
        self.hud: pygame.Surface | None = None
        self.message, self.message_until = MESSAGES["start"], MESSAGE_S
        self.frame = 0

    def on_key(self, key: str) -> None:
        """Map action keys to model commands."""
        actions = {
            "c": self.model.toggle_crouch,
            "t": self.model.test_door,
            "o": self.model.open_door,
            "e": self.model.use,
            "9": self.model.call_119,
        }
        if key in actions:
            actions[key]()

    def on_click(self, pos: tuple[int, int]) -> None:
        """Walk to the clicked tile."""
        if pos[1] < MAP_SIZE[1]:
            self.model.goto(pos[0] // TILE, pos[1] // TILE)

    def steer(self, keys: frozenset[str]) -> None:
        """Walk while arrow or WASD keys are held."""
        dx = sum(MOVE_KEYS[k][0] for k in keys if k in MOVE_KEYS)
        dy = sum(MOVE_KEYS[k][1] for k in keys if k in MOVE_KEYS)
        self.model.set_move(dx, dy)

    def update(self, dt: float, held: frozenset[str]) -> None:
        """Advance the drill and pick up any new event message from the model."""
        super().update(dt, held)
        if self.model.message:
            self.message = MESSAGES.get(self.model.message, "")
            self.message_until = self.model.t + MESSAGE_S
            self.model.message = ""

    def draw(self, surface: pygame.Surface, alpha: float) -> None:
        """Draw the map and the heads-up display."""
        text = self.context["text"]
        if self.renderer is None:
            self.renderer = EscapeRenderer(self.model.plan, text)
            self.hud = self._hud_background()
        self.frame += 1
        self.renderer.draw_map(surface, self.model, self.frame)
        surface.blit(self.hud, (0, MAP_SIZE[1]))
        self._draw_status(surface, text)

    def _hud_background(self) -> pygame.Surface:
        hud = ui.static_layer((1280, 80), P.PANEL)
        text = self.context["text"]
        text.draw(hud, _(PLAN_NAMES[self.model.plan.plan_id]), (16, 8), 18, P.TEXT)
        ui.hints(
            hud,
            text,
            _(
                "Arrows/WASD or click: move · C crouch · T feel door · "
                "O open door · E use tap/bag · 9 call 119 · Esc leave"
            ),
            56,
            16,
        )
        return hud

    def _draw_status(self, surface: pygame.Surface, text: object) -> None:
        m, y = self.model, MAP_SIZE[1]
        color = P.SKY if m.health > 50 else P.ORANGE if m.health > 25 else P.VERMILLION
        ui.bar(surface, pygame.Rect(300, y + 10, 200, 18), m.health / 100.0, color)
        text.draw(surface, _("Health %(hp)d") % {"hp": m.health}, (510, y + 8), 18, P.TEXT)
        text.draw(surface, _("Time %(t)d s") % {"t": m.t}, (640, y + 8), 18, P.TEXT)
        states = [
            _("Crouching") if m.crouching else _("Standing"),
            _("Wet cloth") if m.wet_cloth else _("No cloth"),
        ]
        if m.called:
            states.append(_("119 called"))
        text.draw(surface, " · ".join(states), (780, y + 8), 18, P.HIGHLIGHT)
        if self.message and m.t < self.message_until:
            ui.panel(surface, pygame.Rect(240, 12, 800, 44), P.PANEL, P.HIGHLIGHT)
            text.draw(surface, _(self.message), (640, 34), 22, P.TEXT, "center")
