"""Scenes and the director that switches between them."""

from __future__ import annotations

from typing import Any

from simulations.engine.inputs import InputEvent


class Scene:
    """Base scene: override what you need; set ``self.next_scene`` to move on."""

    def __init__(self) -> None:
        self.next_scene: Scene | None = None
        self.quit = False
        self.context: dict[str, Any] = {}

    def enter(self, context: dict[str, Any]) -> None:
        """Receive the shared context when the scene becomes active."""
        self.context = context

    def exit(self) -> dict[str, Any]:
        """Hand the shared context to the next scene."""
        return self.context

    def handle_input(self, event: InputEvent, held: frozenset[str]) -> None:
        """React to one key press/release or click."""

    def update(self, dt: float, held: frozenset[str]) -> None:
        """Advance by ``dt`` simulated seconds."""

    def draw(self, surface: Any, alpha: float) -> None:
        """Draw onto the logical 1280x720 surface."""


class Director:
    """Runs the active scene, tracks held keys and performs transitions."""

    def __init__(self, scene: Scene, context: dict[str, Any], canvas: Any = None) -> None:
        self.scene = scene
        self.canvas = canvas
        self.present = context.get("present")
        self.held: set[str] = set()
        self.finished = False
        scene.enter(context)

    def handle_input(self, event: InputEvent) -> None:
        """Track held keys and pass the event to the active scene."""
        if event.kind == "down":
            self.held.add(event.key)
        elif event.kind == "up":
            self.held.discard(event.key)
        self.scene.handle_input(event, frozenset(self.held))
        self._transition()

    def update(self, dt: float) -> None:
        """Update the active scene, then switch scenes if it asked to."""
        self.scene.update(dt, frozenset(self.held))
        self._transition()

    def draw(self, alpha: float) -> None:
        """Draw the active scene and present the frame."""
        if self.canvas is None:
            return
        self.scene.draw(self.canvas(), alpha)
        if self.present is not None:
            self.present()

    def _transition(self) -> None:
        if self.scene.quit:
            self.finished = True
            return
        nxt = self.scene.next_scene
        if nxt is not None:
            self.scene.next_scene = None
            nxt.enter(self.scene.exit())
            self.scene = nxt
