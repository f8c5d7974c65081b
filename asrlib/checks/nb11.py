"""Exercise checks for notebook 11 (appendix: the experiments behind notebook 07)."""

from __future__ import annotations

from asrlib import checks, results


def within_floor(answer) -> bool:
    """Exercise 1 (code): ``answer(scores, floor)`` → the names whose score is within ``floor``
    of the lowest (the lowest included), lowest first (None: not tried yet)."""
    name = "Exercise 1 (tied with the best)"
    if checks.untried(name, answer):
        return False
    cases = [({"a": 0.116, "b": 0.134, "c": 0.137, "d": 0.159}, 0.02),
             ({"seed": 0.253, "bilstm": 0.179, "pitch": 0.205, "speed": 0.210}, 0.02),
             ({"x": 0.30, "y": 0.10, "z": 0.50}, 0.25), ({"only": 0.2}, 0.02)]
    try:
        got = [answer(dict(scores), floor) for scores, floor in cases]
    except Exception as err:  # the student's function: say what went wrong, no traceback
        return checks.report(name, False, hint=f"your function raised {type(err).__name__}: "
                             f"{err}")
    if any(g is None for g in got):  # the body is still `...`
        return checks.untried(name, None) and False
    wrong = [case for case, g in zip(cases, got)
             if not isinstance(g, (list, tuple)) or list(g) != _tied(*case)]
    return checks.report(
        name, not wrong,
        hint=f"for scores={wrong[0][0]} and floor={wrong[0][1]} the answer is "
        f"{_tied(*wrong[0])}: every name within the floor of the lowest score, "
        "the lowest included, sorted by score." if wrong else "",
        praise="the winner and its ties: the lowest of them is partly the luckiest.",
    )


def _tied(scores: dict, floor: float) -> list:
    """The candidates that :func:`asrlib.results.judge` (notebook 07's one rule) cannot call
    worse than the lowest score, ordered by score."""
    lowest = [scores[min(scores, key=scores.get)]]
    return sorted((n for n, s in scores.items() if results.judge(lowest, [s], floor) != "worse"),
                  key=scores.get)
