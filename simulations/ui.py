"""Small drawing helpers shared by the scenes (panels, bars, marks, key hints)."""

from __future__ import annotations

import pygame

from simulations import palette as P
from simulations.engine.text import Text
from simulations.i18n import _

MARK_RIGHT = "✔"
MARK_WRONG = "✘"


def panel(
    surface: pygame.Surface,
    rect: pygame.Rect | tuple[int, int, int, int],
    color: tuple[int, int, int] = P.PANEL,
    border: tuple[int, int, int] = P.PANEL_LIGHT,
) -> None:
    """Draw a filled panel with a thin border."""
    pygame.draw.rect(surface, color, rect, border_radius=6)
    pygame.draw.rect(surface, border, rect, width=2, border_radius=6)


def bar(
    surface: pygame.Surface,
    rect: pygame.Rect,
    fraction: float,
    color: tuple[int, int, int],
    back: tuple[int, int, int] = P.PANEL_LIGHT,
) -> None:
    """Draw a horizontal gauge filled to ``fraction`` (0..1)."""
    pygame.draw.rect(surface, back, rect)
    filled = rect.copy()
    filled.w = int(rect.w * max(0.0, min(1.0, fraction)))
    pygame.draw.rect(surface, color, filled)
    pygame.draw.rect(surface, P.TEXT_DIM, rect, width=1)


def verdict_mark(correct: bool) -> tuple[str, tuple[int, int, int], str]:
    """Return (mark, colour, word) so right/wrong never rely on colour alone."""
    if correct:
        return MARK_RIGHT, P.RIGHT, _("Right")
    return MARK_WRONG, P.WRONG, _("Wrong")


def hints(surface: pygame.Surface, text: Text, line: str, y: int, size: int = 16) -> None:
    """Draw a centred line of key hints."""
    text.draw(surface, line, (surface.get_width() // 2, y), size, P.TEXT_DIM, anchor="midtop")


def static_layer(size: tuple[int, int], color: tuple[int, int, int]) -> pygame.Surface:
    """Create an opaque surface in the display's pixel format for cached backgrounds."""
    surf = pygame.Surface(size)
    if pygame.display.get_surface() is not None:
        surf = surf.convert()
    surf.fill(color)
    return surf
