"""Benchmark the drills headless at 1280x720: frames/s, a naive baseline, start-up, memory.

Run from the repository root:  python benchmarks/bench_drills.py [--frames N]
Everything is measured in one run so the ratio to the naive baseline is meaningful on a
noisy shared machine. Not a test: it prints a table and never fails.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DRILLS = ("escape", "extinguisher", "confined-space")
# Inputs that keep each main scene busy: walking and smoke, discharging, live monitoring.
SCRIPTS = {
    "escape": "tap c\nclick 592 432\nwait 20\ntap e\nwait 4\nclick 1168 336\nwait 60\n",
    "extinguisher": "tap 3\ntap l\nhold up 2.5\ntap p\ntap a\ntap w\nhold space 14\nwait 60\n",
    "confined-space": "tap p\ntap i\ntap k\ntap v\n"
    + "tap w\n" * 6
    + "tap 1\ntap 2\ntap 3\ntap a\ntap h\ntap e\nwait 60\n",
}


def make_director(drill: str, script: str):
    """Open the display and build the drill exactly as the launcher does."""
    from simulations.drill import RunInfo
    from simulations.engine.display import Display, init_pygame
    from simulations.engine.inputs import EventQueue, parse_script
    from simulations.engine.scene import Director
    from simulations.engine.text import Text
    from simulations.i18n import set_language
    from simulations.registry import make_drill

    set_language("zh_CN")
    init_pygame()
    display = Display()
    scene = make_drill(RunInfo(drill=drill, seed=1, lang="zh_CN"))
    director = Director(
        scene, {"text": Text(), "headless": True, "present": display.present}, canvas=display.canvas
    )
    return director, EventQueue(parse_script(script))


def drill_fps(drill: str, frames: int) -> float:
    """Frames per second with one simulation tick and one full render per frame."""
    import pygame

    from simulations.engine.loop import FixedClock, run

    director, queue = make_director(drill, SCRIPTS[drill])
    run(director, FixedClock(), queue, max_frames=60)  # warm caches, as a player would
    start = time.perf_counter()
    stats = run(director, FixedClock(), queue, max_frames=frames)
    elapsed = time.perf_counter() - start
    pygame.quit()
    return stats.renders / elapsed


def naive_fps(frames: int) -> float:
    """A comparable escape scene drawn naively: every tile, smoke cell and text every frame."""
    import random

    import pygame

    from simulations.engine.text import font_path
    from simulations.escape.floorplan import load_plan

    pygame.display.init()
    pygame.font.init()
    screen = pygame.display.set_mode((1280, 720))
    plan, font, rng = load_plan("school"), pygame.font.Font(font_path(), 18), random.Random(1)
    smoke = [rng.random() for _ in range(plan.cols * plan.rows)]
    start = time.perf_counter()
    for frame in range(frames):
        screen.fill((0, 0, 0))
        for row in range(plan.rows):
            for col in range(plan.cols):
                color = (52, 56, 64) if plan.kind(col, row) == "#" else (200, 196, 184)
                pygame.draw.rect(screen, color, (col * 32, row * 32, 32, 32))
                cell = pygame.Surface((32, 32), pygame.SRCALPHA)
                cell.fill((90, 90, 90, int(190 * smoke[row * plan.cols + col])))
                screen.blit(cell, (col * 32, row * 32))
        for i, line in enumerate(("健康 99", f"用时 {frame // 60} 秒", "低姿 · 无湿毛巾")):
            screen.blit(font.render(line, True, (235, 235, 235)), (300 + 200 * i, 650))
        pygame.display.flip()
    elapsed = time.perf_counter() - start
    pygame.quit()
    return frames / elapsed


def child(drill: str) -> None:
    """Subprocess body: print when the first frame is on screen, then the peak RSS."""
    import resource

    from simulations.engine.loop import FixedClock, run

    director, queue = make_director(drill, SCRIPTS[drill])
    director.draw(0.0)
    print("FIRST_FRAME", flush=True)
    run(director, FixedClock(), queue, max_frames=1200)
    print("MAXRSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)


def startup_and_memory(drill: str) -> tuple[float, float]:
    """Seconds from process launch to the first frame, and peak RSS in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", drill], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    first = None
    rss_kb = 0.0
    for line in proc.stdout:
        if line.startswith("FIRST_FRAME") and first is None:
            first = time.perf_counter() - start
        elif line.startswith("MAXRSS_KB"):
            rss_kb = float(line.split()[1])
    proc.wait()
    return first or float("nan"), rss_kb / 1024.0


def main() -> None:
    """Measure everything and print a table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=2000)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    baseline = naive_fps(max(200, args.frames // 4))
    rows = []
    for drill in DRILLS:
        fps = drill_fps(drill, args.frames)
        first, rss = startup_and_memory(drill)
        rows.append((drill, fps, fps / baseline, first, rss))
    print(f"pygame headless 1280x720, {args.frames} frames per drill, Python {sys.version.split()[0]}")
    print(f"{'scene':<22}{'frames/s':>10}{'x naive':>9}{'start s':>9}{'peak MB':>9}")
    print(f"{'naive per-tile escape':<22}{baseline:>10.0f}{1.0:>9.2f}{'-':>9}{'-':>9}")
    for drill, fps, ratio, first, rss in rows:
        print(f"{drill:<22}{fps:>10.0f}{ratio:>9.2f}{first:>9.2f}{rss:>9.0f}")


if __name__ == "__main__":
    main()
