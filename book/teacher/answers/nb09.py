"""Notebook 09 (scaling up): answer key and reference solutions, for teachers.

Not part of the ``asrlib`` package (see ``book/teacher/README.md``). ``KEY`` maps each
exercise title, exactly as its check in ``asrlib.checks.nb09`` prints it, to the answer
in MyST Markdown with the reason; ``solution_X`` is the reference implementation that
check ``X`` accepts. ``book/answer_key.py`` renders both into the book."""

from __future__ import annotations


def solution_warmup_schedule(step: int, global_batch: int, warmup_steps: int,
                             base_lr: float = 1e-3, base_batch: int = 32) -> float:
    """Linear scaling (Goyal et al. 2017) with a linear warm-up."""
    target = base_lr * global_batch / base_batch
    return target * min(1.0, step / warmup_steps)


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
    "Exercise 3 (a warm-up schedule)": (
        "The target rate is `1e-3 * global_batch / 32` (the linear scaling rule); during the "
        "warm-up the rate grows in proportion to `step / warmup_steps` and from step "
        "`warmup_steps` on it stays at the target. The first steps of a large batch are the "
        "least reliable, so they get the smallest rate (see `solution_warmup_schedule`)."
    ),
}
