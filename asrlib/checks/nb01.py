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
    """Exercise 3: shape of ``features.compute`` for ``seconds`` of audio, ``(time, features)``."""
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


SIGNAL_CASES = ((1003, 512, 160), (300, 64, 25), (100, 512, 160), (4800, 400, 160))


def frame_signal(answer) -> bool:
    """Exercise 4 (code): ``answer(samples, n_fft, hop)`` cuts centred frames ``(time, n_fft)``
    (``n_fft // 2`` zeros padded at both ends), checked against :func:`features.frame_signal`
    on hidden signals, lengths, windows and hops."""
    name = "Exercise 4 (frame a signal)"
    if checks.untried(name, answer):
        return False
    rng = np.random.default_rng(4)
    for length, n_fft, hop in SIGNAL_CASES:
        samples = rng.uniform(-1, 1, size=length).astype(np.float32)
        expected = features.frame_signal(samples, n_fft, hop)
        try:
            got = answer(samples, n_fft, hop)
        except Exception as err:  # the student's function: say what went wrong, no traceback
            return checks.report(name, False, hint=f"your function raised "
                                 f"{type(err).__name__}: {err}")
        if got is None:  # the body is still `...`
            return checks.untried(name, None) and False
        shape = np.shape(got)
        if shape != expected.shape:
            return checks.report(
                name, False, hint=f"{length} samples, n_fft={n_fft}, hop={hop}: expected shape "
                f"{expected.shape} (1 + samples // hop frames of n_fft samples), got {shape}.")
        if not checks.close(got, expected, 1e-6):
            return checks.report(
                name, False, hint=f"right shape {shape}, wrong values: pad n_fft // 2 zeros at "
                "both ends (np.pad), and start frame t at padded sample t · hop.")
    return checks.report(
        name, True, praise=f"the same frames as features.frame_signal on {len(SIGNAL_CASES)} "
        "hidden signals, and so as librosa's centred frames.")


MEL_HZ = np.array([0.0, 100.0, 440.0, 999.0, 1000.0, 1500.0, 2000.0, 4000.0, 8000.0])


def hz_to_mel(answer) -> bool:
    """Exercise 5 (code): ``answer(hz)`` is Slaney's mel scale, checked against librosa's
    ``hz_to_mel`` on hidden frequencies (an array; a function of one number is tried on each)."""
    import librosa

    name = "Exercise 5 (Hz to mel)"
    if checks.untried(name, answer):
        return False
    expected = librosa.hz_to_mel(MEL_HZ)
    try:
        try:
            got = answer(MEL_HZ.copy())
        except (TypeError, ValueError):  # e.g. `if hz < 1000` on an array: try number by number
            got = [answer(float(f)) for f in MEL_HZ]
            got = None if any(g is None for g in got) else got
    except Exception as err:  # the student's function: say what went wrong, no traceback
        return checks.report(name, False, hint=f"your function raised {type(err).__name__}: "
                             f"{err}")
    if got is None:  # the body is still `...`
        return checks.untried(name, None) and False
    try:
        values = np.asarray(got, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        values = np.full(len(MEL_HZ), np.nan)
    if values.shape != expected.shape:
        values = np.full(len(MEL_HZ), np.nan)
    wrong = np.flatnonzero(~np.isclose(values, expected, atol=1e-6))
    hint = ""
    if len(wrong):
        hint = (f"at {MEL_HZ[wrong[0]]:g} Hz librosa says {expected[wrong[0]]:.4f} mel. Below "
                "1000 Hz: hz / (200/3); from 1000 Hz up: 15 + ln(hz / 1000) / (ln(6.4) / 27).")
    if np.allclose(values, 2595 * np.log10(1 + MEL_HZ / 700), atol=1e-3):
        hint = "that is HTK's formula (1000 Hz = 1000 mel); asrlib and librosa use Slaney's."
    return checks.report(name, not len(wrong), hint=hint,
                         praise="linear up to 1 kHz (15 mel), logarithmic above: librosa's "
                         "default scale.")


def _as_int(answer) -> int | None:
    """``answer`` as an int when it is a whole number (7 or 7.0), else None."""
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.number)):
        return None
    return int(answer) if float(answer).is_integer() else None
