"""The confined-space scene: a cross-section of the space, gas table, actions and log."""

from __future__ import annotations

import pygame

from simulations import palette as P
from simulations import ui
from simulations.confined_space import judge as J
from simulations.confined_space.atmosphere import GASES, out_of_limits
from simulations.confined_space.model import ConfinedSpaceModel
from simulations.drill import DrillScene, RunInfo
from simulations.i18n import N_, _

ACTIONS = (
    ("p", "permit", N_("Get the work permit approved")),
    ("i", "pipes", N_("Isolate pipes (blind flanges)")),
    ("k", "power", N_("Lock out and tag the power")),
    ("v", "fan", N_("Ventilation fan on/off")),
    ("1", "test_top", N_("Test gas: top")),
    ("2", "test_middle", N_("Test gas: middle")),
    ("3", "test_bottom", N_("Test gas: bottom")),
    ("a", "attendant", N_("Post an attendant outside")),
    ("h", "harness", N_("Harness and lifeline on")),
    ("b", "scba", N_("Put on breathing apparatus")),
    ("e", "enter", N_("Enter and start work")),
    ("w", "wait", N_("Wait 5 minutes")),
    ("x", "evacuate", N_("Order everyone out")),
    ("r", "alarm", N_("Raise the alarm, call 120")),
    ("l", "lifeline", N_("Pull out with the lifeline")),
    ("g", "go_in", N_("Go in to rescue")),
)
DONE_FLAGS = {
    "permit": "permit",
    "pipes": "pipes",
    "power": "power",
    "attendant": "attendant",
    "harness": "harness",
    "scba": "scba",
    "alarm": "alarm",
}
LEVEL_NAMES = {"top": N_("Top"), "middle": N_("Middle"), "bottom": N_("Bottom")}
GAS_NAMES = {"o2": "O2 %", "lel": "LEL %", "h2s": "H2S mg/m3", "co": "CO mg/m3"}
PHASES = {
    "prep": N_("Preparation"),
    "inside": N_("Work in progress"),
    "alarm": N_("ALARM"),
    "rescue": N_("Emergency: colleague down"),
    "over": "",
}
SHAFT = pygame.Rect(120, 190, 280, 450)


class ConfinedSpaceScene(DrillScene):
    """Lead the job with letter/number keys; the right panel lists them all."""

    def __init__(self, info: RunInfo) -> None:
        super().__init__(info, ConfinedSpaceModel(info.seed))
        self.model: ConfinedSpaceModel = self.model
        self._bg: pygame.Surface | None = None

    def on_key(self, key: str) -> None:
        """Perform the action bound to ``key``."""
        for hotkey, action, _label in ACTIONS:
            if key == hotkey:
                self.model.act(action)

    def draw(self, surface: pygame.Surface, alpha: float) -> None:
        """Draw the cross-section, the gas table, the actions and the log."""
        text = self.context["text"]
        if self._bg is None:
            self._bg = self._background(text)
        surface.blit(self._bg, (0, 0))
        self._draw_space(surface)
        self._draw_table(surface, text)
        self._draw_actions(surface, text)
        self._draw_log(surface, text)

    def _background(self, text: object) -> pygame.Surface:
        bg = ui.static_layer((1280, 720), P.BG)
        pygame.draw.rect(bg, (110, 98, 84), (0, 160, 520, 560))
        pygame.draw.rect(bg, (60, 60, 66), SHAFT)
        pygame.draw.rect(bg, P.GREY, SHAFT, 4)
        for i, level in enumerate(("top", "middle", "bottom")):
            y = SHAFT.y + 20 + i * SHAFT.h // 3
            text.draw(bg, _(LEVEL_NAMES[level]), (SHAFT.right + 12, y), 16, P.TEXT_DIM)
        pygame.draw.rect(bg, P.BG, (SHAFT.centerx - 40, 160, 80, 34))
        for label, pos in (
            (N_("Power"), (450, 92)),
            (N_("Pipe"), (445, 582)),
            (N_("Attendant"), (SHAFT.centerx + 70, 148)),
            (N_("Fan"), (SHAFT.centerx, 240)),
        ):
            text.draw(bg, _(label), pos, 15, P.TEXT, "midtop")
        text.draw(bg, _("Confined-space entry"), (20, 14), 26, P.TEXT)
        ui.panel(bg, pygame.Rect(530, 60, 740, 190))
        ui.panel(bg, pygame.Rect(530, 260, 740, 300))
        ui.panel(bg, pygame.Rect(530, 570, 740, 140))
        return bg

    def _draw_space(self, surface: pygame.Surface) -> None:
        m = self.model
        for i, level in enumerate(m.levels):
            band = pygame.Rect(
                SHAFT.x + 4, SHAFT.y + 4 + i * (SHAFT.h - 8) // 3, SHAFT.w - 8, (SHAFT.h - 8) // 3
            )
            bad = out_of_limits(m.live(level), m.r)
            if bad:
                pygame.draw.rect(surface, (120, 80, 40), band)
                pygame.draw.line(surface, P.ORANGE, band.topleft, band.bottomright, 2)
        if m.fan:
            for k in range(4):
                pygame.draw.line(
                    surface,
                    P.SKY,
                    (SHAFT.centerx - 30 + 20 * k, 150),
                    (SHAFT.centerx - 30 + 20 * k, 230),
                    3,
                )
        self._draw_people(surface)
        pipe_color = P.BLUE if "pipes" in m.done else P.ORANGE
        pygame.draw.rect(surface, pipe_color, (SHAFT.right, 560, 90, 16))
        power_color = P.BLUE if "power" in m.done else P.ORANGE
        pygame.draw.rect(surface, power_color, (430, 110, 40, 50), border_radius=4)

    def _draw_people(self, surface: pygame.Surface) -> None:
        m = self.model
        if "attendant" in m.done:
            _person(surface, (SHAFT.centerx + 70, 130), P.GREEN)
        inside = m.phase in ("inside", "alarm", "rescue") or m.outcome == "blind_rescue"
        if inside:
            worker = (SHAFT.centerx + 40, SHAFT.bottom - 60)
            if m.phase == "rescue" or m.finished:
                pygame.draw.ellipse(surface, P.VERMILLION, (worker[0] - 30, worker[1] + 20, 60, 20))
            else:
                _person(surface, worker, P.YELLOW)
            if "harness" in m.done:
                pygame.draw.line(surface, P.YELLOW, (SHAFT.centerx, 170), worker, 2)
        if not inside or m.evacuated:
            _person(surface, (SHAFT.centerx - 90, 130), P.SKY)

    def _draw_table(self, surface: pygame.Surface, text: object) -> None:
        m = self.model
        clock = _("Time %(h)02d:%(m)02d") % {
            "h": 8 + int(m.minutes) // 60,
            "m": int(m.minutes) % 60,
        }
        text.draw(surface, clock, (540, 20), 22, P.TEXT)
        phase_color = P.VERMILLION if m.phase in ("alarm", "rescue") else P.HIGHLIGHT
        text.draw(surface, _(PHASES[m.phase]), (720, 20), 22, phase_color)
        live = m.phase != "prep"
        header = _("Live monitor") if live else _("Gas tests")
        text.draw(surface, header, (545, 68), 18, P.TEXT_DIM)
        for j, gas in enumerate(GASES):
            text.draw(surface, GAS_NAMES[gas], (700 + j * 130, 68), 16, P.TEXT_DIM)
        for i, level in enumerate(m.levels):
            y = 100 + i * 36
            reading = m.live(level) if live else (m.tests[level][1] if level in m.tests else None)
            label = _(LEVEL_NAMES[level])
            if not live and level in m.tests:
                label += f"  {int(m.tests[level][0]) // 60 + 8:02d}:{int(m.tests[level][0]) % 60:02d}"
            text.draw(surface, label, (545, y), 18, P.TEXT)
            self._draw_reading(surface, text, reading, y)
        limits = _(
            "Limits: O2 %(o2_min)g-%(o2_max)g%% · LEL <%(lel)g%% · H2S ≤%(h2s)g · CO ≤%(co)g mg/m3"
        ) % J.limit_params(m.r)
        text.draw(surface, limits, (545, 214), 16, P.TEXT_DIM)

    def _draw_reading(self, surface: pygame.Surface, text: object, reading: dict | None, y: int) -> None:
        if reading is None:
            text.draw(surface, _("not tested"), (700, y), 18, P.TEXT_DIM)
            return
        bad = out_of_limits(reading, self.model.r)
        for j, gas in enumerate(GASES):
            color = P.VERMILLION if gas in bad else P.TEXT
            value = f"{reading[gas]:.1f}" + (" !" if gas in bad else "")
            text.draw(surface, value, (700 + j * 130, y), 18, color)

    def _draw_actions(self, surface: pygame.Surface, text: object) -> None:
        m = self.model
        for n, (key, action, label) in enumerate(ACTIONS):
            x, y = 545 + (n // 8) * 365, 272 + (n % 8) * 34
            done = DONE_FLAGS.get(action) in m.done or (action == "fan" and m.fan)
            color = P.SKY if done else P.TEXT
            text.draw(surface, f"[{key.upper()}]", (x, y), 18, P.HIGHLIGHT)
            text.draw(surface, ("✔ " if done else "") + _(label), (x + 44, y), 18, color)

    def _draw_log(self, surface: pygame.Surface, text: object) -> None:
        for i, (minute, message) in enumerate(self.model.log[-5:]):
            stamp = f"{8 + int(minute) // 60:02d}:{int(minute) % 60:02d}"
            text.draw(surface, f"{stamp}  {_(message)}", (545, 578 + i * 25), 17, P.TEXT)


def _person(surface: pygame.Surface, at: tuple[int, int], color: tuple[int, int, int]) -> None:
    x, y = at
    pygame.draw.circle(surface, color, (x, y - 22), 9)
    pygame.draw.rect(surface, color, (x - 8, y - 12, 16, 26), border_radius=4)
