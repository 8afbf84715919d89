"""Scoring one answer; pure so attempts, mock exams and later real exams share it."""


def score_answer(qtype: str, key: list[int], chosen: list[int], points: float,
                 partial_credit: bool = False) -> tuple[bool, float]:
    """(fully correct, points earned); multiple choice is all-or-nothing unless partial credit is on.

    Partial credit: any wrong option scores nothing; otherwise the share of correct options chosen.
    """
    wanted, given = set(key), set(chosen)
    if given == wanted:
        return True, float(points)
    if qtype == "multiple" and partial_credit and given and given < wanted:
        return False, round(points * len(given) / len(wanted), 4)
    return False, 0.0
