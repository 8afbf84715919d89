"""The extinguishing scene: a top-down yard with the fire, the learner and the wind."""

from __future__ import annotations

import math

import pygame

from simulations import palette as P
from simulations import ui
from simulations.drill import DrillScene, RunInfo
from simulations.extinguisher import judge as J
from simulations.extinguisher.model import POSITIONS, ExtinguisherModel
from simulations.i18n import N_, _

YARD_W, FIRE_AT, PX_PER_M = 840, (420, 360), 32
AGENT_COLORS = {
    "water": P.SKY,
    "foam": P.WHITE,
    "abc_powder": P.YELLOW,
    "co2": (200, 200, 210),
    "wet_chemical": P.PURPLE,
    "d_special": P.GREY,
}
STEP_NAMES = (
    ("lift", N_("L  Lift and carry (提)")),
    ("pin", N_("P  Pull the pin (拔)")),
    ("aim", N_("A  Aim at the base (瞄)")),
    ("squeeze", N_("Space  Squeeze (压)")),
    ("sweep", N_("W  Sweep side to side (扫)")),
)
POSITION_NAMES = {"upwind": N_("Upwind"), "side": N_("Side wind"), "downwind": N_("Downwind")}
MESSAGES = {
    "no_pin": N_("Nothing comes out: lift it and pull the pin first."),
    "flare": N_("The fire FLARES UP!"),
    "reaction": N_("Violent reaction: burning metal sprays!"),
    "out_of_control": N_("The fire is out of control: press X to leave and call 119."),
}
RESULT_NAMES = {
    "out": N_("Fire out"),
    "retreat": N_("You left and called 119"),
    "failed": N_("Fire not controlled"),
    "shock": N_("Electric shock!"),
}


class ExtinguisherScene(DrillScene):
    """1-6 pick agent · L P A steps · Space squeeze · W sweep · arrows move · X leave."""

    def __init__(self, info: RunInfo) -> None:
        super().__init__(info, ExtinguisherModel(info.seed))
        self.model: ExtinguisherModel = self.model
        self._bg_round, self._bg, self._panel = -1, None, None
        self.message, self.message_until = "", 0.0

    def on_key(self, key: str) -> None:
        """Map keys to the model's commands."""
        m = self.model
        agents = list(m.r["agents"])
        if key.isdigit() and 1 <= int(key) <= len(agents):
            m.choose(agents[int(key) - 1])
        actions = {
            "l": lambda: m.step("lift"),
            "p": lambda: m.step("pin"),
            "a": lambda: m.step("aim"),
            "w": m.toggle_sweep,
            "x": m.retreat,
            "left": lambda: m.walk(-1),
            "right": lambda: m.walk(1),
        }
        if key in actions:
            actions[key]()

    def steer(self, keys: frozenset[str]) -> None:
        """Hold Space to squeeze; hold Up/Down to walk closer or back away."""
        approach = (1.0 if "up" in keys else 0.0) - (1.0 if "down" in keys else 0.0)
        self.model.set_controls("space" in keys, approach)

    def update(self, dt: float, held: frozenset[str]) -> None:
        """Advance and collect model messages for display."""
        super().update(dt, held)
        if self.model.message:
            self.message, self.message_until = MESSAGES[self.model.message], self.model.t + 3.0
            self.model.message = ""

    def draw(self, surface: pygame.Surface, alpha: float) -> None:
        """Draw the yard and the side panel."""
        text = self.context["text"]
        if self._bg_round != self.model.index:
            self._bg_round = self.model.index
            self._bg, self._panel = self._yard(), self._panel_layer(text)
        surface.blit(self._bg, (0, 0))
        surface.blit(self._panel, (YARD_W, 0))
        self._draw_fire(surface)
        self._draw_learner(surface)
        self._draw_status(surface, text)

    def _angle(self, position: int) -> float:
        wind_from = self.model.wind_from[min(self.model.index, len(self.model.order) - 1)]
        return math.radians(90 * wind_from + 90 * position)

    def _learner_xy(self) -> tuple[int, int]:
        rnd = self.model.round
        a = self._angle(rnd.position)
        r = rnd.distance * PX_PER_M
        return int(FIRE_AT[0] + r * math.cos(a)), int(FIRE_AT[1] + r * math.sin(a))

    def _yard(self) -> pygame.Surface:
        bg = ui.static_layer((YARD_W, 720), (96, 112, 96))
        for radius, color in ((5, (120, 150, 110)), (3, (96, 112, 96))):
            pygame.draw.circle(bg, color, FIRE_AT, radius * PX_PER_M)
        for radius in (3, 5):
            pygame.draw.circle(bg, P.WHITE, FIRE_AT, radius * PX_PER_M, 1)
        text = self.context["text"]
        text.draw(
            bg,
            _("3-5 m"),
            (FIRE_AT[0] + 3 * PX_PER_M, FIRE_AT[1] + 3 * PX_PER_M),
            16,
            P.WHITE,
            "center",
        )
        a = self._angle(0) + math.pi  # the wind blows away from the upwind side
        for ox in range(-2, 3):
            for oy in (-1, 1):
                cx = FIRE_AT[0] + ox * 150 * math.sin(a) + oy * 300 * math.cos(a)
                cy = FIRE_AT[1] - ox * 150 * math.cos(a) + oy * 300 * math.sin(a)
                _arrow(bg, (cx, cy), a, P.SKY)
        text.draw(bg, _("Wind"), (20, 16), 20, P.SKY)
        return bg

    def _panel_layer(self, text: object) -> pygame.Surface:
        panel = ui.static_layer((1280 - YARD_W, 720), P.PANEL)
        m = self.model
        fire = m.round.fire_class
        text.draw(
            panel,
            _("Fire %(n)d of %(total)d") % {"n": m.index + 1, "total": len(m.order)},
            (20, 14),
            22,
            P.HIGHLIGHT,
        )
        y = text.draw_wrapped(panel, _(J.FIRES[fire]), (20, 48), 400, 20, P.TEXT) + 8
        for i, agent in enumerate(m.r["agents"]):
            text.draw(panel, f"{i + 1}  {_(J.AGENTS[agent])}", (36, y + i * 28), 18, P.TEXT)
        ui.hints(panel, text, _("Up/Down: closer/back · Left/Right: walk round"), 664, 15)
        ui.hints(panel, text, _("X: leave and call 119 · Esc: leave drill"), 690, 15)
        return panel

    def _draw_fire(self, surface: pygame.Surface) -> None:
        rnd = self.model.round
        size = 10 + 70 * rnd.intensity if rnd.result not in ("out",) else 0
        sway = 4 * math.sin(self.model.t * 9)
        if size > 0:
            x, y = FIRE_AT
            pygame.draw.polygon(
                surface,
                P.VERMILLION,
                [(x - size, y + 10), (x + sway, y - size * 1.4), (x + size, y + 10)],
            )
            pygame.draw.polygon(
                surface,
                P.ORANGE,
                [(x - size * 0.6, y + 10), (x - sway, y - size), (x + size * 0.6, y + 10)],
            )
            pygame.draw.polygon(
                surface,
                P.YELLOW,
                [(x - size * 0.3, y + 10), (x + sway, y - size * 0.5), (x + size * 0.3, y + 10)],
            )
        if self.model.squeezing and rnd.agent:
            self._draw_jet(surface, AGENT_COLORS[rnd.agent])

    def _draw_jet(self, surface: pygame.Surface, color: tuple[int, int, int]) -> None:
        lx, ly = self._learner_xy()
        spread = 30 if self.model.round.sweeping else 8
        tip = spread * math.sin(self.model.t * 8)
        a = self._angle(self.model.round.position) + math.pi / 2
        tx, ty = FIRE_AT[0] + tip * math.cos(a), FIRE_AT[1] + 10 + tip * math.sin(a)
        pygame.draw.polygon(
            surface,
            color,
            [
                (lx, ly),
                (tx - 12 * math.cos(a), ty - 12 * math.sin(a)),
                (tx + 12 * math.cos(a), ty + 12 * math.sin(a)),
            ],
        )

    def _draw_learner(self, surface: pygame.Surface) -> None:
        x, y = self._learner_xy()
        pygame.draw.circle(surface, P.WHITE, (x, y), 16)
        pygame.draw.circle(surface, P.BLUE, (x, y), 13)
        if "lift" in self.model.round.steps:
            pygame.draw.rect(surface, P.VERMILLION, (x + 12, y - 6, 10, 18))

    def _draw_status(self, surface: pygame.Surface, text: object) -> None:
        m, rnd = self.model, self.model.round
        agents = list(m.r["agents"])
        y0 = 48 + 8 + len(text.wrap(_(J.FIRES[rnd.fire_class]), 20, 400)) * text.font(20).get_linesize()
        if rnd.agent:
            pygame.draw.rect(
                surface,
                P.HIGHLIGHT,
                (YARD_W + 28, y0 + agents.index(rnd.agent) * 28 - 2, 400, 27),
                2,
            )
        y = y0 + len(agents) * 28 + 10
        done = (
            set(rnd.steps)
            | ({"squeeze"} if rnd.discharged > 0 else set())
            | ({"sweep"} if rnd.sweeping else set())
        )
        for name, label in STEP_NAMES:
            mark, color = ("✔", P.SKY) if name in done else ("·", P.TEXT_DIM)
            text.draw(surface, mark, (YARD_W + 20, y), 18, color)
            text.draw(surface, _(label), (YARD_W + 44, y), 18, P.TEXT if name in done else P.TEXT_DIM)
            y += 26
        y += 6
        pos = POSITION_NAMES[POSITIONS[rnd.position]]
        text.draw(
            surface,
            _("Distance %(d).1f m · %(pos)s") % {"d": rnd.distance, "pos": _(pos)},
            (YARD_W + 20, y),
            18,
            P.TEXT,
        )
        for label, value, color, dy in (
            (N_("Fire"), rnd.intensity, P.VERMILLION, 30),
            (N_("Agent left"), rnd.charge / m.r["discharge_s"], P.SKY, 58),
        ):
            text.draw(surface, _(label), (YARD_W + 20, y + dy), 16, P.TEXT_DIM)
            ui.bar(surface, pygame.Rect(YARD_W + 130, y + dy + 3, 280, 14), value, color)
        self._draw_message(surface, text, rnd.result)

    def _draw_message(self, surface: pygame.Surface, text: object, result: str | None) -> None:
        line = RESULT_NAMES.get(result or "") if result else None
        if line is None and self.message and self.model.t < self.message_until:
            line = self.message
        if line:
            ui.panel(surface, pygame.Rect(120, 24, 600, 48), P.PANEL, P.HIGHLIGHT)
            text.draw(surface, _(line), (420, 48), 22, P.TEXT, "center")


def _arrow(
    surface: pygame.Surface, at: tuple[float, float], angle: float, color: tuple[int, int, int]
) -> None:
    dx, dy = math.cos(angle), math.sin(angle)
    x, y = at
    tail, head = (x - 30 * dx, y - 30 * dy), (x + 30 * dx, y + 30 * dy)
    pygame.draw.line(surface, color, tail, head, 3)
    left = (head[0] - 12 * dx + 8 * dy, head[1] - 12 * dy - 8 * dx)
    right = (head[0] - 12 * dx - 8 * dy, head[1] - 12 * dy + 8 * dx)
    pygame.draw.polygon(surface, color, [head, left, right])
