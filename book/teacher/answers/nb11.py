"""Notebook 11 (appendix: the experiments): answer key and reference solutions, for teachers.

Not part of the ``asrlib`` package (see ``book/teacher/README.md``). ``KEY`` maps each
exercise title, exactly as its check in ``asrlib.checks.nb11`` prints it, to the answer
in MyST Markdown with the reason; ``solution_X`` is the reference implementation that
check ``X`` accepts. ``book/answer_key.py`` renders both into the book."""

from __future__ import annotations

KEY = {  # the answer key: exercise title as the check prints it → the answer, with the reason
    "Exercise 1 (tied with the best)": (
        "Find the lowest score, `best = min(scores.values())`, and keep every name whose score "
        "is at most `best + floor`, lowest first: "
        "`sorted((n for n, s in scores.items() if s - best <= floor), key=scores.get)`. These "
        "candidates cannot be told apart from the winner, so picking the lowest of them on the "
        "same test voices partly picks the luckiest."),
}


def solution_within_floor(scores: dict, floor: float) -> list:
    """Exercise 1's reference: the names within ``floor`` of the lowest score, lowest first."""
    best = min(scores.values())
    return sorted((n for n, s in scores.items() if s - best <= floor), key=scores.get)
