"""Confined-space entry rules and state: permit, isolation, ventilate-test-work, rescue."""

from __future__ import annotations

import random
from typing import Any

from simulations.confined_space import judge as J
from simulations.confined_space.atmosphere import Atmosphere, out_of_limits
from simulations.rules import section
from simulations.scoring import ScoreSheet, percent

VERSION = "1.0"
MAX_SCORE = 100
SUBSTEP_MIN = 0.25  # integrate gas changes in quarter minutes, also across jumps
COLLAPSE_AFTER_MIN = 0.5


class ConfinedSpaceModel:
    """You lead a two-person job in a confined space; decisions are judged as you go."""

    version = VERSION
    max_score = MAX_SCORE

    def __init__(self, seed: int) -> None:
        self.seed, self.r = seed, section("confined_space")
        self.rng = random.Random(seed)
        self.scenario = self.rng.choice(sorted(self.r["scenarios"]))
        self.levels: list[str] = list(self.r["test_levels"])
        self.air = Atmosphere(self.r["scenarios"][self.scenario], self.levels, self.rng)
        self.event_delay = self.rng.uniform(*self.r["event_after_entry_min"])
        self.minutes, self.t = 0.0, 0.0
        self.done: set[str] = set()  # permit, pipes, power, attendant, harness, scba, alarm
        self.fan = False
        self.fan_started_at: float | None = None
        self.tests: dict[str, tuple[float, dict[str, float]]] = {}
        self.first_test_at: float | None = None
        self.phase = "prep"  # prep -> inside -> alarm -> rescue -> over
        self.entered_at = self.alarm_at = self.collapse_at = None
        self.evacuated = False
        self.sheet = ScoreSheet()
        self.log: list[tuple[float, str]] = []
        self.outcome: str | None = None

    @property
    def finished(self) -> bool:
        """Tell whether the drill has ended."""
        return self.outcome is not None

    def live(self, level: str) -> dict[str, float]:
        """Return the continuous-monitor reading at ``level``."""
        return self.air.reading(level)

    def monitor_alarm(self) -> bool:
        """Tell whether the monitor would alarm at any level now."""
        return any(out_of_limits(self.live(lv), self.r) for lv in self.levels)

    # --- commands ------------------------------------------------------------
    def act(self, action: str) -> None:
        """Perform one named action (see :data:`ACTIONS`)."""
        if self.finished:
            return
        handler = getattr(self, f"_do_{action}", None)
        if handler is not None:
            handler()

    def _do_simple(self, flag: str) -> None:
        if self.phase == "prep" and flag not in self.done:
            self.done.add(flag)
            self._log(flag)

    def _do_permit(self) -> None:
        self._do_simple("permit")

    def _do_pipes(self) -> None:
        self._do_simple("pipes")

    def _do_power(self) -> None:
        self._do_simple("power")

    def _do_attendant(self) -> None:
        self._do_simple("attendant")

    def _do_harness(self) -> None:
        self._do_simple("harness")

    def _do_scba(self) -> None:
        if "scba" not in self.done:
            self.done.add("scba")
            self._log("scba")

    def _do_fan(self) -> None:
        self.fan = not self.fan
        if self.fan and self.fan_started_at is None:
            self.fan_started_at = self.minutes
        if not self.fan and self.phase == "inside":
            self._judge("ventilate_during", False)
        self._log("fan_on" if self.fan else "fan_off")

    def _do_test_top(self) -> None:
        self._test(self.levels[0])

    def _do_test_middle(self) -> None:
        self._test(self.levels[1])

    def _do_test_bottom(self) -> None:
        self._test(self.levels[2])

    def _test(self, level: str) -> None:
        if self.phase != "prep":
            return
        if self.first_test_at is None:
            self.first_test_at = self.minutes
            self._judge("ventilate_first", self.fan_started_at is not None)
        self._advance(self.r["test_duration_min"])
        self.tests[level] = (self.minutes, self.air.reading(level))
        self._log("test")

    def _do_wait(self) -> None:
        self._advance(self.r["wait_step_min"])
        self._log("waited")

    def _do_enter(self) -> None:
        if self.phase != "prep":
            return
        self.phase, self.entered_at = "inside", self.minutes
        self._log("enter")
        self._judge_entry()
        if self.monitor_alarm():  # the air is already bad: trouble starts at once
            self.event_delay = 0.0

    def _judge_entry(self) -> None:
        tested = [lv for lv in self.levels if lv in self.tests]
        complete = len(tested) == len(self.levels)
        oldest = min((self.tests[lv][0] for lv in tested), default=None)
        self._judge("permit", "permit" in self.done)
        self._judge("isolate_pipes", "pipes" in self.done)
        self._judge("lockout_power", "power" in self.done)
        self._judge("tests_complete", complete)
        fresh = oldest is not None and self.minutes - oldest <= self.r["test_max_age_min"]
        self._judge("test_fresh", complete and fresh)
        self._judge(
            "readings_ok",
            complete and not any(out_of_limits(self.tests[lv][1], self.r) for lv in tested),
        )
        self._judge("ventilate_during", self.fan)
        self._judge("attendant", "attendant" in self.done)
        self._judge("harness", "harness" in self.done)

    def _do_evacuate(self) -> None:
        if self.phase in ("inside", "alarm") and not self.evacuated:
            self.evacuated = True
            if self.phase == "alarm":
                in_time = self.minutes - self.alarm_at <= self.r["evacuate_within_min"]
                self._judge("evacuate", in_time)
            self._log("evacuate")

    def _do_alarm(self) -> None:
        if self.phase in ("alarm", "rescue") and "alarm" not in self.done:
            self.done.add("alarm")
            self._judge("alarm", True)
            self._log("alarm")

    def _do_lifeline(self) -> None:
        if self.phase != "rescue":
            return
        if "harness" not in self.done:
            self._log("no_lifeline")
            return
        self._rescued()

    def _do_go_in(self) -> None:
        if self.phase != "rescue":
            return
        if "scba" not in self.done:
            self._judge("rescue", False)
            self._log("blind")
            self._end("blind_rescue")
        else:
            self._rescued()

    def _rescued(self) -> None:
        self._judge("rescue", True)
        self._log("rescued")
        self._end("rescued")

    # --- simulation ----------------------------------------------------------
    def update(self, dt: float) -> None:
        """Advance ``dt`` real seconds (``time_scale`` simulated seconds each)."""
        if not self.finished:
            self.t += dt
            self._advance(dt * self.r["time_scale"] / 60.0)

    def _advance(self, minutes: float) -> None:
        while minutes > 1e-9 and not self.finished:
            step = min(SUBSTEP_MIN, minutes)
            minutes -= step
            self.minutes += step
            self.air.advance(step, self.fan, self.r["ventilation_tau_min"])
            self._events()

    def _events(self) -> None:
        if self.phase == "inside" and self.minutes - self.entered_at >= self.event_delay:
            self.air.surging, self.phase, self.alarm_at = True, "alarm", self.minutes
            self._log("surge")
        if self.phase == "alarm":
            deadline = self.alarm_at + self.r["evacuate_within_min"]
            if not self.evacuated and self.minutes > deadline and not self.sheet.has("evacuate"):
                self._judge("evacuate", False)
            # The colleague working lowest collapses on the way out, whatever you do: the
            # drill always reaches the rescue decision.
            if self.minutes >= deadline + COLLAPSE_AFTER_MIN:
                self.phase, self.collapse_at = "rescue", self.minutes
                self._log("collapse")
        if self.minutes >= self.r["time_limit_min"]:
            self._end("timeout" if self.phase == "prep" else "no_rescue")

    def _end(self, outcome: str) -> None:
        if outcome != "rescued" and not self.sheet.has("rescue") and self.phase == "rescue":
            self._judge("rescue", False)
        if self.phase in ("alarm", "rescue") and "alarm" not in self.done:
            self._judge("alarm", False)
        if self.entered_at is not None and not self.sheet.has("evacuate"):
            self._judge("evacuate", self.evacuated)
        self.outcome = outcome

    def _judge(self, code: str, ok: bool) -> None:
        right, wrong = J.TEXT[code]
        self.sheet.add(code, ok, right if ok else wrong, self.t, J.POINTS[code], code in J.CRITICAL,
                       J.text_params(code, self.r))

    def _log(self, event: str) -> None:
        self.log.append((round(self.minutes, 2), J.EVENTS[event]))

    # --- result --------------------------------------------------------------
    def score(self) -> int:
        """Score out of 100: the share of available decision points earned."""
        return self.sheet.scaled(MAX_SCORE)

    def passed(self) -> bool:
        """Pass: colleague rescued, no critical mistake, at least the pass mark."""
        return (
            self.outcome == "rescued"
            and not self.sheet.critical_failure()
            and percent(self.score(), MAX_SCORE) >= self.r["pass_mark_pct"]
        )

    def outcome_message(self) -> str:
        """Return the msgid describing how the drill ended."""
        return J.OUTCOMES.get(self.outcome or "", J.UNFINISHED)

    def details(self) -> dict[str, Any]:
        """Return the scenario and the timeline figures."""
        return {
            "scenario": self.scenario,
            "minutes": round(self.minutes, 2),
            "tests": {lv: {"at_min": round(t, 2), **r} for lv, (t, r) in self.tests.items()},
        }
