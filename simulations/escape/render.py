"""Drawing for the escape drill: a cached floor, a cached smoke/visibility overlay, sprites."""

from __future__ import annotations

import pygame

from simulations import palette as P
from simulations.engine.text import Text
from simulations.escape import floorplan as fp
from simulations.escape.model import EscapeModel
from simulations.i18n import _

TILE = 32
MAP_SIZE = (1280, 640)
SUB = 2  # overlay cells per tile edge: enough for a soft edge, cheap to rebuild
SMOKE_PIXELS = [bytes((90, 90, 90, int(190 * k / 64))) for k in range(65)]
KIND_COLORS = {
    fp.WALL: P.WALL,
    fp.OUTDOOR: P.OUTDOOR,
    fp.ASSEMBLY: P.GREEN,
    fp.STAIRS: (176, 170, 156),
    fp.EXIT: P.GREEN,
    fp.LIFT: P.PURPLE,
}


class EscapeRenderer:
    """Keeps the expensive layers cached and redraws them only when their inputs change."""

    def __init__(self, plan: fp.FloorPlan, text: Text) -> None:
        self.plan, self.text = plan, text
        self.floor = self._floor_layer()
        self.composed = pygame.Surface(MAP_SIZE).convert()
        self.with_doors = pygame.Surface(MAP_SIZE).convert()
        low_size = (plan.cols * SUB, plan.rows * SUB)
        self.low = pygame.Surface(low_size, pygame.SRCALPHA).convert_alpha()
        self.smoke_low = self.low.copy()
        self.overlay = pygame.Surface(MAP_SIZE, pygame.SRCALPHA).convert_alpha()
        self.half = pygame.Surface((MAP_SIZE[0] // 2, MAP_SIZE[1] // 2), pygame.SRCALPHA).convert_alpha()
        self._doors: tuple[tuple[bool, bool], ...] | None = None
        self._smoke_step = -1
        self._key: tuple[object, ...] | None = None
        self.flames = [_flame(i) for i in range(3)]

    def draw_map(self, surface: pygame.Surface, model: EscapeModel, frame: int) -> None:
        """Blit the composed floor and smoke, then fire and the learner on top."""
        key = self._overlay_key(model)
        if key != self._key:
            self._compose(model)
            self._key = key
        surface.blit(self.composed, (0, 0))
        flame = self.flames[(frame // 8) % len(self.flames)]
        for i in model.burning:
            col, row = i % self.plan.cols, i // self.plan.cols
            surface.blit(flame, (col * TILE, row * TILE))
        self._draw_learner(surface, model)

    def _overlay_key(self, model: EscapeModel) -> tuple[object, ...]:
        doors = tuple((d.open, d.tested) for d in model.doors.values())
        cell = (int(model.x * SUB), int(model.y * SUB))
        return (round(model.t * model.r["smoke_update_hz"]), cell, model.crouching, doors)

    def _compose(self, model: EscapeModel) -> None:
        doors = tuple((d.open, d.tested) for d in model.doors.values())
        if doors != self._doors:
            self._doors = doors
            self.with_doors.blit(self.floor, (0, 0))
            for pos, door in model.doors.items():
                self._draw_door(self.with_doors, pos, door.open, door.tested, model.door_is_hot(pos))
        self.composed.blit(self.with_doors, (0, 0))
        # Smooth at half size, then double: looks the same and costs a third.
        pygame.transform.smoothscale(self._overlay(model), self.half.get_size(), self.half)
        pygame.transform.scale(self.half, MAP_SIZE, self.overlay)
        self.composed.blit(self.overlay, (0, 0))

    def _overlay(self, model: EscapeModel) -> pygame.Surface:
        """Low-resolution smoke plus darkness beyond the visible radius (max of the two)."""
        step = round(model.t * model.r["smoke_update_hz"])
        if step != self._smoke_step:
            self._smoke_step = step
            raw = b"".join([SMOKE_PIXELS[int(d * 64) if d < 1.0 else 64] for d in model.smoke.density])
            small = pygame.image.frombuffer(raw, (self.plan.cols, self.plan.rows), "RGBA")
            pygame.transform.scale(small.convert_alpha(), self.low.get_size(), self.smoke_low)
        low = self.low
        low.fill((0, 0, 0, 235))
        center = (int(model.x * SUB), int(model.y * SUB))
        vis = model.visibility_m() * SUB
        for k, alpha in enumerate((170, 100, 40, 0)):
            pygame.draw.circle(low, (0, 0, 0, alpha), center, max(1, int(vis + (3 - k) * SUB)))
        low.blit(self.smoke_low, (0, 0), special_flags=pygame.BLEND_RGBA_MAX)
        return low

    def _floor_layer(self) -> pygame.Surface:
        layer = pygame.Surface(MAP_SIZE).convert()
        layer.fill(P.FLOOR)
        for row in range(self.plan.rows):
            for col in range(self.plan.cols):
                kind = self._look(col, row)
                rect = pygame.Rect(col * TILE, row * TILE, TILE, TILE)
                if kind in KIND_COLORS:
                    layer.fill(KIND_COLORS[kind], rect)
                if kind == fp.STAIRS:
                    for k in range(4, TILE, 8):
                        pygame.draw.line(layer, P.GREY, (rect.x, rect.y + k), (rect.right, rect.y + k))
        self._labels(layer)
        return layer

    def _look(self, col: int, row: int) -> str:
        """Marker tiles (start, fire origin) look like the surface they sit on."""
        kind = self.plan.kind(col, row)
        if kind in fp.FLOOR_MARKERS - {fp.SINK, fp.BELONGINGS}:
            around = {self.plan.kind(col + dc, row) for dc in (-1, 1)}
            return fp.STAIRS if fp.STAIRS in around else fp.FLOOR
        return kind

    def _labels(self, layer: pygame.Surface) -> None:
        marks = [
            (fp.SINK, _("Tap"), P.SKY),
            (fp.BELONGINGS, _("Bag"), P.ORANGE),
            (fp.LIFT, _("Lift"), P.WHITE),
            (fp.EXIT, _("Exit"), P.WHITE),
        ]
        for kind, label, color in marks:
            for col, row in self.plan.find(kind):
                if self.plan.kind(col - 1, row) == kind:
                    continue  # one label per run of equal tiles
                rect = pygame.Rect(col * TILE, row * TILE, TILE, TILE)
                if kind in (fp.SINK, fp.BELONGINGS):
                    pygame.draw.rect(layer, color, rect.inflate(-6, -6), border_radius=4)
                self.text.draw(
                    layer, label, rect.center, 13, P.BLACK if kind != fp.LIFT else P.WHITE, "center"
                )
        cells = self.plan.find(fp.ASSEMBLY)
        cx = sum(c for c, _r in cells) / len(cells) * TILE + TILE / 2
        cy = sum(r for _c, r in cells) / len(cells) * TILE + TILE / 2
        self.text.draw(layer, _("Assembly point"), (int(cx), int(cy)), 16, P.WHITE, "center")

    def _draw_door(
        self, surf: pygame.Surface, pos: tuple[int, int], is_open: bool, tested: bool, hot: bool
    ) -> None:
        rect = pygame.Rect(pos[0] * TILE, pos[1] * TILE, TILE, TILE)
        if is_open:
            pygame.draw.rect(surf, P.BLUE, rect, width=3)
            return
        pygame.draw.rect(surf, P.BLUE, rect.inflate(-2, -2))
        if tested:
            label, color = ("!", P.VERMILLION) if hot else ("✔", P.SKY)
            pygame.draw.circle(surf, P.WHITE, rect.center, 11)
            self.text.draw(surf, label, rect.center, 18, color, "center")

    def _draw_learner(self, surface: pygame.Surface, model: EscapeModel) -> None:
        center = (int(model.x * TILE), int(model.y * TILE))
        radius = 9 if model.crouching else 13
        pygame.draw.circle(surface, P.WHITE, center, radius + 3)
        pygame.draw.circle(surface, P.YELLOW, center, radius)
        if model.wet_cloth:
            pygame.draw.line(
                surface,
                P.SKY,
                (center[0] - radius, center[1] + 2),
                (center[0] + radius, center[1] + 2),
                4,
            )


def _flame(phase: int) -> pygame.Surface:
    surf = pygame.Surface((TILE, TILE), pygame.SRCALPHA)
    surf.fill((213, 94, 0, 200))
    sway = (phase - 1) * 3
    pygame.draw.polygon(surf, P.ORANGE, [(4, 30), (16 + sway, 2), (28, 30)])
    pygame.draw.polygon(surf, P.YELLOW, [(10, 30), (16 - sway, 12), (22, 30)])
    return surf
