"""Classical item statistics over attempt data: facility, point-biserial, distractors, alpha.

Pure functions over plain data so they can be checked against hand-computed examples.
"""

from collections import Counter
from dataclasses import dataclass, field
from math import sqrt

#: Items easier than this, or with negative discrimination, are flagged for review.
FACILITY_FLAG = 0.95


@dataclass(frozen=True)
class Response:
    """One candidate's answer to one item: score as a fraction of the item's points, options chosen."""

    score: float
    chosen: tuple[int, ...] = ()


@dataclass
class ItemStats:
    """Statistics of one item."""

    item: object
    n: int
    facility: float
    discrimination: float | None
    distractors: Counter = field(default_factory=Counter)

    @property
    def flags(self) -> list[str]:
        """Reasons to review the item: "negative_discrimination", "too_easy"."""
        found = []
        if self.discrimination is not None and self.discrimination < 0:
            found.append("negative_discrimination")
        if self.facility > FACILITY_FLAG:
            found.append("too_easy")
        return found


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _variance(values: list[float]) -> float:
    """Population variance."""
    mean = _mean(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson correlation; None when either side does not vary."""
    mx, my = _mean(xs), _mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx, syy = sum((x - mx) ** 2 for x in xs), sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / sqrt(sxx * syy)


def item_statistics(attempts: list[dict[object, Response]]) -> list[ItemStats]:
    """Per item over every attempt that contains it; totals are each attempt's sum of item scores.

    Discrimination is the point-biserial correlation of the item score with the attempt total.
    """
    totals = [sum(r.score for r in attempt.values()) for attempt in attempts]
    by_item: dict[object, list[tuple[Response, float]]] = {}
    for attempt, total in zip(attempts, totals, strict=True):
        for item, response in attempt.items():
            by_item.setdefault(item, []).append((response, total))
    stats = []
    for item, pairs in by_item.items():
        scores = [r.score for r, _t in pairs]
        distractors = Counter(option for r, _t in pairs for option in r.chosen)
        discrimination = correlation(scores, [t for _r, t in pairs]) if len(pairs) > 1 else None
        stats.append(ItemStats(item=item, n=len(pairs), facility=_mean(scores),
                               discrimination=discrimination, distractors=distractors))
    return stats


def cronbach_alpha(matrix: list[list[float]]) -> float | None:
    """Alpha of one form: rows are candidates, columns the same items in the same order."""
    if len(matrix) < 2 or len(matrix[0]) < 2:
        return None
    k = len(matrix[0])
    item_variance = sum(_variance([row[j] for row in matrix]) for j in range(k))
    total_variance = _variance([sum(row) for row in matrix])
    if total_variance == 0:
        return None
    return k / (k - 1) * (1 - item_variance / total_variance)
