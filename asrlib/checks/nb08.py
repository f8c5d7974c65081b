"""Exercise checks for notebook 08 (record your voice)."""

from __future__ import annotations

from asrlib import checks


def recording_bytes(answer, seconds: float = 3.0, rate: int = 16_000) -> bool:
    """Exercise 1: bytes the recorder sends for ``seconds`` of float32 mono audio at ``rate``."""
    name = "Exercise 1 (bytes of a recording)"
    if checks.untried(name, answer):
        return False
    expected = int(seconds * rate * 4)
    return checks.report(
        name, checks.close(answer, expected, 1e-9),
        hint="samples per second × seconds × 4 bytes per float32 sample (one channel).",
        praise=f"{expected:,} bytes: small enough to send to the kernel in one message.",
    )


def output_frames(answer, seconds: float = 3.0) -> bool:
    """Exercise 2: output frames (posteriorgram columns) for ``seconds`` of audio."""
    name = "Exercise 2 (frames for a recording)"
    if checks.untried(name, answer):
        return False
    expected = (1 + int(seconds * 16_000) // 160) // 2
    return checks.report(
        name, answer == expected,
        hint="1 + samples // 160 feature frames (10 ms hop, centred), then the max-pool halves "
        "them, rounding down.",
        praise=f"{expected} columns of 20 ms each.",
    )


def task_decoder(answer) -> bool:
    """Exercise 3: which of the app's decoders can only ever write digit words."""
    name = "Exercise 3 (which decoder)"
    if checks.untried(name, answer):
        return False
    return checks.report(
        name, isinstance(answer, str) and answer.strip().lower() == "task",
        hint="greedy and beam spell letter by letter; one decoder has a lexicon (notebook 06).",
        praise="the task decoder: its lexicon holds the ten digit words only.",
    )
