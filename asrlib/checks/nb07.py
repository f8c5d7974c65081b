"""Exercise checks for notebook 07 (improvements: a voice never heard)."""

from __future__ import annotations

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
