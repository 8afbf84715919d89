"""Open the display, run the loop and tidy up; the only place that initialises pygame."""

from __future__ import annotations

from simulations.app import (
    HEADLESS_MAX_FRAMES,
    HEADLESS_RENDER_EVERY,
    Options,
    ResultSink,
    Session,
    first_scene,
)
from simulations.engine.display import use_headless_drivers

INTERACTIVE_FPS_CAP = 120


def play(opts: Options) -> Session:
    """Run the menu or one drill with ``opts`` and return what it produced."""
    headless = opts.headless or (opts.replay is not None and not opts.watch)
    if headless:
        use_headless_drivers()
    import pygame

    from simulations.engine.display import Display, init_pygame
    from simulations.engine.inputs import EventQueue
    from simulations.engine.live import LiveInput
    from simulations.engine.loop import FixedClock, run
    from simulations.engine.scene import Director
    from simulations.engine.text import Text
    from simulations.i18n import set_language

    session = Session()
    scene, events = first_scene(opts, session)
    set_language(scene.info.lang if hasattr(scene, "info") else opts.lang)
    init_pygame()
    try:
        display = Display(fullscreen=opts.fullscreen and not headless, title="安全演练 Safety drills")
        context = {
            "text": Text(),
            "headless": headless,
            "seed": opts.seed,
            "floorplan": opts.floorplan,
            "tags": opts.tags,
            "present": display.present,
            "on_result": ResultSink(opts, session, store=opts.replay is None),
        }
        director = Director(scene, context, canvas=display.canvas)
        if events is None or opts.watch:
            source = LiveInput(display) if events is None else _Watched(EventQueue(events), display)
            clock = _RealClock(pygame)
            run(_Closable(director, source), clock, source)
        else:
            every = opts.render_every or HEADLESS_RENDER_EVERY
            run(
                director,
                FixedClock(),
                EventQueue(events),
                max_frames=HEADLESS_MAX_FRAMES,
                render_every=every,
            )
        if opts.screenshot is not None:
            opts.screenshot.parent.mkdir(parents=True, exist_ok=True)
            pygame.image.save(display.canvas(), str(opts.screenshot))
    finally:
        for thread in session.threads:
            thread.join(timeout=15)
        pygame.quit()
    return session


class _RealClock:
    """Wall-clock time for interactive play (capped so an idle menu does not spin a core)."""

    def __init__(self, pygame_module: object) -> None:
        self._clock = pygame_module.time.Clock()

    def tick(self) -> float:
        return self._clock.tick(INTERACTIVE_FPS_CAP) / 1000.0


class _Closable:
    """Stop the loop when the window is closed as well as when the scenes finish."""

    def __init__(self, director: object, source: object) -> None:
        self.director, self.source = director, source

    @property
    def finished(self) -> bool:
        return self.director.finished or getattr(self.source, "closed", False)

    def handle_input(self, event: object) -> None:
        self.director.handle_input(event)

    def update(self, dt: float) -> None:
        self.director.update(dt)

    def draw(self, alpha: float) -> None:
        self.director.draw(alpha)


class _Watched:
    """Play back recorded events in real time while still serving window events."""

    def __init__(self, queue: object, display: object) -> None:
        from simulations.engine.live import LiveInput

        self.queue, self.live = queue, LiveInput(display)

    @property
    def closed(self) -> bool:
        return self.live.closed

    def pump(self, tick: int) -> None:
        self.live.pump(tick)
        self.live.due(tick)  # keyboard is ignored while watching a replay

    def due(self, tick: int) -> list:
        return self.queue.due(tick)
