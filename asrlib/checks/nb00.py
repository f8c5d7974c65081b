"""Exercise checks for notebook 00 (introduction)."""

from __future__ import annotations

from asrlib import checks, datasets, metrics
from asrlib.features import FeatureConfig
from asrlib.model import ModelConfig, output_lengths


def output_frames(answer, seconds: float = 2.0) -> bool:
    """Exercise 1: output frames of the seed model for ``seconds`` of audio."""
    name = "Exercise 1 (output frames)"
    if checks.untried(name, answer):
        return False
    n_input = FeatureConfig().n_frames(int(seconds * FeatureConfig().sample_rate))
    expected = int(output_lengths([n_input], ModelConfig())[0])
    return checks.report(
        name,
        answer == expected,
        hint="1 + samples // hop feature frames (centred), then the max-pool halves time.",
        praise=f"{n_input} feature frames become {expected} output frames.",
    )


def test_speaker(answer) -> bool:
    """Exercise 2: the FSDD speaker that the digits split only ever uses for testing."""
    name = "Exercise 2 (held-out speaker)"
    if checks.untried(name, answer):
        return False
    expected = datasets.DIGITS_TEST_SPEAKER
    ok = isinstance(answer, str) and answer.strip().lower() == expected
    return checks.report(
        name, ok, hint="look at asrlib.datasets.DIGITS_TEST_SPEAKER.",
        praise="digits_no_theo.keras and digits_heldout.keras never heard this voice, so they "
        "can be tested on it; the shipped digits_model.keras learned from every voice, "
        f"{expected} included.",
    )


REF, HYP = "three one four one five", "three one for one"


def word_error_rate(answer) -> bool:
    """Exercise 3: the WER of HYP against REF, as a fraction."""
    name = "Exercise 3 (word error rate)"
    if checks.untried(name, answer):
        return False
    expected = metrics.wer(REF, HYP)
    return checks.report(
        name,
        checks.close(answer, expected, 1e-3),
        hint="count substitutions + deletions + insertions, divide by the reference's words.",
        praise=f"{metrics.edit_distance(REF.split(), HYP.split())} edits / 5 words.",
    )
