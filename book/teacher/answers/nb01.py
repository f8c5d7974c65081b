"""Notebook 01 (audio and MFCC): answer key and reference solutions, for teachers.

Not part of the ``asrlib`` package (see ``book/teacher/README.md``). ``KEY`` maps each
exercise title, exactly as its check in ``asrlib.checks.nb01`` prints it, to the answer
in MyST Markdown with the reason; ``solution_X`` is the reference implementation that
check ``X`` accepts. ``book/answer_key.py`` renders both into the book."""

from __future__ import annotations

import numpy as np

KEY = {  # the answer key: exercise title as the check prints it → the answer, with the reason
    "Exercise 1 (number of frames)": (
        "**151.** 1.5 s at 16 kHz are 24,000 samples; centred frames every 160 samples give "
        "1 + 24,000 // 160 = 151 (`FeatureConfig().n_frames(24000)`)."),
    "Exercise 2 (mel filter)": (
        "**22.** By the bank: the filters' peaks are `bin_hz[bank.argmax(axis=1)]`, and filter "
        "22's, 1968.75 Hz, is the nearest to 2000 Hz. By hand: 2000 Hz is 25.08 mel; the 42 "
        "points equally spaced from 0 to 45.25 mel (8 kHz) are 1.104 mel apart and filter k "
        "is centred on point k + 1, so 25.08 / 1.104 − 1 = 21.7 rounds to 22."),
    "Exercise 3 (MFCC shape)": (
        "**(81, 13).** 0.8 s are 12,800 samples: 1 + 12,800 // 160 = 81 frames of 13 "
        "coefficients, in asrlib's (time, features) order; librosa would return (13, 81)."),
    "Exercise 4 (frame a signal)": (
        "`solution_frame_signal` pads `n_fft // 2` zeros at both ends, so that frame t is "
        "centred on sample t · hop, then takes 1 + (len(padded) − n_fft) // hop slices of "
        "n_fft samples, each starting hop samples after the previous one. That is "
        "1 + len(samples) // hop frames, as `features.frame_signal` and librosa cut them."),
    "Exercise 5 (Hz to mel)": (
        "`solution_hz_to_mel` is Slaney's scale: hz / (200/3) below 1000 Hz, and "
        "15 + ln(hz / 1000) / (ln 6.4 / 27) from 1000 Hz up, chosen element by element with "
        "`np.where` so that it works on whole arrays (librosa's default `hz_to_mel`)."),
}


def solution_frame_signal(samples, n_fft: int, hop: int) -> np.ndarray:
    """Centred frames ``(time, n_fft)``: frame t is centred on sample t · hop."""
    padded = np.pad(samples, n_fft // 2)  # zeros at both ends
    n_frames = 1 + (len(padded) - n_fft) // hop
    return np.stack([padded[t * hop:t * hop + n_fft] for t in range(n_frames)])


def solution_hz_to_mel(hz):
    """Slaney's mel scale, element by element: linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200 / 3)
    logarithmic = 15 + np.log(np.maximum(hz, 1000) / 1000) / (np.log(6.4) / 27)
    return np.where(hz < 1000, linear, logarithmic)
