"""Run a drill or the menu: set up pygame, wire input, store and send the result."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulations.drill import RunInfo
from simulations.engine.inputs import InputEvent, load_replay, parse_script, save_replay
from simulations.outbox import Outbox, data_home
from simulations.results import DrillResult, write_json_atomic

HEADLESS_MAX_FRAMES = 60 * 60 * 30  # 30 simulated minutes: longer than any drill's limit
HEADLESS_RENDER_EVERY = 6  # draw 10 frames per simulated second; the result never depends on it


@dataclass
class Options:
    """Everything the command line can set for one session."""

    drill: str | None = None
    lang: str = "zh_CN"
    seed: int | None = None
    floorplan: str = "school"
    headless: bool = False
    script: Path | None = None
    replay: Path | None = None
    watch: bool = False
    fullscreen: bool = False
    data_dir: Path | None = None
    out: Path | None = None
    screenshot: Path | None = None
    lms_url: str | None = None
    token: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    render_every: int | None = None


@dataclass
class Session:
    """What one run of the program produced (inspected by tests and the CLI)."""

    results: list[DrillResult] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    expected: dict[str, Any] | None = None
    threads: list[threading.Thread] = field(default_factory=list)


class ResultSink:
    """Write each result and its replay to disk, then hand it to the LMS client."""

    def __init__(self, opts: Options, session: Session, store: bool) -> None:
        self.opts, self.session, self.store = opts, session, store

    def __call__(self, result: DrillResult, info: RunInfo, log: list[InputEvent]) -> None:
        """Persist one finished run (called by the drill scene)."""
        self.session.results.append(result)
        if not self.store:
            return
        payload = result.to_payload()
        header = {
            "drill": info.drill,
            "version": result.version,
            "seed": info.seed,
            "lang": info.lang,
            "options": info.options,
            "run_id": info.run_id,
        }
        base = data_home(self.opts.data_dir) / "results" / result.run_id
        targets = [base] + ([self.opts.out.with_suffix("")] if self.opts.out else [])
        for target in targets:
            self.session.files.append(write_json_atomic(target.with_suffix(".json"), payload))
            replay = target.with_name(target.name + ".replay.json")
            save_replay(replay, header, log, result.verdict())
            self.session.files.append(replay)
        self._send(payload)

    def _send(self, payload: dict[str, Any]) -> None:
        from simulations.client import ResultsClient

        outbox = Outbox(data_home(self.opts.data_dir) / "outbox")
        client = ResultsClient(self.opts.lms_url, self.opts.token, outbox)
        outbox.put(payload)  # safe on disk before any network attempt
        if client.online:
            # Deliver in the background so a slow LMS never freezes the debrief screen.
            thread = threading.Thread(target=client.sync, daemon=False)
            thread.start()
            self.session.threads.append(thread)


def first_scene(opts: Options, session: Session) -> tuple[Any, list[InputEvent] | None]:
    """Pick the starting scene and the scripted events (None means live input)."""
    from simulations.menu import MenuScene
    from simulations.registry import fresh_seed, make_drill

    if opts.replay is not None:
        data = load_replay(opts.replay)
        session.expected = data["expected"]
        info = RunInfo(
            drill=data["drill"],
            seed=data["seed"],
            lang=data["lang"],
            options=data.get("options", {}),
            run_id=data.get("run_id", "replay"),
        )
        return make_drill(info), data["events"]
    events = parse_script(opts.script.read_text(encoding="utf-8")) if opts.script else None
    if opts.drill is None:
        return MenuScene(), events
    options = {"floorplan": opts.floorplan} if opts.drill == "escape" else {}
    seed = fresh_seed() if opts.seed is None else opts.seed
    info = RunInfo(drill=opts.drill, seed=seed, lang=opts.lang, options=options, tags=opts.tags)
    return make_drill(info), events if events is not None else ([] if opts.headless else None)
