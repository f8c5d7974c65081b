"""Exercise checks for notebook 07 (improvements: measuring what helps a voice never heard)."""

from __future__ import annotations

import numpy as np

from asrlib import checks, datasets, loso, results, runtime

RESULTS = runtime.REPO / "data" / "loso"  # the committed fold results notebook 07 reads


def validation_speaker(answer, test_speaker: str = "lucas") -> bool:
    """Exercise 1: who validates in the fold that tests on ``test_speaker``."""
    name = "Exercise 1 (validation speaker)"
    if checks.untried(name, answer):
        return False
    _, expected, _ = loso.fold_speakers(test_speaker)
    ok = isinstance(answer, str) and answer.strip().lower() == expected
    return checks.report(
        name, ok, hint="the next speaker after the test speaker in datasets.FSDD_SPEAKERS.",
        praise=f"{expected} picks the best epoch; {test_speaker} is only heard at the end.",
    )


def times_in_training(answer) -> bool:
    """Exercise 2: in how many of the six folds each speaker is a training speaker."""
    name = "Exercise 2 (folds per training speaker)"
    if checks.untried(name, answer):
        return False
    counts = {s: 0 for s in datasets.FSDD_SPEAKERS}
    for speaker in datasets.FSDD_SPEAKERS:
        for trained in loso.fold_speakers(speaker)[0]:
            counts[trained] += 1
    expected = counts[datasets.FSDD_SPEAKERS[0]]
    return checks.report(
        name, answer == expected,
        hint="each fold trains on six speakers minus its test and its validation speaker.",
        praise=f"six folds, each speaker tests once, validates once, trains {expected} times.",
    )


def hardest_speaker(answer, recipe: str = "v4", decoder: str = "task", out_dir=RESULTS) -> bool:
    """Exercise 3: the speaker with the highest WER for ``recipe`` with ``decoder``."""
    name = "Exercise 3 (hardest speaker)"
    if checks.untried(name, answer):
        return False
    folds = results.load_results(out_dir, recipe)
    if not folds:
        return checks.report(name, False, hint=f"no stored folds for {recipe!r} in {out_dir}; "
                             f"run `python -m asrlib loso --recipe {recipe}` first.")
    worst = results.summarize(folds)[decoder]
    ok = isinstance(answer, str) and answer.strip().lower() == worst["worst_speaker"]
    return checks.report(
        name, ok, hint="results.summarize(folds)[decoder] names the worst speaker; or read "
        "the table's largest WER.",
        praise=f"{worst['worst_speaker']}: WER {worst['worst_wer']:.1%}.",
    )


def mean_and_worst(answer) -> bool:
    """Exercise 4 (code): ``answer(per_voice_wer)`` → ``(mean, worst_voice)`` for a
    ``{voice: WER}`` dictionary (one that returns None is not tried yet)."""
    name = "Exercise 4 (mean and worst voice)"
    if checks.untried(name, answer):
        return False
    cases = [{"ann": 0.10, "bo": 0.35, "cy": 0.05, "dee": 0.20},
             {"theo": 0.02, "nicolas": 0.31, "lucas": 0.07}, {"solo": 0.5}]
    try:
        got = [answer(dict(case)) for case in cases]
    except Exception as err:  # the student's function: say what went wrong, no traceback
        return checks.report(name, False, hint=f"your function raised {type(err).__name__}: "
                             f"{err}")
    if any(g is None for g in got):  # the body is still `...`
        return checks.untried(name, None) and False
    ok = all(isinstance(g, tuple) and len(g) == 2 and checks.close(g[0], e[0], 1e-9)
             and g[1] == e[1] for g, e in zip(got, map(_summary, cases)))
    return checks.report(
        name, ok, hint="return a tuple (mean, voice): the mean of the dictionary's values, and "
        "the key whose WER is the highest (WERs as fractions, not %).",
        praise="the mean says how good the recipe is; the worst voice, how bad it gets.",
    )


def _summary(per_voice_wer: dict) -> tuple[float, str]:
    """``(mean WER, worst voice)`` as the library reports a LOSO run: each voice one fold of
    :func:`asrlib.results.summarize` (the mean from NumPy, summarize's is rounded)."""
    folds = [results.FoldResult("exercise", voice, "", [], None, 0, 0, 0.0, 0.0, 0,
                                {"wer": wer, "cer": wer}, {"wer": wer, "cer": wer})
             for voice, wer in per_voice_wer.items()]
    worst = results.summarize(folds)["task"]["worst_speaker"]
    return float(np.mean(list(per_voice_wer.values()))), worst


def verdict(answer) -> bool:
    """Exercise 5 (code): ``answer(a_runs, b_runs, floor)`` is notebook 07's one rule,
    checked against :func:`asrlib.results.judge` on hidden runs (None: not tried yet)."""
    name = "Exercise 5 (the one rule)"
    if checks.untried(name, answer):
        return False
    # no case sits on the floor itself, so the order of the additions cannot change a verdict;
    # the second and third tell the mean of A from its first or its best run
    cases = [([0.214, 0.166], [0.10], 0.048), ([0.214, 0.166], [0.16], 0.048),
             ([0.214, 0.166], [0.13], 0.048), ([0.20, 0.22], [0.26], 0.02),
             ([0.30], [0.285], 0.02), ([0.12, 0.14], [0.105], 0.03),
             ([0.25, 0.24, 0.26], [0.20, 0.21, 0.22], 0.02)]
    try:
        got = [answer(list(a), list(b), floor) for a, b, floor in cases]
    except Exception as err:
        return checks.report(name, False, hint=f"your function raised {type(err).__name__}: "
                             f"{err}")
    if any(g is None for g in got):
        return checks.untried(name, None) and False
    wrong = [case for case, g in zip(cases, got) if g != results.judge(*case)]
    return checks.report(
        name, not wrong, hint=f"for a_runs={wrong[0][0]}, b_runs={wrong[0][1]}, "
        f"floor={wrong[0][2]} the rule says {results.judge(*wrong[0])!r}: compare the mean "
        "of b_runs with the mean of a_runs, and call it only beyond the floor." if wrong else "",
        praise="one rule for every comparison: a difference inside the floor is not evidence.",
    )
