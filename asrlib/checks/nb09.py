"""Exercise checks for notebook 09 (scaling up)."""

from __future__ import annotations

import numpy as np

from asrlib import checks, distribute


def per_replica_batch(answer, global_batch: int = 256, gpus: int = 4, machines: int = 2) -> bool:
    """Exercise 1: utterances each GPU sees per step, for a global batch over machines × GPUs."""
    name = "Exercise 1 (per-replica batch)"
    if checks.untried(name, answer):
        return False
    expected = distribute.check_batch(global_batch, gpus * machines)
    return checks.report(
        name, answer == expected,
        hint="every GPU of every machine is one replica; the global batch is split evenly "
        "between all of them.",
        praise=f"{expected} utterances per GPU; the gradients of all {gpus * machines} are "
        "averaged into one step.",
    )


def scaled_learning_rate(answer, learning_rate: float = 1e-3, batch: int = 32,
                         new_batch: int = 256) -> bool:
    """Exercise 2: the linear scaling rule for a larger global batch."""
    name = "Exercise 2 (learning rate for a bigger batch)"
    if checks.untried(name, answer):
        return False
    expected = distribute.scale_learning_rate(learning_rate, new_batch, batch)
    return checks.report(
        name, checks.close(answer, expected, 1e-9),
        hint="the linear rule: multiply the learning rate by new batch / old batch.",
        praise=f"{expected:g}; start with a few hundred warm-up steps at the old rate.",
    )


def warmup_schedule(answer, base_lr: float = 1e-3, base_batch: int = 32) -> bool:
    """Exercise 3 (code): ``answer(step, global_batch, warmup_steps)`` is the learning rate at
    ``step`` (from 0): linear warm-up from 0 to the linearly scaled rate over ``warmup_steps``
    steps (reaching it at step ``warmup_steps``), then constant."""
    name = "Exercise 3 (a warm-up schedule)"
    if checks.untried(name, answer):
        return False
    cases = [(step, batch, warm) for batch, warm in ((256, 1000), (32, 10), (64, 1))
             for step in (0, 1, warm // 2, warm - 1, warm, warm + 7, 50_000)]
    try:
        got = [answer(step, batch, warm) for step, batch, warm in cases]
    except Exception as err:  # the student's function: one line, no traceback
        return checks.report(name, False, hint=f"your function raised {type(err).__name__}: "
                             f"{err}")
    if all(g is None for g in got):  # the body is still `...`
        return checks.untried(name, None) and False
    expected = []
    for step, batch, warm in cases:  # a straight ramp from (0, 0) to (warm, the scaled rate)
        target = distribute.scale_learning_rate(base_lr, batch, base_batch)
        expected.append(float(np.interp(step, [0, warm], [0.0, target])))  # then flat
    return checks.report(
        name, checks.close(got, expected, 1e-12),
        hint=f"the target is {base_lr:g} × global_batch / {base_batch}; the rate climbs in a "
        "straight line from 0 at step 0 to the target at step warmup_steps, then stays there.",
        praise="a large batch starts gently and reaches its scaled rate after the warm-up.",
    )
