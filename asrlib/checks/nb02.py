"""Exercise checks for notebook 02 (text, padding and batches)."""

from __future__ import annotations

import numpy as np

from asrlib import checks, datasets, metrics, pipeline
from asrlib.text import Alphabet

WORD = "nine two"  # Exercise 1 encodes this by hand


def encode_by_hand(answer) -> bool:
    """Exercise 1: the label ids of ``WORD`` in the 28-symbol alphabet."""
    name = "Exercise 1 (encode by hand)"
    if checks.untried(name, answer):
        return False
    expected = Alphabet().encode(WORD)
    try:
        given = np.asarray(answer, dtype=np.int64).ravel()
    except (TypeError, ValueError):
        given = np.array([], dtype=np.int64)
    ok = given.shape == expected.shape and bool(np.all(given == expected))
    return checks.report(
        name,
        ok,
        hint="blank _ is 0, space is 1, then a=2, b=3, … z=27; the space between words counts.",
        praise=f"{WORD!r} → {expected.tolist()}; no id is 0, the blank.",
    )


def exercise_batch() -> tuple[np.ndarray, np.ndarray]:
    """Exercise 2's batch: four connected-digit strings, padded ``(features, targets)``."""
    utts = datasets.connected_digits(4, ["yweweler"], seed=21, max_digits=5)
    examples, _ = pipeline.make_examples(utts, cache=False)
    return pipeline.pad_batch(examples)


def padded_frames(answer) -> bool:
    """Exercise 2: how many frames of :func:`exercise_batch`'s features are padding."""
    name = "Exercise 2 (padded frames)"
    if checks.untried(name, answer):
        return False
    x, y = exercise_batch()
    real = int(y[:, 0].sum())
    expected = x.shape[0] * x.shape[1] - real
    return checks.report(
        name,
        checks.close(answer, expected, 0),
        hint="every row is padded up to the longest: batch × longest − the sum of true lengths.",
        praise=f"{expected} of {x.shape[0] * x.shape[1]} frames ({expected / x[..., 0].size:.0%}) "
        "are zeros that are not speech.",
    )


def training_speakers(answer) -> bool:
    """Exercise 3: the FSDD speakers whose voices may appear in the digits training set."""
    name = "Exercise 3 (training speakers)"
    if checks.untried(name, answer):
        return False
    held_out = {datasets.DIGITS_TEST_SPEAKER, datasets.DIGITS_VAL_SPEAKER}
    expected = set(datasets.FSDD_SPEAKERS) - held_out
    try:
        given = {str(s).strip().lower() for s in ([answer] if isinstance(answer, str) else answer)}
    except TypeError:
        given = set()
    return checks.report(
        name,
        given == expected,
        hint="all six FSDD speakers except the test speaker and the validation speaker.",
        praise=f"{', '.join(sorted(held_out))} are never trained on, so their scores are honest.",
    )


WER_CASES = (  # (reference, hypothesis): the hidden pairs of Exercise 4
    ("two zero one nine", "two one nine nine"),
    ("six seven eight", "six seven eight"),
    ("four two", "two four"),
    ("nine two", "nine nine two two five two"),  # insertions: 200 %
    ("one", "one one one one"),  # 300 %
    ("six seven eight", ""),
    ("zero zero one", "zero one"),
    ("the cat sat on the mat", "the cat sat on mat"),
    ("a b c d", "x y"),
)


def word_error_rate(answer) -> bool:
    """Exercise 4 (code): ``answer(ref, hyp)`` is the WER of one pair by dynamic programming,
    checked against :func:`metrics.wer` on hidden pairs, some with WER above 100 %."""
    name = "Exercise 4 (WER by dynamic programming)"
    if checks.untried(name, answer):
        return False
    for ref, hyp in WER_CASES:
        expected = metrics.wer(ref, hyp)
        try:
            got = answer(ref, hyp)
        except Exception as err:  # the student's function: say what went wrong, no traceback
            return checks.report(name, False, hint=f"my_wer({ref!r}, {hyp!r}) raised "
                                 f"{type(err).__name__}: {err}")
        if got is None:  # the body is still `...`
            return checks.untried(name, None) and False
        if not checks.close(got, expected, 1e-9):
            shown = f"{got:.4g}" if isinstance(got, (int, float, np.number)) else repr(got)
            hint = f"my_wer({ref!r}, {hyp!r}) returned {shown}, metrics.wer says {expected:.4g}."
            if expected > 1:
                hint += " Insertions count too: divide by the reference's words, never cap at 1."
            return checks.report(name, False, hint=hint)
    return checks.report(
        name, True, praise=f"the same WER as metrics.wer on {len(WER_CASES)} hidden pairs, "
        "up to 300 % when the model inserts words.")
