"""Window handling: a fixed 1280x720 logical canvas shown in a resizable or fullscreen window."""

from __future__ import annotations

import os

import pygame

LOGICAL_SIZE = (1280, 720)


def use_headless_drivers() -> None:
    """Select SDL's dummy video and audio drivers (must run before pygame.display.init)."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


def init_pygame() -> None:
    """Initialise only the pygame modules we use (no audio: drills are silent)."""
    pygame.display.init()
    pygame.font.init()


class Display:
    """Owns the window; scenes always draw on a 1280x720 canvas that is scaled to fit."""

    def __init__(
        self,
        size: tuple[int, int] = LOGICAL_SIZE,
        fullscreen: bool = False,
        title: str = "Safety drills",
    ) -> None:
        self.fullscreen = fullscreen
        self._window_size = size
        self._offscreen: pygame.Surface | None = None
        pygame.display.set_caption(title)
        self._open()

    def _open(self) -> None:
        flags = pygame.FULLSCREEN if self.fullscreen else pygame.RESIZABLE
        size = (0, 0) if self.fullscreen else self._window_size
        self.window = pygame.display.set_mode(size, flags)
        direct = self.window.get_size() == LOGICAL_SIZE
        # Draw straight onto the window when sizes match; scaling costs a full-screen pass.
        self._offscreen = None if direct else pygame.Surface(LOGICAL_SIZE).convert()

    def canvas(self) -> pygame.Surface:
        """Return the 1280x720 surface scenes draw on."""
        return self._offscreen if self._offscreen is not None else self.window

    def present(self) -> None:
        """Show the finished frame, letterboxed when the window has another size."""
        if self._offscreen is not None:
            rect = self._fit_rect()
            self.window.fill((0, 0, 0))
            self.window.blit(pygame.transform.smoothscale(self._offscreen, rect.size), rect)
        pygame.display.flip()

    def _fit_rect(self) -> pygame.Rect:
        win_w, win_h = self.window.get_size()
        scale = min(win_w / LOGICAL_SIZE[0], win_h / LOGICAL_SIZE[1])
        size = (max(1, int(LOGICAL_SIZE[0] * scale)), max(1, int(LOGICAL_SIZE[1] * scale)))
        rect = pygame.Rect((0, 0), size)
        rect.center = (win_w // 2, win_h // 2)
        return rect

    def to_logical(self, pos: tuple[int, int]) -> tuple[int, int]:
        """Convert a window pixel position to canvas coordinates."""
        if self._offscreen is None:
            return pos
        rect = self._fit_rect()
        x = (pos[0] - rect.x) * LOGICAL_SIZE[0] / rect.w
        y = (pos[1] - rect.y) * LOGICAL_SIZE[1] / rect.h
        return int(x), int(y)

    def resize(self, size: tuple[int, int]) -> None:
        """Follow a window resize."""
        if not self.fullscreen:
            self._window_size = (max(320, size[0]), max(180, size[1]))
            self._open()

    def toggle_fullscreen(self) -> None:
        """Switch between fullscreen and a window."""
        self.fullscreen = not self.fullscreen
        self._open()
