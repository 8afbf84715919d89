"""Save each drill's main screen (and the menu) for a person to look at."""

import pytest

SCRIPTS = {
    "escape": "tap c\nclick 592 432\nwait 14\n",
    "extinguisher": "tap 3\ntap l\ntap left\nhold up 2.5\ntap p\ntap a\ntap w\npress space\nwait 2\n",
    "confined-space": "tap p\ntap i\ntap k\ntap v\n" + "tap w\n" * 6 + "tap 1\ntap 2\ntap 3\ntap a\n",
}


def render(scene, script, frames, path):
    import pygame

    from simulations.engine.display import Display, init_pygame
    from simulations.engine.inputs import EventQueue, parse_script
    from simulations.engine.loop import FixedClock, run
    from simulations.engine.scene import Director
    from simulations.engine.text import Text

    init_pygame()
    try:
        display = Display()
        director = Director(
            scene,
            {"text": Text(), "headless": True, "present": display.present},
            canvas=display.canvas,
        )
        run(
            director,
            FixedClock(),
            EventQueue(parse_script(script)),
            max_frames=frames,
            render_every=frames,
        )
        director.draw(0.0)
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(display.canvas(), str(path))
        return display.canvas().copy()
    finally:
        pygame.quit()


def colours(surface, step=16):
    w, h = surface.get_size()
    return {tuple(surface.get_at((x, y))) for x in range(0, w, step) for y in range(0, h, step)}


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("drill", list(SCRIPTS))
def test_main_screen_screenshot(drill, lang, screenshots):
    from simulations.drill import RunInfo
    from simulations.i18n import set_language
    from simulations.registry import make_drill

    set_language(lang)
    scene = make_drill(RunInfo(drill=drill, seed=1 if drill == "escape" else 0, lang=lang))
    path = screenshots / f"{drill}_main_{lang}.png"
    surface = render(scene, SCRIPTS[drill], 900, path)
    assert path.stat().st_size > 10_000
    assert surface.get_size() == (1280, 720)
    assert len(colours(surface)) > 20  # a real scene, not a blank or single-colour frame


def test_menu_screenshot(screenshots):
    from simulations.i18n import set_language
    from simulations.menu import MenuScene

    set_language("zh_CN")
    path = screenshots / "menu_zh_CN.png"
    surface = render(MenuScene(), "tap down\n", 10, path)
    assert path.stat().st_size > 5_000 and len(colours(surface, 8)) > 5
