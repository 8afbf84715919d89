"""Extinguishing rules and state: one fire per class, in a seeded order (pure, no pygame)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from simulations.extinguisher import judge as J
from simulations.rules import section
from simulations.scoring import ScoreSheet, percent

VERSION = "1.0"
CLASSES = ("A", "B", "C", "D", "E", "F")
POSITIONS = ("upwind", "side", "downwind", "side")  # walking round the fire in 90° steps
PAUSE_S = 3.0  # time to read a round's outcome before the next fire
ROUND_LIMIT_S = 60.0
RETREAT_GRACE_S = 5.0
MAX_SCORE = 100


@dataclass
class Round:
    """One fire and everything the learner did about it."""

    fire_class: str
    position: int  # index into POSITIONS
    intensity: float
    distance: float
    agent: str | None = None
    steps: list[str] = field(default_factory=list)
    charge: float = 0.0  # seconds of agent left
    discharged: float = 0.0
    swept: float = 0.0
    t: float = 0.0
    out_of_control_at: float | None = None
    result: str | None = None  # "out", "retreat", "failed", "shock"
    flared: bool = False
    sweeping: bool = False


class ExtinguisherModel:
    """Six fires (A-F) in a seeded order; judged on agent, steps, distance, wind and result."""

    version = VERSION
    max_score = MAX_SCORE

    def __init__(self, seed: int) -> None:
        self.seed, self.r = seed, section("extinguisher")
        self.rng = random.Random(seed)
        self.order = list(CLASSES)
        self.rng.shuffle(self.order)
        self.wind_from = [self.rng.choice((0, 1, 2, 3)) for _ in self.order]  # wind direction
        self.index, self.t, self.pause = 0, 0.0, 0.0
        self.sheet = ScoreSheet()
        self.outcome: str | None = None
        self.squeezing = False
        self.controls = (False, 0.0)
        self.message = ""
        self.round = self._new_round()

    @property
    def finished(self) -> bool:
        """Tell whether the drill has ended."""
        return self.outcome is not None

    def _new_round(self) -> Round:
        return Round(
            self.order[self.index],
            position=self.rng.choice((1, 2)),
            intensity=self.r["start_intensity"],
            distance=self.r["start_distance_m"],
            charge=self.r["discharge_s"],
        )

    def effect(self, agent: str | None = None) -> str:
        """Return what ``agent`` (default: the chosen one) does to the current fire."""
        return self.r["effects"][self.round.fire_class][agent or self.round.agent]

    def safe_position(self) -> bool:
        """Tell whether the learner stands upwind or to the side."""
        return POSITIONS[self.round.position] in self.r["safe_positions"]

    # --- commands ------------------------------------------------------------
    def choose(self, agent: str) -> None:
        """Pick an extinguisher (or, for metal, the special agent); once per fire."""
        rnd = self.round
        if self._idle() or rnd.agent is not None or agent not in self.r["agents"]:
            return
        rnd.agent = agent
        effect = self.effect()
        right = effect == "effective"
        text = J.AGENT_RIGHT[rnd.fire_class] if right else J.AGENT_WRONG.get(effect, J.AGENT_WRONG["weak"])
        self._judge("agent", right, text)
        if agent == "d_special" and right:
            self._end_round("out")

    def step(self, name: str) -> None:
        """Perform a handling step: ``lift``, ``pin`` or ``aim`` (once each)."""
        rnd = self.round
        if not self._idle() and rnd.agent is not None and name not in rnd.steps:
            rnd.steps.append(name)

    def walk(self, direction: int) -> None:
        """Walk a quarter turn round the fire (-1 or +1)."""
        if not self._idle() and not self.squeezing:
            self.round.position = (self.round.position + direction) % len(POSITIONS)

    def toggle_sweep(self) -> None:
        """Start or stop sweeping the jet from side to side."""
        if not self._idle():
            self.round.sweeping = not self.round.sweeping

    def retreat(self) -> None:
        """Leave the fire and call 119."""
        rnd = self.round
        if self._idle() or rnd.agent is None and rnd.out_of_control_at is None:
            return
        right = rnd.out_of_control_at is not None or (rnd.charge <= 0 and rnd.intensity > 0)
        self._judge("retreat", right, J.RETREAT_OK if right else J.RETREAT_BAD)
        self._end_round("retreat")

    def _idle(self) -> bool:
        return self.finished or self.pause > 0 or self.round.result is not None

    # --- simulation ----------------------------------------------------------
    def set_controls(self, squeeze: bool, approach: float) -> None:
        """Hold the handle (squeeze) and walk closer (> 0) or back (< 0) until changed."""
        self.controls = (squeeze, approach)

    def update(self, dt: float) -> None:
        """Advance ``dt`` seconds with the current controls."""
        squeeze, approach = self.controls
        if self.finished:
            return
        self.t += dt
        if self.pause > 0:
            self.pause -= dt
            if self.pause <= 0:
                self._next_round()
            return
        rnd = self.round
        rnd.t += dt
        if not self.squeezing:
            rnd.distance = min(12.0, max(1.0, rnd.distance - approach * self.r["walk_speed_mps"] * dt))
        rnd.intensity = min(1.0, rnd.intensity + self.r["growth_per_s"] * dt)
        self._discharge(dt, squeeze)
        self._check_round()

    def _discharge(self, dt: float, squeeze: bool) -> None:
        rnd = self.round
        ready = rnd.agent is not None and "lift" in rnd.steps and "pin" in rnd.steps
        if not squeeze or not ready or rnd.charge <= 0:
            if squeeze and rnd.agent is not None and not ready:
                self.message = "no_pin"
            self.squeezing = False
            return
        if not self.squeezing and rnd.discharged == 0:
            self._judge_start()
        self.squeezing = True
        used = min(dt, rnd.charge)
        rnd.charge -= used
        rnd.discharged += used
        rnd.swept += used if rnd.sweeping else 0.0
        self._apply_agent(used)

    def _apply_agent(self, dt: float) -> None:
        rnd, effect = self.round, self.effect()
        if effect == "shock":
            self.outcome = "shock"
            rnd.result = "shock"
            return
        if effect in ("flare", "reaction") and not rnd.flared:
            rnd.flared = True
            rnd.intensity = min(1.0, rnd.intensity + self.r["flare_boost"])
            self.message = effect
        factor = {"effective": 1.0, "weak": 0.15}.get(effect, 0.0)
        rnd.intensity = max(0.0, rnd.intensity - self.r["knockdown_per_s"] * factor * self._reach() * dt)

    def _reach(self) -> float:
        rnd = self.round
        factor = 1.0 if rnd.sweeping else self.r["no_sweep_factor"]
        factor *= 1.0 if "aim" in rnd.steps else 0.4
        factor *= 1.0 if self.safe_position() else self.r["downwind_factor"]
        if rnd.distance > self.r["distance_m_max"] + 1.0:
            factor *= self.r["too_far_factor"]
        elif rnd.distance > self.r["distance_m_max"]:
            factor *= 0.5
        return factor

    def _judge_start(self) -> None:
        rnd = self.round
        order_ok = rnd.steps[:3] == ["lift", "pin", "aim"]
        self._judge("steps", order_ok, J.STEPS_OK if order_ok else J.STEPS_BAD)
        near, far = self.r["distance_m_min"], self.r["distance_m_max"]
        ok = near <= rnd.distance <= far
        self._judge(
            "distance",
            ok,
            J.DISTANCE_OK if ok else (J.DISTANCE_CLOSE if rnd.distance < near else J.DISTANCE_FAR),
        )
        self._judge("wind", self.safe_position(), J.WIND_OK if self.safe_position() else J.WIND_BAD)

    def _check_round(self) -> None:
        rnd = self.round
        if rnd.result is not None:
            return
        if rnd.intensity <= 0.0:
            self._judge("out", True, J.OUT_OK)
            self._end_round("out")
        elif rnd.intensity >= 1.0 or (rnd.charge <= 0 and rnd.agent is not None) or rnd.t > ROUND_LIMIT_S:
            if rnd.out_of_control_at is None:
                rnd.out_of_control_at = rnd.t
                self.message = "out_of_control"
            elif rnd.t - rnd.out_of_control_at > RETREAT_GRACE_S:
                self._judge("retreat", False, J.RETREAT_BAD, critical=True)
                self._end_round("failed")

    def _end_round(self, result: str) -> None:
        rnd = self.round
        rnd.result = result
        if result in ("retreat", "failed") and rnd.discharged > 0:
            self._judge("out", False, J.OUT_BAD)
        if rnd.discharged > 0 and rnd.result != "shock":
            swept = rnd.swept >= 0.5 * rnd.discharged
            self._judge("sweep", swept, J.SWEEP_OK if swept else J.SWEEP_BAD)
        self.squeezing = False
        self.pause = PAUSE_S

    def _next_round(self) -> None:
        self.pause = 0.0
        self.index += 1
        if self.index >= len(self.order):
            self.outcome = "completed"
        else:
            self.round = self._new_round()

    def _judge(self, code: str, correct: bool, text: str, critical: bool = False) -> None:
        rnd = self.round
        critical = critical or (code == "agent" and self.effect() in J.CRITICAL_EFFECTS)
        self.sheet.add(f"{rnd.fire_class}.{code}", correct, text, self.t, J.POINTS[code], critical)

    # --- result --------------------------------------------------------------
    def score(self) -> int:
        """Score out of 100: the share of available decision points earned."""
        return self.sheet.scaled(MAX_SCORE)

    def passed(self) -> bool:
        """Pass: every fire handled, no critical mistake and at least the pass mark."""
        return (
            self.outcome == "completed"
            and not self.sheet.critical_failure()
            and percent(self.score(), MAX_SCORE) >= self.r["pass_mark_pct"]
        )

    def outcome_message(self) -> str:
        """Return the msgid describing how the drill ended."""
        return J.OUTCOMES.get(self.outcome or "", J.UNFINISHED)

    def details(self) -> dict[str, Any]:
        """Return the order of fires and how each ended."""
        return {"order": self.order, "rounds_done": min(self.index, len(self.order))}
