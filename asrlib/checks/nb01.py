"""Exercise checks for notebook 01 (audio and MFCC)."""

from __future__ import annotations

import numpy as np

from asrlib import checks, features
from asrlib.features import FeatureConfig


def frames(answer, seconds: float = 1.5) -> bool:
    """Exercise 1: feature frames for ``seconds`` of 16 kHz audio (default config)."""
    name = "Exercise 1 (number of frames)"
    if checks.untried(name, answer):
        return False
    cfg = FeatureConfig()
    n_samples = round(seconds * cfg.sample_rate)
    expected = cfg.n_frames(n_samples)
    return checks.report(
        name,
        _as_int(answer) == expected,
        hint=f"frames are centred: 1 + samples // hop, with {n_samples} samples and a hop of "
        f"{cfg.hop_length}.",
        praise=f"1 + {n_samples} // {cfg.hop_length} = {expected}.",
    )


def mel_filter(answer, hz: float = 2000.0) -> bool:
    """Exercise 2: index of the default mel filter whose peak is nearest ``hz``."""
    name = "Exercise 2 (mel filter)"
    if checks.untried(name, answer):
        return False
    cfg = FeatureConfig()
    bank = features.mel_filterbank(cfg.sample_rate, cfg.n_fft, cfg.n_mels, cfg.fmin, cfg.fmax)
    bin_hz = np.fft.rfftfreq(cfg.n_fft, d=1 / cfg.sample_rate)
    peaks = bin_hz[bank.argmax(axis=1)]
    expected = int(np.argmin(np.abs(peaks - hz)))
    return checks.report(
        name,
        _as_int(answer) == expected,
        hint=f"the filters' peaks are bin_hz[bank.argmax(axis=1)]; find the one closest to "
        f"{hz:g} Hz (counting from 0).",
        praise=f"filter {expected} peaks at {peaks[expected]:.2f} Hz.",
    )


def mfcc_shape(answer, seconds: float = 0.8) -> bool:
    """Exercise 3: shape of ``features.mfcc`` for ``seconds`` of audio, ``(time, features)``."""
    name = "Exercise 3 (MFCC shape)"
    if checks.untried(name, answer):
        return False
    cfg = FeatureConfig()
    expected = (cfg.n_frames(round(seconds * cfg.sample_rate)), cfg.n_features)
    try:
        given = tuple(int(v) for v in answer)
    except (TypeError, ValueError):
        given = None
    hint = "(time, features): time = 1 + samples // hop frames, features = n_mfcc."
    if given == expected[::-1]:
        hint = "that is librosa's (features, time) layout; asrlib transposes to (time, features)."
    return checks.report(
        name,
        given == expected,
        hint=hint,
        praise=f"{expected[0]} frames of {expected[1]} coefficients.",
    )


def _as_int(answer) -> int | None:
    """``answer`` as an int when it is a whole number (151 or 151.0), else None."""
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.number)):
        return None
    return int(answer) if float(answer).is_integer() else None
