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


def warmup_schedule(answer, base_lr: float = 1e-3, base_batch: int = 32) -> bool:
    """Exercise 4 (code): ``answer(step, global_batch, warmup_steps)`` is the learning rate at
    ``step`` (from 0): linear warm-up from 0 to the linearly scaled rate over ``warmup_steps``
    steps (reaching it at step ``warmup_steps``), then constant."""
    name = "Exercise 4 (a warm-up schedule)"
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
    expected = [solution_warmup_schedule(*case, base_lr=base_lr, base_batch=base_batch)
                for case in cases]
    return checks.report(
        name, checks.close(got, expected, 1e-12),
        hint=f"the target is {base_lr:g} × global_batch / {base_batch}; before warmup_steps "
        "multiply it by step / warmup_steps, from then on use it unchanged.",
        praise="a large batch starts gently and reaches its scaled rate after the warm-up.",
    )


def solution_warmup_schedule(step: int, global_batch: int, warmup_steps: int,
                             base_lr: float = 1e-3, base_batch: int = 32) -> float:
    """Linear scaling (Goyal et al. 2017) with a linear warm-up."""
    target = base_lr * global_batch / base_batch
    return target * min(1.0, step / warmup_steps)


def _seed_epoch_figure() -> str:
    """The stored seed-model throughput and its epoch time, for the key (empty if missing)."""
    import json

    from asrlib import runtime

    try:
        rows = json.loads((runtime.REPO / "data" / "scaling.json").read_text())["rows"]
        fps = next(r["frames_per_s"] for r in rows if r["model"] == "seed"
                   and r.get("variant", r["precision"]) == "float32" and not r["xla"])
    except (OSError, ValueError, KeyError, StopIteration):
        return ""
    hours = 100 * 3600 * 100 / fps / 3600
    return (f" With the {fps:,} frames/s stored in `data/scaling.json` that is {hours:.2f} h "
            f"(about {60 * hours:.0f} minutes); the notebook's table shows it rounded to "
            f"{hours:.1f} h.")


KEY: dict[str, str] = {
    "Exercise 1 (per-replica batch)": (
        "**32.** Two machines with four GPUs each are 8 replicas, and the global batch of 256 is "
        "split evenly between them: 256 / 8 = 32 utterances per GPU per step. Their gradients "
        "are then combined into one update, as if one device had taken the whole batch."
    ),
    "Exercise 2 (learning rate for a bigger batch)": (
        "**0.008.** The linear scaling rule multiplies the learning rate by the growth of the "
        "batch: 0.001 × 256 / 32 = 0.008. A batch eight times larger averages away more noise, "
        "so each step can go further; a warm-up at the old rate comes first."
    ),
    "Exercise 3 (epoch time)": (
        '**`100 * 3600 * 100 / best["seed"] / 3600`** hours: 100 hours are 360,000 s of audio, '
        "at 100 feature frames per second 36 million frames; divided by the measured frames per "
        "second that is the epoch in seconds, and ÷ 3,600 in hours." + _seed_epoch_figure()
    ),
    "Exercise 4 (a warm-up schedule)": (
        "The target rate is `1e-3 * global_batch / 32` (the linear scaling rule); during the "
        "warm-up the rate grows in proportion to `step / warmup_steps` and from step "
        "`warmup_steps` on it stays at the target. The first steps of a large batch are the "
        "least reliable, so they get the smallest rate (see `solution_warmup_schedule`)."
    ),
}
