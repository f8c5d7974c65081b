"""Notebook 08 (record your voice): answer key and reference solutions, for teachers.

Not part of the ``asrlib`` package (see ``book/teacher/README.md``). ``KEY`` maps each
exercise title, exactly as its check in ``asrlib.checks.nb08`` prints it, to the answer
in MyST Markdown with the reason; ``solution_X`` is the reference implementation that
check ``X`` accepts. ``book/answer_key.py`` renders both into the book."""

from __future__ import annotations

import numpy as np

from asrlib import audio


def solution_to_mono_16k(samples, rate):
    """Average the channels, then resample band-limited to 16 kHz, as float32."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 2:
        x = x.mean(axis=1)  # a mean, not a sum: the loudness stays the same
    return audio.resample(x, rate, 16_000).astype(np.float32)


KEY: dict[str, str] = {
    "Exercise 1 (bytes of a recording)": (
        "**192,000 bytes.** Three seconds at 16,000 samples per second are 48,000 samples on one "
        "channel, and a float32 sample takes 4 bytes: 48,000 × 4 = 192,000."
    ),
    "Exercise 2 (which decoder)": (
        '**`"lexicon"`.** Greedy and beam search choose letters frame by frame and can spell any '
        "string of the alphabet, so they can write \"sight\". The lexicon decoder only searches "
        "through its lexicon of the ten digit words (notebook 06), so every word it writes is one "
        "of them."
    ),
    "Exercise 3 (mono at 16 kHz)": (
        "`solution_to_mono_16k` averages the channels of a `(time, channels)` array (a mean, not "
        "a sum, so the loudness stays the same) and resamples with `audio.resample`, a "
        "band-limited resampler, returning float32. Keeping every third sample of 48 kHz audio "
        "instead would fold the sounds above 8 kHz down into the speech band (aliasing): the "
        "check's hidden stereo clips hold tones at 9 and 10 kHz to catch that."
    ),
}
