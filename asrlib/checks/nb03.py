"""Exercise checks for notebook 03 (the model, layer by layer)."""

from __future__ import annotations

from asrlib import checks
from asrlib.model import ModelConfig, output_lengths, param_counts


def output_frames(answer, input_frames: int = 301) -> bool:
    """Exercise 1: output frames of the seed model for ``input_frames`` MFCC frames."""
    name = "Exercise 1 (output frames)"
    if checks.untried(name, answer):
        return False
    expected = int(output_lengths(input_frames, ModelConfig()))
    return checks.report(
        name,
        answer == expected,
        hint="the 2×2 max-pool keeps floor(T / 2) frames: 'valid' padding drops an odd last one.",
        praise=f"{input_frames} frames of 10 ms become {expected} frames of 20 ms.",
    )


def lstm_params(answer, units: int = 256) -> bool:
    """Exercise 2: parameters of the seed's LSTM widened to ``units`` (input width 192)."""
    name = "Exercise 2 (LSTM parameters)"
    if checks.untried(name, answer):
        return False
    config = ModelConfig(units=units)
    expected = param_counts(config)["lstm1"]
    return checks.report(
        name,
        answer == expected,
        hint="4 gates × (input width + units + 1 bias) × units; the input width is still "
        f"{config.sequence_width}.",
        praise=f"4·({config.sequence_width}+{units}+1)·{units} = {expected:,}.",
    )


def sequence_width(answer, n_features: int = 40, filters: int = 64) -> bool:
    """Exercise 3: width of the Reshape output for ``n_features`` inputs and ``filters``."""
    name = "Exercise 3 (reshape width)"
    if checks.untried(name, answer):
        return False
    config = ModelConfig(n_features=n_features, filters=filters)
    expected = config.sequence_width
    return checks.report(
        name,
        answer == expected,
        hint="the pool halves the frequency axis (floor), then frequency × channels.",
        praise=f"({n_features} // 2) · {filters} = {expected} features per frame.",
    )
