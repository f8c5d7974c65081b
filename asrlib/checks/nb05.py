"""Exercise checks for notebook 05 (training)."""

from __future__ import annotations

import csv
import math

from asrlib import checks, runtime

LOGS = runtime.REPO / "data" / "loso"  # Keras CSV logs of the stored LOSO runs


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
