"""Fixed-timestep loop, script parsing and tick-stamped input (no pygame needed)."""

import pytest

from simulations.engine.inputs import EventQueue, InputEvent, ScriptError, parse_script
from simulations.engine.loop import MAX_FRAME_TIME, STEP, FixedClock, run


class CountingApp:
    """A stand-in for the Director that records what the loop does."""

    def __init__(self, stop_after=None):
        self.updates, self.draws, self.events = 0, 0, []
        self.stop_after = stop_after
        self.finished = False

    def handle_input(self, event):
        self.events.append((self.updates, event))

    def update(self, dt):
        assert dt == STEP
        self.updates += 1
        if self.stop_after is not None and self.updates >= self.stop_after:
            self.finished = True

    def draw(self, alpha):
        assert 0.0 <= alpha < 1.0
        self.draws += 1


def test_one_update_per_frame_at_the_step_rate():
    app = CountingApp()
    stats = run(app, FixedClock(STEP), EventQueue([]), max_frames=120)
    assert (app.updates, app.draws, stats.ticks) == (120, 120, 120)


def test_slow_frames_catch_up_with_several_updates():
    app = CountingApp()
    run(app, FixedClock(STEP * 3), EventQueue([]), max_frames=10)
    assert app.updates == 30


def test_lag_is_capped_after_a_stall():
    app = CountingApp()
    run(app, FixedClock(5.0), EventQueue([]), max_frames=1)
    assert app.updates == round(MAX_FRAME_TIME / STEP)


def test_render_every_skips_draws_but_not_updates():
    app = CountingApp()
    run(app, FixedClock(), EventQueue([]), max_frames=60, render_every=6)
    assert (app.updates, app.draws) == (60, 10)


def test_loop_stops_when_the_app_finishes():
    app = CountingApp(stop_after=7)
    stats = run(app, FixedClock(), EventQueue([]), max_frames=100)
    assert app.updates == 7 and stats.frames == 7


def test_events_arrive_before_the_update_of_their_tick_and_are_recorded():
    events = [InputEvent(0, "down", "c"), InputEvent(5, "up", "c")]
    app, log = CountingApp(), []
    run(app, FixedClock(), EventQueue(events), max_frames=10, recorder=log)
    assert [(n, e.tick, e.kind) for n, e in app.events] == [(0, 0, "down"), (5, 5, "up")]
    assert log == events


def test_script_commands_become_tick_stamped_events():
    events = parse_script("""
        # comment
        wait 1.0
        tap t          # press and release
        hold right 0.5
        click 100 200
        at 5
        press space
        release space
    """)
    assert [e.to_list() for e in events] == [
        [60, "down", "t", 0, 0],
        [61, "up", "t", 0, 0],
        [62, "down", "right", 0, 0],
        [92, "up", "right", 0, 0],
        [93, "click", "mouse1", 100, 200],
        [300, "down", "space", 0, 0],
        [301, "up", "space", 0, 0],
    ]


def test_key_names_with_spaces_are_kept():
    assert parse_script("tap left ctrl")[0].key == "left ctrl"


@pytest.mark.parametrize("bad", ["jump 3", "wait soon", "at 1\nwait 2\nat 1", "click 5"])
def test_bad_script_lines_are_reported(bad):
    with pytest.raises(ScriptError, match="line"):
        parse_script(bad)


def test_event_round_trips_through_json_form():
    event = InputEvent(7, "click", "mouse1", (10, 20))
    assert InputEvent.from_list(event.to_list()) == event
