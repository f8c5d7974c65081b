"""Exercise checks for notebook 09 (scaling up)."""

from __future__ import annotations

from asrlib import checks


def per_replica_batch(answer, global_batch: int = 256, gpus: int = 4, machines: int = 2) -> bool:
    """Exercise 1: utterances each GPU sees per step, for a global batch over machines × GPUs."""
    name = "Exercise 1 (per-replica batch)"
    if checks.untried(name, answer):
        return False
    expected = global_batch // (gpus * machines)
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
    expected = learning_rate * new_batch / batch
    return checks.report(
        name, checks.close(answer, expected, 1e-9),
        hint="the linear rule: multiply the learning rate by new batch / old batch.",
        praise=f"{expected:g}; start with a few hundred warm-up steps at the old rate.",
    )


def epoch_hours(answer, hours_of_audio: float = 100.0,
                frames_per_second: float = 25_000.0) -> bool:
    """Exercise 3: hours one epoch takes, from hours of audio and training frames/s."""
    name = "Exercise 3 (epoch time)"
    if checks.untried(name, answer):
        return False
    expected = hours_of_audio * 3600 * 100 / frames_per_second / 3600
    return checks.report(
        name, checks.close(answer, expected, 1e-3),
        hint="100 feature frames per second of audio (10 ms hop); divide the epoch's frames "
        "by the frames per second, then convert seconds to hours.",
        praise=f"about {expected:.1f} h per epoch.",
    )
