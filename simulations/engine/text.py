"""Cached text rendering with the bundled CJK font (pygame's default font lacks Chinese)."""

from __future__ import annotations

from importlib import resources

import pygame

FONT_FILE = "wqy-microhei.ttc"
MAX_CACHED = 800


def font_path() -> str:
    """Return the path of the font shipped inside the package."""
    return str(resources.files("simulations") / "assets" / "fonts" / FONT_FILE)


class Text:
    """Render strings once and reuse the surfaces; rendering every frame is slow."""

    def __init__(self) -> None:
        self._fonts: dict[int, pygame.font.Font] = {}
        self._cache: dict[tuple[str, int, tuple[int, ...]], pygame.Surface] = {}
        self._wraps: dict[tuple[str, int, int], list[str]] = {}

    def font(self, size: int) -> pygame.font.Font:
        """Return the bundled font at ``size`` pixels."""
        if size not in self._fonts:
            self._fonts[size] = pygame.font.Font(font_path(), size)
        return self._fonts[size]

    def render(self, text: str, size: int, color: tuple[int, ...]) -> pygame.Surface:
        """Return a cached anti-aliased surface for ``text``."""
        key = (text, size, tuple(color))
        surf = self._cache.get(key)
        if surf is None:
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()  # changing numbers (timers) would otherwise grow it forever
            surf = self.font(size).render(text, True, color)
            self._cache[key] = surf
        return surf

    def draw(
        self,
        target: pygame.Surface,
        text: str,
        pos: tuple[int, int],
        size: int = 20,
        color: tuple[int, ...] = (235, 235, 235),
        anchor: str = "topleft",
    ) -> pygame.Rect:
        """Blit ``text`` with its ``anchor`` point (a pygame.Rect attribute) at ``pos``."""
        surf = self.render(text, size, color)
        rect = surf.get_rect(**{anchor: pos})
        target.blit(surf, rect)
        return rect

    def wrap(self, text: str, size: int, width: int) -> list[str]:
        """Split ``text`` into lines that fit ``width`` pixels (by word, or by character for CJK)."""
        key = (text, size, width)
        if key not in self._wraps:
            self._wraps[key] = _wrap(self.font(size), text, width)
        return self._wraps[key]

    def draw_wrapped(
        self,
        target: pygame.Surface,
        text: str,
        pos: tuple[int, int],
        width: int,
        size: int = 20,
        color: tuple[int, ...] = (235, 235, 235),
    ) -> int:
        """Draw wrapped text and return the y coordinate below it."""
        x, y = pos
        step = self.font(size).get_linesize()
        for line in self.wrap(text, size, width):
            self.draw(target, line, (x, y), size, color)
            y += step
        return y


def _wrap(font: pygame.font.Font, text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph):
            candidate = line + token
            if line and font.size(candidate)[0] > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line = candidate
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    # Latin words stay whole; each CJK character may start a new line.
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ord(ch) > 0x2E7F:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        elif ch == " ":
            tokens.append(word + " ")
            word = ""
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens
