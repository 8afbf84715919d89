"""Decisions and score sheets shared by all drills (pure, no pygame)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Decision:
    """One judged decision: what the learner did, whether it was right and why."""

    code: str
    correct: bool
    message: str  # English msgid of the teaching text, translated on output
    t: float  # simulated seconds since the drill started
    max_points: int
    critical: bool = False
    #: Values (from the rules) that fill the placeholders of the teaching text.
    params: tuple[tuple[str, float], ...] = ()

    @property
    def points(self) -> int:
        """Points earned: all of them when right, none when wrong."""
        return self.max_points if self.correct else 0


@dataclass
class ScoreSheet:
    """Collects decisions in order; codes may repeat (for example one per door)."""

    decisions: list[Decision] = field(default_factory=list)

    def add(
        self,
        code: str,
        correct: bool,
        message: str,
        t: float,
        max_points: int,
        critical: bool = False,
        params: dict[str, float] | None = None,
    ) -> Decision:
        """Record a decision and return it."""
        frozen = tuple(sorted((params or {}).items()))
        decision = Decision(code, correct, message, round(t, 3), max_points, critical, frozen)
        self.decisions.append(decision)
        return decision

    def has(self, code: str) -> bool:
        """Tell whether a decision with this code was recorded."""
        return any(d.code == code for d in self.decisions)

    def critical_failure(self) -> bool:
        """Tell whether any critical rule was broken."""
        return any(d.critical and not d.correct for d in self.decisions)

    def mistakes(self) -> list[Decision]:
        """Return the wrong decisions in the order they were made."""
        return [d for d in self.decisions if not d.correct]

    def scaled(self, max_score: int) -> int:
        """Score out of ``max_score``: the share of available decision points earned."""
        available = self.max_points()
        return round(max_score * self.points() / available) if available else 0

    def points(self) -> int:
        """Sum the points of the right decisions."""
        return sum(d.points for d in self.decisions)

    def max_points(self) -> int:
        """Sum the points available in the recorded decisions."""
        return sum(d.max_points for d in self.decisions)


def percent(score: int, max_score: int) -> float:
    """Return score as a percentage of max_score (0 when nothing was available)."""
    return 100.0 * score / max_score if max_score else 0.0
