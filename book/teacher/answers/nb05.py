"""Notebook 05 (training): answer key and reference solutions, for teachers.

Not part of the ``asrlib`` package (see ``book/teacher/README.md``). ``KEY`` maps each
exercise title, exactly as its check in ``asrlib.checks.nb05`` prints it, to the answer
in MyST Markdown with the reason; ``solution_X`` is the reference implementation that
check ``X`` accepts. ``book/answer_key.py`` renders both into the book."""

from __future__ import annotations

import numpy as np

from asrlib import ctc
from asrlib.checks.nb05 import STRIDE

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


def solution_batch_loss(probs: np.ndarray, targets: np.ndarray) -> float:
    """The mean CTC loss of a padded batch, each utterance cut to its own frames and labels."""
    losses = []
    for p, row in zip(probs, targets):
        n_out = int(row[0]) // STRIDE  # input frames → output frames (the 2×2 max-pool)
        labels = [int(i) for i in row[1:] if i != 0]  # 0 pads the labels (the blank)
        log_probs = np.log(np.clip(p[:n_out], 1e-12, 1.0))
        losses.append(ctc.forward(log_probs, labels)[1])
    return float(np.mean(losses))
