"""Item statistics on small hand-computed examples."""

import pytest

from exams.grading import score_answer
from exams.statistics import Response, cronbach_alpha, item_statistics


def test_facility_discrimination_and_distractors_by_hand():
    # Four candidates, items a and b scored 0/1; totals 2, 1, 1, 0.
    attempts = [
        {"a": Response(1, (0,)), "b": Response(1, (1,))},
        {"a": Response(1, (0,)), "b": Response(0, (2,))},
        {"a": Response(0, (3,)), "b": Response(1, (1,))},
        {"a": Response(0, (2,)), "b": Response(0, (2,))},
    ]
    stats = {s.item: s for s in item_statistics(attempts)}
    assert stats["a"].facility == 0.5
    # a = (1,1,0,0) against totals (2,1,1,0): sxy = 1, sxx = 1, syy = 2, so r = 1 / sqrt(2)
    assert stats["a"].discrimination == pytest.approx(0.70710678)
    assert stats["a"].distractors == {0: 2, 3: 1, 2: 1}
    assert stats["b"].distractors == {1: 2, 2: 2}
    assert stats["a"].flags == []


def test_negative_discrimination_and_easy_items_are_flagged():
    attempts = [{"x": Response(0), "y": Response(1), "z": Response(1)},
                {"x": Response(1), "y": Response(0), "z": Response(1)},
                {"x": Response(0), "y": Response(1), "z": Response(1)}]
    stats = {s.item: s for s in item_statistics(attempts)}
    # totals 2, 2, 2 do not vary, so no correlation can be computed
    assert stats["x"].discrimination is None
    assert stats["z"].facility == 1.0 and stats["z"].flags == ["too_easy"]
    attempts = [{"x": Response(0), "y": Response(1), "w": Response(1)},
                {"x": Response(1), "y": Response(0), "w": Response(0)},
                {"x": Response(0), "y": Response(1), "w": Response(1)}]
    x = {s.item: s for s in item_statistics(attempts)}["x"]
    assert x.discrimination == pytest.approx(-1.0) and "negative_discrimination" in x.flags


def test_cronbach_alpha_by_hand():
    # Item variances 0.25, 0.1875, 0.1875; totals 3, 2, 1, 0 have variance 1.25
    matrix = [[1, 1, 1], [1, 1, 0], [0, 1, 0], [0, 0, 0]]
    expected = 3 / 2 * (1 - (0.25 + 0.1875 + 0.1875) / 1.25)
    assert cronbach_alpha(matrix) == pytest.approx(expected)
    assert cronbach_alpha([[1, 1]]) is None
    assert cronbach_alpha([[1, 1], [1, 1]]) is None


@pytest.mark.parametrize("qtype, key, chosen, partial, expected", [
    ("single", [1], [1], False, (True, 2.0)),
    ("single", [1], [0], False, (False, 0.0)),
    ("multiple", [0, 2], [0], False, (False, 0.0)),
    ("multiple", [0, 2], [0], True, (False, 1.0)),
    ("multiple", [0, 2], [0, 1], True, (False, 0.0)),
    ("multiple", [0, 2], [2, 0], True, (True, 2.0)),
    ("true_false", [1], [], False, (False, 0.0)),
])
def test_scoring_all_or_nothing_and_partial_credit(qtype, key, chosen, partial, expected):
    assert score_answer(qtype, key, chosen, 2, partial) == expected
