"""Notebook 07 (improvements): answer key and reference solutions, for teachers.

Not part of the ``asrlib`` package (see ``book/teacher/README.md``). ``KEY`` maps each
exercise title, exactly as its check in ``asrlib.checks.nb07`` prints it, to the answer
in MyST Markdown with the reason; ``solution_X`` is the reference implementation that
check ``X`` accepts. ``book/answer_key.py`` renders both into the book."""

from __future__ import annotations

import numpy as np

KEY = {  # the answer key: exercise title as the check prints it → the answer, with the reason
    "Exercise 1 (validation speaker)": (
        "**nicolas**. A fold validates on the speaker after its test speaker in "
        "`datasets.FSDD_SPEAKERS` (george, jackson, lucas, nicolas, theo, yweweler), so the "
        "fold that tests on lucas picks its epoch and tunes its decoder on nicolas."),
    "Exercise 2 (folds per training speaker)": (
        "**4**. Each of the six voices is the test voice in one fold and the validation voice "
        "in another, so it trains in the remaining four."),
    "Exercise 3 (hardest speaker)": (
        "**george**, the largest digit-decoder WER in the v4 table (the `worst` row names its "
        "value; `results.summarize(folds)['task']['worst_speaker']` names the voice). The mean "
        "alone would hide how far one voice is from the others."),
    "Exercise 4 (mean and worst voice)": (
        "Average the values of the dictionary (`sum(d.values()) / len(d)`) and take the key "
        "with the largest value (`max(d, key=d.get)`); return both as a tuple. Each voice "
        "counts once, however many clips it said."),
    "Exercise 5 (the one rule)": (
        "Compute `delta = mean(b_runs) - mean(a_runs)`; return `\"better\"` if "
        "`delta < -floor`, `\"worse\"` if `delta > floor`, else `\"within noise\"`. Averaging "
        "all runs of A (never picking its luckiest or unluckiest) is what makes the rule fair."),
}


def solution_mean_and_worst(per_voice_wer: dict) -> tuple:
    """Exercise 4's reference: the mean WER over voices and the voice with the highest WER."""
    mean = sum(per_voice_wer.values()) / len(per_voice_wer)
    return mean, max(per_voice_wer, key=per_voice_wer.get)


def solution_verdict(a_runs, b_runs, floor: float) -> str:
    """Exercise 5's reference: "better", "worse" or "within noise" by the means and the floor."""
    delta = float(np.mean(b_runs)) - float(np.mean(a_runs))
    return "better" if delta < -floor else "worse" if delta > floor else "within noise"
