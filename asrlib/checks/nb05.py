"""Exercise checks for notebook 05 (training)."""

from __future__ import annotations

import csv
import math

import numpy as np

from asrlib import checks, ctc, runtime

LOGS = runtime.REPO / "data" / "loso"  # Keras CSV logs of the stored LOSO runs
STRIDE = 2  # the seed's 2×2 max-pool: one output frame per two input frames

def steps_per_epoch(answer, n_train: int = 4000, batch_size: int = 32) -> bool:
    """Exercise 1: optimizer steps in one epoch over ``n_train`` strings."""
    name = "Exercise 1 (steps per epoch)"
    if checks.untried(name, answer):
        return False
    expected = math.ceil(n_train / batch_size)
    return checks.report(
        name, answer == expected,
        hint="one step per batch; the last batch may be smaller than the others.",
        praise=f"ceil({n_train} / {batch_size}) = {expected} steps.",
    )


def first_epoch_below(answer, threshold: float = 0.9, log=LOGS / "seed" / "theo.log.csv") -> bool:
    """Exercise 2: the first epoch (counting from 1) whose validation CER is below
    ``threshold`` in a stored Keras CSV log: where the blank phase ends."""
    name = "Exercise 2 (end of the blank phase)"
    if checks.untried(name, answer):
        return False
    try:
        with open(log, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError:
        return checks.report(name, False, hint=f"{log} is missing: run "
                             "`python -m asrlib loso --recipe seed` first.")
    below = [int(r["epoch"]) + 1 for r in rows if float(r["val_cer"]) < threshold]
    expected = below[0] if below else None
    return checks.report(
        name, expected is not None and answer == expected,
        hint="Keras counts epochs from 0 in the CSV file; add one.",
        praise=f"epoch {expected}: before it the model wrote (almost) nothing but blanks.",
    )


def resumed_epoch(answer, finished: int = 4) -> bool:
    """Exercise 3: the epoch (from 1) that runs first when a run that finished ``finished``
    epochs is restarted with BackupAndRestore."""
    name = "Exercise 3 (resuming)"
    if checks.untried(name, answer):
        return False
    return checks.report(
        name, answer == finished + 1,
        hint="BackupAndRestore saves at the end of every epoch and restores the last one saved.",
        praise="the weights, the optimizer state and the epoch counter come back together.",
    )


def _batch(seed: int = 5):
    """A hidden padded batch: softmax outputs ``(4, 25, 28)`` and packed targets, as
    ``pipeline.pad_batch`` and the model make them (frames 50, 37, 24, 44 → 25, 18, 12, 22)."""
    rng = np.random.default_rng(seed)
    frames = [50, 37, 24, 44]
    labels = [rng.integers(1, 28, size=n) for n in (6, 4, 3, 8)]
    logits = rng.normal(0, 2, size=(len(frames), max(frames) // STRIDE, 28))
    probs = np.exp(ctc.log_softmax(logits.reshape(-1, 28))).reshape(logits.shape)
    for row, n in enumerate(frames):  # the padding frames of a real batch are still softmax
        probs[row, n // STRIDE:] = np.exp(ctc.log_softmax(rng.normal(0, 2, size=(1, 28))))
    return probs.astype(np.float32), ctc.pack_targets(frames, labels)


def _keras_loss(probs: np.ndarray, targets: np.ndarray) -> float:
    """The mean over the batch of :class:`asrlib.ctc.CTCLoss` (TensorFlow's CTC loss, each
    utterance cut to its own frames and labels): the number ``fit`` prints as ``loss``."""
    return float(np.mean(np.asarray(ctc.CTCLoss()(targets, probs), dtype=np.float64)))


def _mistake(probs, targets, got) -> str:
    """The hint for the usual wrong answers: which step is missing."""
    def loss(cut, keep_zeros=False, mean=True):
        values = []
        for p, row in zip(probs, targets):
            labels = [int(i) for i in row[1:] if keep_zeros or i != 0]
            values.append(ctc.forward(np.log(np.clip(p[:cut(row)], 1e-12, 1)), labels)[1])
        return float(np.mean(values) if mean else np.sum(values))

    known = {
        "every utterance kept all the frames of the batch, padding included: cut it to "
        "targets[i, 0] // 2 output frames.": loss(lambda row: len(probs[0])),
        "column 0 counts INPUT frames; the max-pool halves them: targets[i, 0] // 2.":
            loss(lambda row: int(row[0])),
        "the zeros after the labels are padding, not blanks to spell: drop them.":
            loss(lambda row: int(row[0]) // STRIDE, keep_zeros=True),
        "that is the sum over the batch; Keras reports the mean.":
            loss(lambda row: int(row[0]) // STRIDE, mean=False),
    }
    for hint, value in known.items():
        if checks.close(got, value, 1e-4):
            return hint
    return ("each string counts only its own output frames (targets[i, 0] counts its input "
            "frames) and its own labels (the ids in targets[i, 1:] before the 0 padding); take "
            "the CTC loss of each with ctc.forward, then one number for the batch.")


def batch_loss(answer) -> bool:
    """Exercise 4 (code): ``answer(probs, targets)`` is the mean CTC loss of a padded batch
    (softmax outputs ``(batch, time', 28)``; targets as ``pipeline.pad_batch`` packs them);
    checked on a hidden batch against the mean of :class:`asrlib.ctc.CTCLoss`, the
    per-utterance loss Keras trains with (and ``fit`` averages into the ``loss`` it prints)."""
    name = "Exercise 4 (the loss of a padded batch)"
    if checks.untried(name, answer):
        return False
    probs, targets = _batch()
    try:
        got = answer(probs.copy(), targets.copy())
    except Exception as err:  # the student's function: say what went wrong, no traceback
        return checks.report(name, False, hint=f"your function raised {type(err).__name__}: "
                             f"{err}")
    if got is None:  # the body is still `...`
        return checks.untried(name, None) and False
    expected = _keras_loss(probs, targets)
    if np.ndim(got) == 0 and checks.close(got, expected, 1e-4):
        return checks.report(name, True, praise=f"{expected:.3f} on the hidden batch of "
                             f"{len(probs)}: each utterance counts only its own frames and "
                             "letters, as in the loss fit prints.")
    if np.ndim(got) != 0:
        return checks.report(name, False, hint="return one number, the mean over the batch "
                             "(float(np.mean(losses))).")
    return checks.report(name, False, hint=_mistake(probs, targets, got))
