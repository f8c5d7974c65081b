"""Exercise checks for notebook 03 (the model, layer by layer)."""

from __future__ import annotations

import numpy as np

from asrlib import checks, ctc
from asrlib.model import ModelConfig, output_lengths, param_counts
from asrlib.text import Alphabet


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


# (input MFCC frames at 10 ms, transcript, time stride): short clips, some at the boundary
TOO_FEW_CASES = (
    (30, "eight", 4), (30, "eight", 8), (23, "three", 4), (24, "three", 4), (27, "three", 4),
    (47, "seven seven", 4), (43, "seven seven", 4), (43, "seven seven", 2),
    (120, "bookkeeper", 8), (100, "bookkeeper", 8), (100, "bookkeeper", 2), (9, "a", 8),
    (7, "a", 8), (301, "the quick brown fox", 8),
)


def _too_few(n_frames: int, text: str, stride: int) -> bool:
    """Whether no CTC path spells ``text`` in the frames the model keeps: the seed's pooling
    (:func:`asrlib.model.output_lengths`) applied once per halving of ``stride``, then the CTC
    loss of ``text`` over that many frames, which is infinite when no path fits."""
    kept = n_frames
    while stride > 1:  # stride 2, 4, 8: one, two, three 2×2 pools
        kept, stride = int(output_lengths(kept, ModelConfig())), stride // 2
    if kept < 1:
        return True
    alphabet = Alphabet()
    uniform = np.full((kept, alphabet.size), -np.log(alphabet.size))
    return not np.isfinite(ctc.forward(uniform, alphabet.encode(text))[1])


def too_few_frames(answer) -> bool:
    """Exercise 4 (code): ``answer(n_frames, text, stride)`` (a function; one that returns None
    is not tried yet) says whether a model whose max-pools divide time by ``stride`` gives
    ``n_frames`` input frames fewer output frames than CTC needs for ``text``."""
    name = "Exercise 4 (too few frames)"
    if checks.untried(name, answer):
        return False
    for n_frames, text, stride in TOO_FEW_CASES:
        expected = _too_few(n_frames, text, stride)
        try:
            got = answer(n_frames, text, stride)
        except Exception as err:  # the student's function: say what went wrong, no traceback
            return checks.report(name, False, hint=f"your function raised "
                                 f"{type(err).__name__}: {err}")
        if got is None:  # the body is still `...`
            return checks.untried(name, None) and False
        if not isinstance(got, (bool, np.bool_)) or bool(got) != expected:
            return checks.report(
                name, False,
                hint=f"for {n_frames} frames, {text!r}, stride {stride} you return {got!r}, "
                f"expected {expected}. How many frames does each 2×2 pool keep? CTC needs "
                "ctc.min_frames(alphabet.encode(text)) of them (a blank between equal letters).")
    lost = [f"{text!r} in {n / 100:g} s" for n, text, s in TOO_FEW_CASES
            if s == 4 and _too_few(n, text, s)]
    return checks.report(
        name, True,
        praise=f"with a second pool (stride 4) these clips could not be learnt (loss inf): "
        f"{', '.join(lost)}; 'three' in 0.24 s still fits, its doubled e costs one blank.",
    )
