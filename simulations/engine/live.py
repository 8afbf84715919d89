"""Keyboard and mouse input from pygame, stamped with the tick it will apply to."""

from __future__ import annotations

import pygame

from simulations.engine.display import Display
from simulations.engine.inputs import InputEvent

#: Window keys handled here and never given to a drill (so they cannot change a score).
WINDOW_KEYS = ("f11",)


class LiveInput:
    """Turn pygame events into InputEvents; window events are handled, not recorded."""

    def __init__(self, display: Display) -> None:
        self.display = display
        self.closed = False
        self._pending: list[InputEvent] = []

    def pump(self, tick: int) -> None:
        """Read pygame's queue; everything read now applies to ``tick``."""
        for event in pygame.event.get():
            converted = self._convert(event, tick)
            if converted is not None:
                self._pending.append(converted)

    def due(self, tick: int) -> list[InputEvent]:
        """Hand over what was read since the last tick."""
        events, self._pending = self._pending, []
        return events

    def _convert(self, event: pygame.event.Event, tick: int) -> InputEvent | None:
        if event.type == pygame.QUIT:
            self.closed = True
        elif event.type == pygame.VIDEORESIZE:
            self.display.resize(event.size)
        elif event.type in (pygame.KEYDOWN, pygame.KEYUP):
            name = pygame.key.name(event.key)
            if name in WINDOW_KEYS:
                if event.type == pygame.KEYDOWN:
                    self.display.toggle_fullscreen()
                return None
            return InputEvent(tick, "down" if event.type == pygame.KEYDOWN else "up", name)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            return InputEvent(tick, "click", "mouse1", self.display.to_logical(event.pos))
        return None
