"""Debrief scene: the verdict, the score and every decision explained."""

from __future__ import annotations

from typing import Any

import pygame

from simulations import palette as P
from simulations import ui
from simulations.engine.inputs import InputEvent
from simulations.engine.scene import Scene
from simulations.i18n import _, translate
from simulations.results import DrillResult

LINE_TOP, LINE_BOTTOM = 190, 650


class DebriefScene(Scene):
    """Show the result; mistakes come first, each with its teaching text."""

    def __init__(self, result: DrillResult) -> None:
        super().__init__()
        self.result = result
        self.scroll = 0
        ordered = sorted(result.decisions, key=lambda d: (d.correct, d.t))
        self.items = [(d.correct, d.critical, translate(d.message, result.lang, d.params)) for d in ordered]
        self._layer: pygame.Surface | None = None

    def update(self, dt: float, held: frozenset[str]) -> None:
        """End headless runs once the result screen exists."""
        if self.context.get("headless"):
            self.quit = True

    def handle_input(self, event: InputEvent, held: frozenset[str]) -> None:
        """Scroll with the arrows; Enter returns to the menu, Esc quits."""
        if event.kind != "down":
            return
        if event.key in ("down", "s", "page down"):
            self.scroll += 1
            self._layer = None
        elif event.key in ("up", "w", "page up"):
            self.scroll = max(0, self.scroll - 1)
            self._layer = None
        elif event.key in ("return", "space", "escape"):
            self._leave(event.key == "escape")

    def _leave(self, quit_app: bool) -> None:
        from simulations.menu import MenuScene

        if self.context.get("from_menu") and not quit_app:
            self.next_scene = MenuScene()
        else:
            self.quit = True

    def draw(self, surface: pygame.Surface, alpha: float) -> None:
        """Blit the cached debrief page (it only changes when scrolled)."""
        if self._layer is None:
            self._layer = self._render()
        surface.blit(self._layer, (0, 0))

    def _render(self) -> pygame.Surface:
        text = self.context["text"]
        layer = ui.static_layer(surface_size(), P.BG)
        r = self.result
        title = _("Passed") if r.passed else _("Not passed")
        text.draw(layer, title, (640, 24), 44, P.RIGHT if r.passed else P.WRONG, "midtop")
        score = _("Score: %(score)d / %(max)d") % {"score": r.score, "max": r.max_score}
        text.draw(layer, score, (640, 86), 28, P.TEXT, "midtop")
        text.draw(layer, translate(r.outcome_message, r.lang), (640, 128), 22, P.TEXT_DIM, "midtop")
        y = LINE_TOP
        for correct, critical, message in self.items[self.scroll :]:
            y = self._item(layer, text, y, correct, critical, message)
            if y > LINE_BOTTOM:
                break
        ui.hints(layer, text, _("Up/Down scroll · Enter continue · Esc quit"), 684)
        return layer

    def _item(
        self, layer: pygame.Surface, text: Any, y: int, correct: bool, critical: bool, message: str
    ) -> int:
        mark, color, word = ui.verdict_mark(correct)
        label = word + (" · " + _("critical") if critical and not correct else "")
        text.draw(layer, mark, (70, y), 24, color)
        text.draw(layer, label, (104, y + 2), 18, color)
        end = text.draw_wrapped(layer, message, (250, y + 2), 960, 18, P.TEXT)
        return max(end, y + 30) + 8


def surface_size() -> tuple[int, int]:
    """Return the logical canvas size."""
    return (1280, 720)
