"""Exercise checks for notebook 00 (introduction)."""

from __future__ import annotations

from asrlib import checks, metrics

REF, HYP = "three one four one five", "three one for one"


def word_error_rate(answer) -> bool:
    """Exercise 1: the WER of HYP against REF, as a fraction."""
    name = "Exercise 1 (word error rate)"
    if checks.untried(name, answer):
        return False
    expected = metrics.wer(REF, HYP)
    return checks.report(
        name,
        checks.close(answer, expected, 1e-3),
        hint="count substitutions + deletions + insertions, divide by the reference's words.",
        praise=f"{metrics.edit_distance(REF.split(), HYP.split())} edits / 5 words.",
    )
