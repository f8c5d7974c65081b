"""Exercise checks for notebook 05 (training), and their answer key."""

from __future__ import annotations

import csv
import math

import numpy as np

from asrlib import checks, ctc, runtime

LOGS = runtime.REPO / "data" / "loso"  # Keras CSV logs of the stored LOSO runs
STRIDE = 2  # the seed's 2×2 max-pool: one output frame per two input frames

KEY = {  # the answer key: exercise title as the check prints it → the answer, with the reason
    "Exercise 1 (steps per epoch)": (
        "**125.** One optimizer step per batch: ceil(4,000 / 32) = 125 (here 4,000 is a "
        "multiple of 32, so every batch is full)."),
    "Exercise 2 (end of the blank phase)": (
        "**The first epoch whose `val_cer` in `data/loso/seed/theo.log.csv` is below 0.9, plus "
        "one** (the check reads the log and names it). Keras counts epochs from 0 in the CSV "
        "file; before that epoch the model wrote (almost) nothing but blanks."),
    "Exercise 3 (resuming)": (
        "**5.** `BackupAndRestore` saved the weights, the optimizer state and the epoch counter "
        "at the end of epoch 4, so the restarted run continues with epoch 5 instead of epoch 1."),
    "Exercise 4 (the loss of a padded batch)": (
        "`solution_batch_loss` reads each row of the targets: column 0 is the utterance's "
        "input frame count, which the 2×2 max-pool halves (rounding down) to its output frames; "
        "the rest are label ids padded with 0 (the blank, never a label), which it drops. It "
        "cuts the utterance's probabilities to its own output frames, takes the CTC loss of "
        "the log probabilities (clipped at 1e-12, as `asrlib.ctc.CTCLoss` does) with "
        "`ctc.forward`, and returns the mean over the batch: the number `fit` prints as "
        "`loss`."),
}


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


def solution_batch_loss(probs: np.ndarray, targets: np.ndarray) -> float:
    """The mean CTC loss of a padded batch, each utterance cut to its own frames and labels."""
    losses = []
    for p, row in zip(probs, targets):
        n_out = int(row[0]) // STRIDE  # input frames → output frames (the 2×2 max-pool)
        labels = [int(i) for i in row[1:] if i != 0]  # 0 pads the labels (the blank)
        log_probs = np.log(np.clip(p[:n_out], 1e-12, 1.0))
        losses.append(ctc.forward(log_probs, labels)[1])
    return float(np.mean(losses))


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
    return ("for each row: n = targets[i, 0] // 2 output frames, labels = the non-zero ids "
            "of targets[i, 1:], loss = ctc.forward(log(probs[i, :n]), labels)[1]; then the mean.")


def batch_loss(answer) -> bool:
    """Exercise 4 (code): ``answer(probs, targets)`` is the mean CTC loss of a padded batch
    (softmax outputs ``(batch, time', 28)``; targets as ``pipeline.pad_batch`` packs them);
    checked against :func:`solution_batch_loss` on a hidden batch."""
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
    expected = solution_batch_loss(probs, targets)
    if np.ndim(got) == 0 and checks.close(got, expected, 1e-4):
        return checks.report(name, True, praise=f"{expected:.3f} on the hidden batch of "
                             f"{len(probs)}: each utterance counts only its own frames and "
                             "letters, as in the loss fit prints.")
    if np.ndim(got) != 0:
        return checks.report(name, False, hint="return one number, the mean over the batch "
                             "(float(np.mean(losses))).")
    return checks.report(name, False, hint=_mistake(probs, targets, got))
